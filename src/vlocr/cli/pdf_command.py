"""``vlocr pdf``: a searchable PDF from scans, photos or PDFs, the OCRmyPDF way.

``vlocr pdf in.pdf out.pdf`` keeps the PDF's pages (vector text, fonts, metadata) and adds an
invisible text layer only where a page has no text of its own (or over the pictures of a page
that has both); ``vlocr pdf scan.png out.pdf`` embeds the image as it came with the text layer
over it. ``vlocr read X --format pdf -o out.pdf`` writes the same file through
:func:`vlocr.service.output.render`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from vlocr.cli.common import EXIT_INPUT_ERROR, fail, output_written
from vlocr.errors import InvalidOptionError, VlocrError

STDIO = Path("-")


def pdf(
    paths: list[Path] = typer.Argument(
        ...,
        metavar="INPUT... OUTPUT",
        help="One or more images or PDFs, then the PDF to write (- for stdin / stdout).",
        show_default=False,
    ),
    force_ocr: bool = typer.Option(
        False,
        "--force-ocr",
        help="Rasterise every PDF page and OCR it, replacing its vector content and text with the "
        "page image plus an invisible text layer (as OCRmyPDF --force-ocr).",
    ),
    skip_text: bool = typer.Option(
        False,
        "--skip-text",
        help="Leave pages that already have text as they are (the default here; OCRmyPDF "
        "refuses such pages unless told). Pictures on them are still OCRed.",
    ),
    lang: str = typer.Option(
        None,
        "--lang",
        "-l",
        help="Languages on the pages, comma-separated ISO codes (en, zh, fr, ja, ko, ...), as "
        "for vlocr read.",
    ),
    engine: str = typer.Option(
        None,
        "--engine",
        "-e",
        help="OCR engine: rapidocr (default), rapidocr-v6, rapidocr-v4 or tesseract.",
        show_default=False,
    ),
    preprocess: str = typer.Option(
        "auto",
        "--preprocess",
        "-p",
        help="Preprocessing before OCR (the page images in the PDF stay as they came): none, "
        "seed, auto, or a comma list of steps.",
    ),
    pdfa: bool = typer.Option(
        False,
        "--pdfa",
        help="Write PDF/A-2b (archival), validated by pikepdf as it is written; an input that "
        "cannot conform (e.g. a PDF with fonts that are not embedded) is refused.",
    ),
    pdf_dpi: int = typer.Option(
        None,
        "--pdf-dpi",
        min=36,
        max=600,
        help="Resolution PDF pages are rendered at for OCR (and rasterised at with --force-ocr; "
        "default: VLOCR_IO__PDF_DPI, 200).",
        show_default=False,
    ),
) -> None:
    """Make a searchable PDF: the inputs' pages with an invisible, selectable text layer.

    Images are embedded without re-encoding (a JPEG byte for byte, a PNG's data as is, a
    black-and-white scan as 1-bit) and sized by their DPI (300 when they carry none). PDF pages
    keep their content and metadata; only pages without text (and pictures on pages with text)
    are OCRed. The exit code is 2 if any input failed; the others are still written.
    """
    from vlocr import service
    from vlocr.cli.read_command import _check_output, _report_page
    from vlocr.service.output import render
    from vlocr.service.requests import OutputFormat, ReadRequest

    try:
        if len(paths) < 2:
            raise InvalidOptionError(
                "vlocr pdf needs an input and an output", "e.g. vlocr pdf scan.png out.pdf"
            )
        *inputs, output = paths
        if force_ocr and skip_text:
            raise InvalidOptionError(
                "--force-ocr and --skip-text contradict each other", "pass one of them"
            )
        request = ReadRequest(
            engine=engine,
            lang=lang,
            preprocess=preprocess,
            force_ocr=force_ocr,
            pdf_dpi=pdf_dpi,
            format=OutputFormat.pdf,
        )
        plan = request.plan()
        _check_output(None if output == STDIO else output, OutputFormat.pdf, plan.engine)
    except VlocrError as err:
        fail(err)
    sources: list[Path | bytes] = [
        sys.stdin.buffer.read() if path == STDIO else path for path in inputs
    ]
    result = service.read(sources, request=request, on_page=_report_page)
    try:
        data = render(
            result, OutputFormat.pdf, sources, pdf_dpi=plan.pdf_dpi, force_ocr=force_ocr, pdfa=pdfa
        )
    except VlocrError as err:
        fail(err)
    if output == STDIO:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
    output_written()
    if not result.ok:
        raise typer.Exit(EXIT_INPUT_ERROR)


def register(app: typer.Typer) -> None:
    app.command("pdf")(pdf)
