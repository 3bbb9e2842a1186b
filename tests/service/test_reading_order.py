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


# the same page in Chinese: four parts of six lines, 24 characters a line
PARTS_ZH = {
    "north": [
        "北风周日把第一场雪带到了山谷里的农场，校车",
        "在桥头折返，早上的课程只好推迟到了中午以后",
        "才开始。市政府要求司机在道路清理完毕之前尽",
        "量留在家中，两台扫雪机从凌晨一直工作到傍晚",
        "才把主要道路清理出来。山谷公路上的公交车今",
        "天将恢复运行，学校也会按照平时的时间上课。",
    ],
    "east": [
        "河东一带停电将近一个小时，面包店在卖面包的",
        "同时也卖起了蜡烛，抢修人员沿着结冰的树篱一",
        "路检查线路。到了傍晚，每户人家都重新亮起了",
        "灯，集市广场也撒好了防滑沙，准备周一开市。",
        "广场上的商店今天推迟一个小时开门营业，店主",
        "们说这样可以让店员在路面安全后再出门上班。",
    ],
    "south": [
        "朝南的山坡到中午积雪就化了，太阳出来以后孩",
        "子们在公共草地上滑雪橇，一直玩到天色早早暗",
        "下来。农民说融化的雪水会帮助那些自八月底以",
        "来一直等待降雨的干旱田地，今年的收成也许会",
        "比去年好一些。羊群已经被赶到了地势较低的草",
        "场上，牧民们说那里的草还够吃上两个星期左右。",
    ],
    "west": [
        "镇西的采石场公路仍然封闭，货车在路边停车区",
        "等待撒沙车到达山坡，撒沙车在四点过后不久才",
        "赶到。天气预报说明天天气会转暖，沿海地区的",
        "小雨将逐渐向内陆扩展，山谷里的积雪会在周末",
        "之前全部融化。撒沙车周二黎明之前还会再出动",
        "一次，确保早上上学和上班的道路都能安全通行。",
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


@pytest.mark.skipif(not Path(CJK).exists(), reason="fonts-noto-cjk not installed")
def test_a_chinese_page_reads_the_columns_above_the_chart_then_below_it() -> None:
    page = vlocr.read(_page(PARTS_ZH, CJK, 22)).pages[0]
    starts = _positions(page.text, ["北风周日", "河东一带", "朝南的山", "镇西的采"])
    assert -1 not in starts and starts == sorted(starts), page.text


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


def _report_page() -> np.ndarray:
    """A one-column report: a paragraph, a table of figures set in columns, a paragraph."""
    image = Image.new("RGB", (1200, 1000), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(SERIF, 22)
    y = 60
    for row in PARTS["north"]:
        draw.text((80, y), row, font=font, fill="black")
        y += 36
    y += 30
    for cells in [
        ("District", "Roads", "Ploughs"),
        ("Upper valley", "14", "2"),
        ("Lower valley", "9", "1"),
        ("Quarry hill", "5", "1"),
    ]:
        for x, cell in zip((80, 520, 820), cells, strict=True):
            draw.text((x, y), cell, font=font, fill="black")
        y += 40
    y += 30
    for row in PARTS["south"]:
        draw.text((80, y), row, font=font, fill="black")
        y += 36
    return np.asarray(image)


def test_a_table_between_paragraphs_reads_in_place_row_by_row() -> None:
    page = vlocr.read(_report_page()).pages[0]
    rows = page.text.splitlines()
    assert "Upper valley 14 2" in rows and "Lower valley 9 1" in rows
    order = _positions(
        page.text, ["Northwind", "DistrictRoads", "Upper", "Lower", "Quarry", "South"]
    )
    assert -1 not in order and order == sorted(order), page.text
