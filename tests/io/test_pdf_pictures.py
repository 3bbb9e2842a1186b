"""Hybrid PDF pages: a digital page with typed text *and* a pasted receipt photo is read from its
text layer plus OCR of the photo, the lines merged in reading order and marked by source."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

import vlocr
from vlocr.io import load_pages

RECEIPT = Path(__file__).resolve().parents[2] / "examples/receipt.jpg"
ABOVE, BELOW = "Expense report for March", "Approved by the finance team"


def _canvas() -> tuple[io.BytesIO, Canvas]:
    buffer = io.BytesIO()
    return buffer, Canvas(buffer, pagesize=(595, 842))


@pytest.fixture(scope="module")
def hybrid_pdf() -> bytes:
    """Typed lines above and below a receipt photo pasted in the middle of the page; a tiny icon
    (too small to hold text) beside the heading."""
    buffer, canvas = _canvas()
    canvas.setFont("Helvetica", 14)
    canvas.drawString(72, 780, ABOVE)
    icon = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(icon, format="PNG")
    canvas.drawImage(ImageReader(io.BytesIO(icon.getvalue())), 400, 776, width=12, height=12)
    width, height = Image.open(RECEIPT).size
    canvas.drawImage(str(RECEIPT), 72, 110, width=300, height=300 * height / width * 0.95)
    canvas.drawString(72, 80, BELOW)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_the_renderer_reports_where_the_pictures_lie(hybrid_pdf: bytes) -> None:
    page = load_pages(hybrid_pdf, pdf_dpi=100)[0]
    assert page.text_lines is not None  # a digital page
    (box,) = page.pictures  # the receipt, not the 12 pt icon
    x0, y0, x1, y1 = box
    # 100 dpi: the photo starts 1 inch in and is 300 pt wide.
    assert abs(x0 - 100) <= 2 and abs(x1 - x0 - 300 * 100 / 72) <= 2
    assert y0 > page.text_lines[0].bbox[3] and y1 < page.text_lines[-1].bbox[1]


def test_a_typed_page_without_pictures_reports_none() -> None:
    buffer, canvas = _canvas()
    canvas.drawString(72, 780, ABOVE)
    canvas.showPage()
    canvas.save()
    assert load_pages(buffer.getvalue(), pdf_dpi=100)[0].pictures == []


def test_the_photo_is_ocred_and_merged_in_reading_order(hybrid_pdf: bytes) -> None:
    page = vlocr.read(hybrid_pdf, pdf_dpi=150).pages[0]
    sources = [ln.engine for ln in page.lines]
    assert sources[0] == "pdf-text" and sources[-1] == "pdf-text"
    assert page.lines[0].text == ABOVE and page.lines[-1].text == BELOW
    ocr = [ln for ln in page.lines if ln.engine != "pdf-text"]
    assert len(ocr) >= 20  # the receipt's lines, not just the 2 typed ones
    assert {ln.engine for ln in ocr} == {"rapidocr"}
    assert page.engine == "pdf-text+rapidocr"
    assert "GREENLEAF MARKET" in page.text and "TOTAL" in page.text.upper()
    # The receipt's lines lie inside the photo, in its own top-to-bottom order.
    tops = [ln.bbox[1] for ln in ocr]
    assert tops[0] == min(tops)


def test_force_ocr_still_reads_the_whole_page(hybrid_pdf: bytes) -> None:
    page = vlocr.read(hybrid_pdf, pdf_dpi=100, force_ocr=True).pages[0]
    assert page.engine == "rapidocr"
    assert all(ln.engine in (None, "rapidocr") for ln in page.lines)
