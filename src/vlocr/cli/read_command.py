"""``vlocr read``: OCR of images and PDF pages."""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import typer

from vlocr.cli.common import EXIT_INPUT_ERROR, fail, report_error
from vlocr.errors import VlocrError


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _numbered(path: Path, index: int) -> Path:
    return path if index == 1 else path.with_name(f"{path.stem}-{index}{path.suffix or '.png'}")


def read(
    images: list[Path] = typer.Argument(
        ...,
        help="Image or PDF files (JPG, PNG, BMP, WebP, TIFF, GIF, PDF). Every page of a PDF/TIFF is read.",
        show_default=False,
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat.text,
        "--format",
        "-f",
        help="text: the recognised text; json: lines with boxes, confidences, timings and preprocessing trace; markdown: a table per page.",
    ),
    engine: str = typer.Option(
        "rapidocr",
        "--engine",
        "-e",
        help="OCR engine: rapidocr (default, offline), rapidocr-v6, rapidocr-v4, tesseract, or vlm (Qwen3-VL transcription; see 'vlocr ask --help' for model options).",
    ),
    preprocess: str = typer.Option(
        "auto",
        "--preprocess",
        "-p",
        help="Preprocessing: none, seed (the reference article's 7 steps), auto (measure, then apply only what helps), or a comma list of steps, e.g. clahe,deskew.",
    ),
    region: str = typer.Option(
        None, "--region", help="Read only this rectangle: x,y,w,h in pixels of the original image."
    ),
    annotate: Path = typer.Option(
        None,
        "--annotate",
        help="Write a PNG with each line's box and number drawn on the page (OUT-N.png when several pages).",
    ),
    save_preprocessed: Path = typer.Option(
        None,
        "--save-preprocessed",
        help="Write the image the engine saw after preprocessing (OUT-N.png when several pages).",
    ),
    pdf_dpi: int = typer.Option(
        200, "--pdf-dpi", min=36, max=600, help="Resolution for rendering PDF pages."
    ),
    model: str = typer.Option(
        None, "--model", help="With --engine vlm: hub id or local directory of the Qwen3-VL model."
    ),
) -> None:
    """Read the text in images and PDF pages, offline.

    Each page's result is labelled. Bad inputs are reported one line each on stderr while the
    other files are still read; the exit code is 2 if any input failed.
    """
    if engine == "vlm":
        _read_with_vlm(images, output_format, model, region)
        return
    from vlocr import service
    from vlocr.io import load_pages
    from vlocr.service.reading import ocr_page_with_image, parse_region

    try:
        region_box = parse_region(region)
    except VlocrError as err:
        fail(err)
    want_images = annotate is not None or save_preprocessed is not None
    from vlocr.results import ReadResult

    result = ReadResult()
    if not want_images:
        result = service.read(
            images,
            engine=engine,
            preprocess=preprocess,
            region=region_box,
            pdf_dpi=pdf_dpi,
            on_page=_report_page_error,
        )
    else:
        for path in images:
            try:
                pages = load_pages(path, label=str(path), pdf_dpi=pdf_dpi)
            except VlocrError as err:
                r = service.reading._error_page(str(path), err)
                _report_page_error(r)
                result.pages.append(r)
                continue
            for page in pages:
                try:
                    page_result, seen = ocr_page_with_image(
                        page, engine=engine, preprocess=preprocess, region=region_box
                    )
                except VlocrError as err:
                    fail(err)
                result.pages.append(page_result)
                _save_images(
                    page, page_result, seen, annotate, save_preprocessed, len(result.pages)
                )
    _print(result, output_format)
    if not result.ok:
        raise typer.Exit(EXIT_INPUT_ERROR)


def _save_images(
    page, page_result, seen, annotate: Path | None, save_preprocessed: Path | None, n: int
) -> None:  # type: ignore[no-untyped-def]
    """Write page ``n``'s annotated and preprocessed images; pages after the first get ``-N``."""
    from PIL import Image

    from vlocr import render

    if annotate is not None:
        Image.fromarray(render.annotate(page.image, page_result.lines)).save(_numbered(annotate, n))
    if save_preprocessed is not None:
        Image.fromarray(seen).save(_numbered(save_preprocessed, n))


def _report_page_error(page) -> None:  # type: ignore[no-untyped-def]
    if page.error is not None:
        hint = f" ({page.error.hint})" if page.error.hint else ""
        typer.echo(
            f"vlocr: error: {page.error.source or page.source}: {page.error.message}{hint}",
            err=True,
        )


def _print(result, output_format: OutputFormat) -> None:  # type: ignore[no-untyped-def]
    from vlocr import render

    if output_format is OutputFormat.json:
        payload = result.pages[0] if len(result.pages) == 1 else result
        sys.stdout.write(payload.model_dump_json(indent=2) + "\n")
    elif output_format is OutputFormat.markdown:
        sys.stdout.write(render.to_markdown(result))
    else:
        text = render.to_text(result)
        if text:
            sys.stdout.write(text + "\n")


def _read_with_vlm(
    images: list[Path], output_format: OutputFormat, model: str | None, region: str | None
) -> None:
    from vlocr import service
    from vlocr.config import get_settings

    options = get_settings().vlm.model_copy(update={"model": model} if model else {})
    failed = False
    for path in images:
        try:
            answer = service.transcribe(path, vlm=options, region=region)
        except VlocrError as err:
            report_error(err)
            failed = True
            continue
        if output_format is OutputFormat.json:
            sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
        else:
            if len(images) > 1:
                sys.stdout.write(f"==> {path} <==\n")
            sys.stdout.write(answer.text + "\n")
    if failed:
        raise typer.Exit(EXIT_INPUT_ERROR)
