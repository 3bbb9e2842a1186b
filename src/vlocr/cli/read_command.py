"""``vlocr read``: OCR of images and PDF pages."""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path

import typer

from vlocr.cli.common import EXIT_INPUT_ERROR, fail, report_error
from vlocr.errors import InvalidOptionError, VlocrError


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _numbered(path: Path, index: int) -> Path:
    return path if index == 1 else path.with_name(f"{path.stem}-{index}{path.suffix or '.png'}")


def check_output_path(path: Path, option: str) -> None:
    """Fail before any OCR runs when an image cannot be written at ``path``, so a typo never
    costs the text already read."""
    from PIL import Image

    Image.init()
    suffix = path.suffix.lower()
    if suffix and suffix not in Image.EXTENSION:
        raise InvalidOptionError(
            f"{option} {path}: '{suffix}' is not an image format",
            "use a .png (or .jpg) file name",
        )
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InvalidOptionError(
            f"{option} {path} is a directory", "give a file name, e.g. out.png"
        )
    if not parent.is_dir():
        raise InvalidOptionError(
            f"{option} {path}: folder '{parent}' does not exist",
            "create it first or pick another path",
        )
    if not os.access(parent, os.W_OK):
        raise InvalidOptionError(
            f"{option} {path}: folder '{parent}' is not writable", "pick a writable folder"
        )


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
        help='text: the recognised text; json: {"pages": [...]} with lines, boxes, confidences, timings and preprocessing trace (the API\'s shape); markdown: a table per page.',
    ),
    engine: str = typer.Option(
        None,
        "--engine",
        "-e",
        help="OCR engine: rapidocr (default, offline), rapidocr-v6, rapidocr-v4, tesseract, or vlm (Qwen3-VL transcription: text without line boxes; --vlm/--model/--base-url pick the model).",
        show_default=False,
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
        None,
        "--pdf-dpi",
        min=36,
        max=600,
        help="Resolution for rendering PDF pages (default: VLOCR_IO__PDF_DPI, 200).",
        show_default=False,
    ),
    vlm: str = typer.Option(
        None, "--vlm", help="With --engine vlm: transformers (local, default) or openai."
    ),
    model: str = typer.Option(
        None,
        "--model",
        help="With --engine vlm: hub id or local directory, or the server's model name.",
    ),
    base_url: str = typer.Option(
        None,
        "--base-url",
        help="With --engine vlm --vlm openai: the server root, e.g. http://127.0.0.1:8001/v1.",
    ),
    api_key: str = typer.Option(
        None,
        "--api-key",
        envvar="VLOCR_VLM__API_KEY",
        help="With --vlm openai: the server's Bearer key.",
    ),
) -> None:
    """Read the text in images and PDF pages, offline.

    Each page's result is labelled. Bad inputs are reported one line each on stderr while the
    other files are still read; the exit code is 2 if any input failed. Settings such as
    VLOCR_IO__MAX_PIXELS, VLOCR_IO__PDF_DPI and VLOCR_TESSERACT__LANG apply here as in the server.
    """
    from vlocr import service
    from vlocr.config import get_settings
    from vlocr.service.reading import VLM_ENGINE, check_options, parse_region

    engine = engine or get_settings().ocr_engine
    try:
        check_options(engine, preprocess)
        region_box = parse_region(region)
        for path, option in ((annotate, "--annotate"), (save_preprocessed, "--save-preprocessed")):
            if path is not None:
                if engine == VLM_ENGINE:
                    raise InvalidOptionError(
                        f"{option} needs line boxes; --engine vlm returns text only",
                        "drop the option, or read with an OCR engine (e.g. --engine rapidocr)",
                    )
                check_output_path(path, option)
        vlm_options = _vlm_options(engine, vlm, model, base_url, api_key)
    except VlocrError as err:
        fail(err)

    saver = _ImageSaver(annotate, save_preprocessed)
    want_images = annotate is not None or save_preprocessed is not None
    result = service.read(
        images,
        engine=engine,
        preprocess=preprocess,
        region=region_box,
        pdf_dpi=pdf_dpi,
        vlm=vlm_options,
        on_page=_report_page,
        on_image=saver if want_images else None,
    )
    _print(result, output_format)
    if not result.ok or saver.failed:
        raise typer.Exit(EXIT_INPUT_ERROR)


def _vlm_options(
    engine: str, vlm: str | None, model: str | None, base_url: str | None, api_key: str | None
):  # type: ignore[no-untyped-def]
    """The VLM options for ``--engine vlm``; the VLM flags mean nothing to an OCR engine."""
    from vlocr.service.reading import VLM_ENGINE

    given = [
        flag for flag, v in (("--vlm", vlm), ("--model", model), ("--base-url", base_url)) if v
    ]
    if engine != VLM_ENGINE:
        if given:
            raise InvalidOptionError(
                f"{', '.join(given)} only apply to --engine vlm",
                "add --engine vlm, or drop the option",
            )
        return None
    if vlm not in (None, "transformers", "openai"):
        raise InvalidOptionError(f"unknown VLM backend '{vlm}'", "use transformers or openai")
    from vlocr.cli.vlm_commands import Backend, vlm_options

    return vlm_options(Backend(vlm) if vlm else None, model, base_url, api_key, None, None)


class _ImageSaver:
    """Writes each page's annotated and preprocessed images (pages after the first get ``-N``);
    a write that fails is reported and the text is still printed."""

    def __init__(self, annotate: Path | None, save_preprocessed: Path | None) -> None:
        self.annotate, self.save_preprocessed = annotate, save_preprocessed
        self.count = 0
        self.failed = False

    def __call__(self, page, page_result, seen) -> None:  # type: ignore[no-untyped-def]
        from PIL import Image

        from vlocr import render

        self.count += 1
        try:
            if self.annotate is not None:
                drawn = render.annotate(page.image, page_result.lines)
                Image.fromarray(drawn).save(_numbered(self.annotate, self.count))
            if self.save_preprocessed is not None:
                Image.fromarray(seen).save(_numbered(self.save_preprocessed, self.count))
        except (OSError, ValueError) as exc:
            report_error(
                InvalidOptionError(f"could not write an image: {exc}", "check the output path")
            )
            self.failed = True


def _report_page(page) -> None:  # type: ignore[no-untyped-def]
    """One line on stderr for a page that failed, and a note for one that held no text (an empty
    stdout alone looks like a crash)."""
    if page.error is not None:
        hint = f" ({page.error.hint})" if page.error.hint else ""
        typer.echo(
            f"vlocr: error: {page.error.source or page.source}: {page.error.message}{hint}",
            err=True,
        )
    elif not page.text.strip():
        typer.echo(f"vlocr: note: {page.label}: no text found", err=True)


def _print(result, output_format: OutputFormat) -> None:  # type: ignore[no-untyped-def]
    from vlocr import render

    if output_format is OutputFormat.json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    elif output_format is OutputFormat.markdown:
        sys.stdout.write(render.to_markdown(result))
    else:
        text = render.to_text(result)
        if text:
            sys.stdout.write(text + "\n")
