"""``vlocr read``: OCR of images and PDF pages."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from vlocr.cli.common import EXIT_INPUT_ERROR, fail, output_written, report_error
from vlocr.errors import InvalidOptionError, VlocrError
from vlocr.service.requests import OutputFormat

STDIN = Path("-")


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
        help='text: the recognised text; json: {"pages": [...]} with lines, boxes, confidences, tables, layout blocks, timings and preprocessing trace (the API\'s shape); markdown: the document (headings, paragraphs, lists, tables in reading order; page headers and numbers left out); lines: a Markdown table of the OCR lines with confidences, per page; hocr / alto: hOCR 1.2 or ALTO 4 XML with line and word boxes; pdf: a searchable PDF as `vlocr pdf` writes it (images embedded as they came, PDF pages kept, an invisible text layer where text was OCRed; needs --output or a redirected stdout).',
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
        help="OCR engine: rapidocr (default, offline), rapidocr-v6, rapidocr-v4, tesseract, or vlm (Qwen3-VL transcription: text without line boxes; --vlm/--model/--base-url pick the model). Left out with --lang, the language picks it.",
        show_default=False,
    ),
    lang: str = typer.Option(
        None,
        "--lang",
        "-l",
        help="Languages on the page, comma-separated ISO codes (en, zh, zh-Hant, fr, de, ja, ko, ru, ...; several at once: ko,en or zh,ja). The engine is the first whose declared languages cover them all: the bundled models read Chinese, English and Latin-script languages; others (ja, ko, ru, ar, ...) go to Tesseract, whose Debian pack must be installed. zh, ja and ko also read the Latin text their documents carry (ko = Tesseract kor+eng). See docs/languages.md.",
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
    page: int = typer.Option(
        None,
        "--page",
        min=1,
        max=10000,
        help="Read only this page of a PDF/TIFF (1-based); a PDF renders that page alone.",
        show_default=False,
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
    Pass - to read an image from stdin. Digital PDF pages are read from their own text layer
    unless --force-ocr.
    """
    from vlocr import service
    from vlocr.service.requests import ReadRequest

    try:
        if engine == "vlm":  # said in the CLI's words before the request says it in its own
            _check_output(output, output_format, engine)
            for path, option in (
                (annotate, "--annotate"),
                (save_preprocessed, "--save-preprocessed"),
            ):
                if path is not None:
                    raise InvalidOptionError(
                        f"{option} needs line boxes; --engine vlm returns text only",
                        "drop the option, or read with an OCR engine (e.g. --engine rapidocr)",
                    )
        request = ReadRequest(
            engine=engine,
            lang=lang,
            preprocess=preprocess,
            region=region,
            force_ocr=force_ocr,
            pdf_dpi=pdf_dpi,
            page=page,
            format=output_format,
            return_annotated=annotate is not None,
            return_preprocessed=save_preprocessed is not None,
        )
        plan = request.plan()
        _check_output(output, output_format, plan.engine)
        for path, option in ((annotate, "--annotate"), (save_preprocessed, "--save-preprocessed")):
            if path is not None:
                check_output_path(path, option)
        vlm_options = _vlm_options(plan.engine, vlm, model, base_url, api_key)
    except VlocrError as err:
        fail(err)

    saver = _ImageSaver(annotate, save_preprocessed)
    sources = [sys.stdin.buffer.read() if path == STDIN else path for path in images]
    result = service.read(
        sources,
        request=request,
        vlm=vlm_options,
        on_page=_report_page,
        on_image=saver if saver.wanted else None,
    )
    _label_stdin(result, images)
    _emit(result, output_format, output, sources, plan.pdf_dpi, request.force_ocr)
    output_written()
    if not result.ok or saver.failed:
        raise typer.Exit(EXIT_INPUT_ERROR)


def _check_output(output: Path | None, output_format: OutputFormat, engine: str) -> None:
    """Refuse an unwritable output, or binary PDF on a terminal, before any work is done."""
    if (
        output_format in (OutputFormat.pdf, OutputFormat.hocr, OutputFormat.alto)
        and engine == "vlm"
    ):
        raise InvalidOptionError(
            f"--format {output_format.value} needs line boxes; --engine vlm returns text only",
            "read with an OCR engine (e.g. --engine rapidocr)",
        )
    if output is not None:
        parent = output.parent if str(output.parent) else Path(".")
        if not parent.is_dir() or output.is_dir():
            raise InvalidOptionError(
                f"cannot write {output}: no folder {parent}", "create it first"
            )
        if not os.access(parent, os.W_OK):
            raise InvalidOptionError(
                f"cannot write {output}: {parent} is not writable", "pick another path"
            )
    elif output_format is OutputFormat.pdf and sys.stdout.isatty():
        raise InvalidOptionError(
            "a PDF is binary and stdout is a terminal", "pass --output out.pdf or redirect stdout"
        )


def _label_stdin(result, images: list[Path]) -> None:  # type: ignore[no-untyped-def]
    """Pages read from stdin say so instead of carrying a generic input label."""
    labels = {f"<input {i + 1}>" for i, path in enumerate(images) if path == STDIN}
    for page in result.pages:
        if page.source in labels:
            page.source = "<stdin>"
            if page.error is not None:
                page.error.source = "<stdin>"


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

    @property
    def wanted(self) -> bool:
        return self.annotate is not None or self.save_preprocessed is not None

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


def _emit(
    result, output_format: OutputFormat, output: Path | None, sources, pdf_dpi: int, force_ocr: bool
) -> None:  # type: ignore[no-untyped-def]
    """Render ``result`` in ``output_format`` to ``output`` or stdout (the bytes REST answers;
    a PDF is the file `vlocr pdf` writes)."""
    from vlocr.service.output import render

    try:
        data = render(result, output_format, sources, pdf_dpi=pdf_dpi, force_ocr=force_ocr)
    except VlocrError as err:
        fail(err)
    if output is not None:
        output.write_bytes(data)
    elif data:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
