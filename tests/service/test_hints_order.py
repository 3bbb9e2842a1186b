"""The VLM's OCR hints list the rows in the page's layout reading order (as ``page.text``): a
chart across two columns cuts them, so the part above it is read before the part below."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from vlocr.results import OcrLine
from vlocr.service.task_page import ocr_hints

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def _article() -> tuple[list[OcrLine], np.ndarray]:
    image = Image.new("RGB", (1400, 1300), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(SERIF, 22)
    lines: list[OcrLine] = []

    def text(x: int, y: int, s: str) -> None:
        draw.text((x, y), s, font=font, fill="black")
        x0, y0, x1, y1 = draw.textbbox((x, y), s, font=font)
        box = [(x0 - 2, y0 - 2), (x1 + 2, y0 - 2), (x1 + 2, y1 + 2), (x0 - 2, y1 + 2)]
        lines.append(OcrLine(text=s, box=box, confidence=0.99))

    for part, (x, y0) in {
        "North": (80, 80),
        "East": (720, 80),
        "South": (80, 820),
        "West": (720, 820),
    }.items():
        for k in range(6):
            text(x, y0 + 36 * k, _row(part, k))
    draw.rectangle((80, 330, 1320, 760), outline="black", width=3)
    for k in range(9):
        h = 60 + (k * 47) % 300
        draw.rectangle((160 + k * 125, 740 - h, 230 + k * 125, 740), fill=(90, 90, 90))
    return lines, np.asarray(image)


def _row(part: str, k: int) -> str:
    return f"{part} {k} of the valley news that runs on for a full column line"[:50].strip()


def test_hints_follow_the_layout_around_a_spanning_chart() -> None:
    lines, image = _article()
    rows = [r for r in ocr_hints(lines, image).splitlines() if r[:1] != "["]
    firsts = [rows.index(_row(part, 0)) for part in ("North", "East", "South", "West")]
    assert firsts == sorted(firsts), rows
    assert rows.index(_row("North", 5)) < firsts[1]  # the left column's part reads whole first
