"""Fixtures shared by every test folder: rendered text images, made here, never downloaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def render_lines(
    lines: list[str], *, size: int = 28, width: int = 760, pad: int = 24, gap: int = 22
) -> np.ndarray:
    """A white page with each string on its own line, in DejaVu Sans; RGB uint8."""
    font = ImageFont.truetype(DEJAVU, size)
    height = pad * 2 + len(lines) * (size + gap)
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((pad, pad + i * (size + gap)), text, font=font, fill="black")
    return np.asarray(img)


@pytest.fixture(scope="session")
def text_lines() -> list[str]:
    return ["GROCERY MART", "Fresh Milk 2L 6.50", "TOTAL 16.50"]


@pytest.fixture(scope="session")
def text_png(tmp_path_factory: pytest.TempPathFactory, text_lines: list[str]) -> Path:
    path = tmp_path_factory.mktemp("img") / "lines.png"
    Image.fromarray(render_lines(text_lines)).save(path)
    return path


PDF_TYPED = ["INVOICE 42", "Paid by card"]
PDF_SCANNED = ["TOTAL 16.50"]


def two_page_pdf() -> bytes:
    """A small PDF: page 1 typed text (a text layer), page 2 only a picture of text (a scan)."""
    import io

    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(300, 120))
    canvas.setFont("Helvetica", 16)
    for i, line in enumerate(PDF_TYPED):
        canvas.drawString(20, 80 - 30 * i, line)
    canvas.showPage()
    png = io.BytesIO()
    Image.fromarray(render_lines(PDF_SCANNED, size=40, width=600)).save(png, format="PNG")
    png.seek(0)
    canvas.drawImage(ImageReader(png), 0, 120 - 46, width=300, height=46)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.fixture(scope="session")
def pdf_two_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "two-pages.pdf"
    path.write_bytes(two_page_pdf())
    return path
