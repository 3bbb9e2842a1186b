"""``vlocr.read`` text in the layout's reading order, through real OCR of rendered pages.

A two-column article with a chart across both columns in the middle: the columns' gutter runs
the page's full height (the chart holds no text), so the XY-cut of the lines alone reads each
column from the top of the page to the bottom, across the chart. The layout analysis sees the
chart and reads the part above it (left column, then right), the chart, then the part below.
The page's text, its lines and the hOCR / ALTO / Markdown exports must agree on that order, and
a receipt keeps each printed row on one line."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

import vlocr
from vlocr.export.alto import to_alto
from vlocr.export.hocr import to_hocr
from vlocr.export.markdown import page_document
from vlocr.results import ReadResult

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
RECEIPT = Path(__file__).resolve().parents[2] / "examples" / "receipt.jpg"

# four parts of the article, in reading order: above the chart left / right, below it left / right
PARTS = {
    "north": [
        "North wind brought the first snow to the valley",
        "farms on Sunday and the school bus turned back",
        "at the bridge before the morning lessons began.",
        "Drivers were asked to stay home until the roads",
        "had been cleared by the council's two ploughs.",
        "Buses will run again on the valley road today.",
    ],
    "east": [
        "East of the river the power failed for an hour",
        "and the bakery sold candles with its bread while",
        "the line crews worked along the frozen hedges.",
        "By evening every house had its lights back on",
        "and the market square was gritted for Monday.",
        "Shops in the square open an hour later today.",
    ],
    "south": [
        "South facing slopes lost their cover by noon as",
        "the sun came out, and children went sledging on",
        "the common until the light began to fade early.",
        "Farmers said the melt would help the dry fields",
        "that had waited for rain since late in August.",
        "Sheep were brought down to the lower meadows.",
    ],
    "west": [
        "West of town the quarry road stayed closed and",
        "lorries waited in the lay-by for the gritters to",
        "reach the hill, which they did shortly after four.",
        "The forecast promises milder weather tomorrow",
        "with light rain spreading in from the coast.",
        "Gritters will be out again before dawn on Tuesday.",
    ],
}


def _page(parts: dict[str, list[str]], font_path: str, size: int) -> np.ndarray:
    width, height = 1400, 1500
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(font_path, size)
    head = ImageFont.truetype(BOLD if font_path == SERIF else font_path, int(size * 1.8))
    draw.text((80, 50), "Winter Comes Early to the Valley", font=head, fill="black")
    step = int(size * 1.6)
    left, right = 80, 720
    (a, b), (c, d) = list(parts.values())[:2], list(parts.values())[2:]
    for x, rows in ((left, a), (right, b)):
        for k, row in enumerate(rows):
            draw.text((x, 160 + k * step), row, font=font, fill="black")
    # a chart across both columns: frame, axis and bars, no text
    top = 160 + 6 * step + 40
    draw.rectangle((80, top, 1320, top + 420), outline="black", width=3)
    for k in range(9):
        h = 60 + (k * 47) % 300
        draw.rectangle((160 + k * 125, top + 390 - h, 230 + k * 125, top + 390), fill=(90, 90, 90))
    below = top + 420 + 60
    for x, rows in ((left, c), (right, d)):
        for k, row in enumerate(rows):
            draw.text((x, below + k * step), row, font=font, fill="black")
    return np.asarray(image)


def _positions(text: str, keys: list[str]) -> list[int]:
    flat = re.sub(r"\s+", "", text)
    return [flat.find(key) for key in keys]


@pytest.fixture(scope="module")
def article() -> ReadResult:
    return vlocr.read(_page(PARTS, SERIF, 22))


def test_text_reads_the_columns_above_the_chart_then_below_it(article: ReadResult) -> None:
    page = article.pages[0]
    starts = _positions(page.text, ["Northwind", "Eastofthe", "Southfacing", "Westoftown"])
    assert -1 not in starts, page.text
    assert starts == sorted(starts), page.text
    # each column's part reads whole: its last line follows its first
    ends = _positions(
        page.text, ["valleyroadtoday", "hourlatertoday", "lowermeadows", "dawnonTuesday"]
    )
    assert all(s < e < n for s, e, n in zip(starts, ends, starts[1:] + [10**9], strict=True))


def test_text_lines_hocr_alto_and_markdown_agree_on_the_order(article: ReadResult) -> None:
    page = article.pages[0]
    keys = ["Northwind", "Eastofthe", "Southfacing", "Westoftown"]
    # page.lines are in the text's order
    assert re.sub(r"\s+", "", page.text) == "".join(
        re.sub(r"\s+", "", ln.text) for ln in page.lines
    )
    hocr = re.sub(r"<[^>]+>|\s+", "", to_hocr(article))
    alto = "".join(re.findall(r'CONTENT="([^"]*)"', to_alto(article))).replace(" ", "")
    md = re.sub(r"\s+", "", page_document(page))
    for out in (hocr, alto, md):
        found = _positions(out, keys)
        assert -1 not in found and found == sorted(found)
    # the blocks' line indexes point at the reordered lines, in order
    order = [i for block in page.blocks for i in block.lines]
    assert order == list(range(len(page.lines)))


def test_paragraphs_are_set_apart_by_a_blank_line(article: ReadResult) -> None:
    text = article.pages[0].text
    assert "\n\n" in text
    # a paragraph keeps its rows one a line
    assert any(line.startswith("North wind brought") for line in text.splitlines())


def test_receipt_rows_stay_single_lines() -> None:
    page = vlocr.read(RECEIPT).pages[0]
    rows = page.text.splitlines()
    assert "Sourdough Bread 3.49" in rows
    assert "TOTAL 39.54" in rows
    assert page.text.index("GREENLEAF") < page.text.index("Sourdough") < page.text.index("TOTAL")
