"""``vlocr pdf``: a searchable PDF from scans, photos or PDFs, the OCRmyPDF way.

``vlocr pdf in.pdf out.pdf`` keeps the PDF's pages (vector text, fonts, metadata) and adds an
invisible text layer only where a page has no text of its own (or over the pictures of a page
that has both); ``vlocr pdf scan.png out.pdf`` embeds the image as it came with the text layer
over it. ``vlocr read X --format pdf -o out.pdf`` writes the same file through
:func:`write_searchable_pdf`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import typer

from vlocr.cli.common import EXIT_INPUT_ERROR, fail, output_written
from vlocr.errors import InvalidOptionError, VlocrError

STDIO = Path("-")


def write_searchable_pdf(
    sources: Sequence[Path | bytes],
    result,  # type: ignore[no-untyped-def]
    output: Path | None,
    *,
    pdf_dpi: int,
    force_ocr: bool,
    pdfa: bool = False,
) -> None:
    """Build the searchable PDF of ``sources`` from their read ``result`` and write it to
    ``output`` (stdout when None or ``-``)."""
    from vlocr.export.searchable_pdf import searchable_pdf

    data = searchable_pdf(sources, result, pdf_dpi=pdf_dpi, force_ocr=force_ocr, pdfa=pdfa)
    if output is None or output == STDIO:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)


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
    from vlocr.config import get_settings
    from vlocr.service.reading import check_options

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
        if lang:
            from vlocr.ocr.languages import choose_engine, parse_langs

            engine = choose_engine(parse_langs(lang), engine).engine
        engine = engine or get_settings().ocr_engine
        check_options(engine, preprocess)
        from vlocr.cli.read_command import OutputFormat

        _check_output(None if output == STDIO else output, OutputFormat.pdf, engine)
    except VlocrError as err:
        fail(err)
    sources: list[Path | bytes] = [
        sys.stdin.buffer.read() if path == STDIO else path for path in inputs
    ]
    dpi = pdf_dpi or get_settings().io.pdf_dpi
    result = service.read(
        sources,
        engine=engine,
        lang=lang,
        preprocess=preprocess,
        pdf_dpi=dpi,
        on_page=_report_page,
        force_ocr=force_ocr,
    )
    try:
        write_searchable_pdf(sources, result, output, pdf_dpi=dpi, force_ocr=force_ocr, pdfa=pdfa)
    except VlocrError as err:
        fail(err)
    output_written()
    if not result.ok:
        raise typer.Exit(EXIT_INPUT_ERROR)


def register(app: typer.Typer) -> None:
    app.command("pdf")(pdf)
