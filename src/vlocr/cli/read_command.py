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
    hocr = "hocr"
    alto = "alto"
    pdf = "pdf"


STDIN = Path("-")


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
        help="text: the recognised text; json: lines with boxes, confidences, timings and preprocessing trace; markdown: a table per page; hocr / alto: hOCR 1.2 or ALTO 4 XML with line and word boxes; pdf: a searchable PDF (the page images with an invisible text layer; needs --output or a redirected stdout).",
    ),
    output: Path = typer.Option(
        None,
        "--output",
        "-o",
        help="Write the result to this file instead of stdout (checked before anything is read).",
    ),
    engine: str = typer.Option(
        None,
        "--engine",
        "-e",
        help="OCR engine: rapidocr (the default, offline), rapidocr-v6, rapidocr-v4, tesseract, or vlm (Qwen3-VL transcription; see 'vlocr ask --help' for model options). Left out, --lang picks it.",
        show_default=False,
    ),
    lang: str = typer.Option(
        None,
        "--lang",
        "-l",
        help="Languages on the page, comma-separated ISO codes (en, zh, zh-Hant, fr, de, ja, ko, ru, ...). The bundled models read Chinese, English and Latin-script languages; others (ja, ko, ru, ar, ...) go to Tesseract, whose Debian pack must be installed.",
    ),
    force_ocr: bool = typer.Option(
        False,
        "--force-ocr",
        help="OCR digital PDF pages too (by default a page with its own text layer is read from it).",
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
    other files are still read; the exit code is 2 if any input failed. Pass - to read an image
    from stdin. Digital PDF pages are read from their own text layer unless --force-ocr.
    """
    _check_output(output, output_format)
    if engine == "vlm":
        _read_with_vlm(images, output_format, model, region)
        return
    from vlocr import service
    from vlocr.io import load_pages
    from vlocr.ocr.languages import choose_engine, parse_langs
    from vlocr.service.reading import ocr_page_with_image, parse_region

    try:
        region_box = parse_region(region)
        choice = choose_engine(parse_langs(lang), engine)
    except VlocrError as err:
        fail(err)
    sources = [_stdin_bytes() if path == STDIN else path for path in images]
    want_images = (
        annotate is not None or save_preprocessed is not None or output_format is OutputFormat.pdf
    )
    from vlocr.results import ReadResult

    result = ReadResult()
    page_images: list[tuple[object, object, float]] = []
    if not want_images:
        result = service.read(
            sources,
            engine=engine,
            lang=lang,
            preprocess=preprocess,
            region=region_box,
            pdf_dpi=pdf_dpi,
            on_page=_report_page_error,
            force_ocr=force_ocr,
        )
        _label_stdin(result, images)
    else:
        for path, source in zip(images, sources, strict=True):
            label = "<stdin>" if path == STDIN else str(path)
            try:
                pages = load_pages(source, label=label, pdf_dpi=pdf_dpi)
            except VlocrError as err:
                r = service.reading._error_page(label, err)
                _report_page_error(r)
                result.pages.append(r)
                continue
            for page in pages:
                try:
                    page_result, seen = ocr_page_with_image(
                        page,
                        engine=choice.engine,
                        engine_options=choice.options,
                        preprocess=preprocess,
                        region=region_box,
                        force_ocr=force_ocr,
                    )
                except VlocrError as err:
                    fail(err)
                result.pages.append(page_result)
                page_images.append(
                    (page.image, page_result, pdf_dpi if page.format == "pdf" else 0)
                )
                _save_images(
                    page, page_result, seen, annotate, save_preprocessed, len(result.pages)
                )
    _emit(result, output_format, output, page_images)
    if not result.ok:
        raise typer.Exit(EXIT_INPUT_ERROR)


def _check_output(output: Path | None, output_format: OutputFormat) -> None:
    """Refuse an unwritable output, or binary PDF on a terminal, before any work is done."""
    from vlocr.errors import InvalidOptionError

    if output is not None and not output.parent.is_dir():
        fail(
            InvalidOptionError(
                f"cannot write {output}: no folder {output.parent}", "create it first"
            )
        )
    if output is None and output_format is OutputFormat.pdf and sys.stdout.isatty():
        fail(
            InvalidOptionError(
                "a PDF is binary and stdout is a terminal",
                "pass --output out.pdf or redirect stdout",
            )
        )


def _stdin_bytes() -> bytes:
    return sys.stdin.buffer.read()


def _label_stdin(result, images: list[Path]) -> None:  # type: ignore[no-untyped-def]
    """Pages read from stdin say so instead of carrying a generic input label."""
    if STDIN not in images:
        return
    labels = {f"<input {i + 1}>" for i, path in enumerate(images) if path == STDIN}
    for page in result.pages:
        if page.source in labels:
            page.source = "<stdin>"
            if page.error is not None:
                page.error.source = "<stdin>"


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


def _emit(result, output_format: OutputFormat, output: Path | None, page_images) -> None:  # type: ignore[no-untyped-def]
    """Render ``result`` in ``output_format`` to ``output`` or stdout."""
    if output_format is OutputFormat.pdf:
        from vlocr.export.searchable_pdf import DEFAULT_IMAGE_DPI, to_searchable_pdf

        data = to_searchable_pdf(
            [(image, page) for image, page, _ in page_images],
            dpi=[dpi or DEFAULT_IMAGE_DPI for _, _, dpi in page_images],
        )
        if output is not None:
            output.write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        return
    text = _render(result, output_format)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    elif text:
        sys.stdout.write(text)


def _render(result, output_format: OutputFormat) -> str:  # type: ignore[no-untyped-def]
    from vlocr import render

    if output_format is OutputFormat.json:
        payload = result.pages[0] if len(result.pages) == 1 else result
        return payload.model_dump_json(indent=2) + "\n"
    if output_format is OutputFormat.markdown:
        return render.to_markdown(result)
    if output_format is OutputFormat.hocr:
        from vlocr.export.hocr import to_hocr

        return to_hocr(result)
    if output_format is OutputFormat.alto:
        from vlocr.export.alto import to_alto

        return to_alto(result)
    text = render.to_text(result)
    return text + "\n" if text else ""


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
