"""Digital PDF pages are read from their own text layer; scans and --force-ocr go through OCR."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

import vlocr
from vlocr.io import load_pages

LINES = ["Invoice No. INV-2024-0042", "Total due: 1,234.50 EUR", "合计：人民币壹仟元整"]


@pytest.fixture(scope="module")
def digital_pdf() -> bytes:
    """Page 1 typed text (English + Chinese); page 2 only a picture of text with a page number."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595, 842))
    for i, line in enumerate(LINES):
        canvas.setFont("STSong-Light" if any(ord(c) > 255 for c in line) else "Helvetica", 16)
        canvas.drawString(72, 760 - 30 * i, line)
    canvas.showPage()
    from tests.conftest import render_lines

    picture = Image.fromarray(
        render_lines(["SCANNED LETTER", "Amount 77.00"], size=40, width=595 * 2)
    )
    png = io.BytesIO()
    picture.save(png, format="PNG")
    png.seek(0)
    # A scan: the picture fills the page (white below the two lines of text).
    full = Image.new("RGB", (595 * 2, 842 * 2), "white")
    full.paste(picture, (0, 0))
    png = io.BytesIO()
    full.save(png, format="PNG")
    png.seek(0)
    canvas.drawImage(ImageReader(png), 0, 0, width=595, height=842)
    canvas.setFont("Helvetica", 9)
    canvas.drawString(290, 30, "2")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_typed_page_reads_from_its_text_layer_exactly(digital_pdf: bytes) -> None:
    result = vlocr.read(digital_pdf, pdf_dpi=100)
    first = result.pages[0]
    assert first.engine == "pdf-text"
    assert first.text.splitlines() == LINES
    assert first.mean_confidence == 1.0
    # Boxes are in the pixels of the 100 dpi rendering: the first line starts 1 inch in.
    x0, y0, x1, y1 = first.lines[0].bbox
    assert abs(x0 - 100) < 3 and 0 < y0 < y1 < first.height / 4
    assert [w.text for w in first.lines[0].words] == ["Invoice", "No.", "INV-2024-0042"]


def test_a_scanned_page_with_a_page_number_is_ocred(digital_pdf: bytes) -> None:
    second = vlocr.read(digital_pdf, pdf_dpi=100).pages[1]
    assert second.engine != "pdf-text"
    assert "SCANNED LETTER" in second.text


def test_force_ocr_reads_typed_pages_with_the_engine(digital_pdf: bytes) -> None:
    first = vlocr.read(digital_pdf, pdf_dpi=100, force_ocr=True).pages[0]
    assert first.engine == "rapidocr"
    assert "INV-2024-0042" in first.text


def test_region_keeps_only_the_text_layer_lines_inside_it(digital_pdf: bytes) -> None:
    page = load_pages(digital_pdf, pdf_dpi=100)[0]
    box = page.text_lines[1].bbox
    region = (
        int(box[0]) - 5,
        int(box[1]) - 5,
        int(box[2] - box[0]) + 10,
        int(box[3] - box[1]) + 10,
    )
    result = vlocr.read(digital_pdf, pdf_dpi=100, region=region).pages[0]
    assert result.text == LINES[1]


def test_image_pages_have_no_text_layer() -> None:
    from tests.conftest import render_lines

    page = load_pages(render_lines(["HELLO"]))[0]
    assert page.text_lines is None
    assert isinstance(page.image, np.ndarray)
