"""Read results to export: OCR of a rendered English page and a rendered Chinese/English page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from vlocr.io.page import Page
from vlocr.results import PageResult
from vlocr.service.reading import ocr_page

REPO = Path(__file__).resolve().parents[2]
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _page(lines: list[str], font_path: str, size: int = 30) -> np.ndarray:
    font = ImageFont.truetype(font_path, size)
    img = Image.new("RGB", (900, 60 + len(lines) * (size + 26)), "white")
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((30, 30 + i * (size + 26)), text, font=font, fill="black")
    return np.asarray(img)


@pytest.fixture(scope="session")
def read_pages() -> list[tuple[np.ndarray, PageResult]]:
    """Two OCRed pages: English with several words a line, and mixed Chinese/English."""
    english = _page(
        ["Invoice INV-2024-0042", "Total due 1,234.50 EUR", "Thank you & goodbye <3"],
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    )
    mixed = _page(["合计金额 壹仟元整", "Water Supply Notice 停水通知"], CJK_FONT)
    out = []
    for n, image in enumerate((english, mixed), 1):
        page = Page(image=image, source=f"page{n}.png")
        result = ocr_page(page, preprocess="none")
        assert result.lines, "the fixture pages must be readable"
        out.append((image, result))
    return out
