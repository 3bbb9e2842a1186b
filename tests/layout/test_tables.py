"""Tables from the page: a receipt's item rows, ruled grids with merged cells, unruled columns;
running text and a two-column article are never tables. Pages are drawn here with PIL, and the
OCR lines are where the text was drawn (one real OCR run checks the receipt end to end)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from vlocr.layout.tables import annotate_tables, find_tables
from vlocr.results import OcrLine, PageResult, Table

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


class Sheet:
    """A white page to draw text and rules on; every text drawn is one OCR line."""

    def __init__(self, width: int, height: int, size: int = 22, font: str = DEJAVU) -> None:
        self.image = Image.new("RGB", (width, height), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.font = ImageFont.truetype(font, size)
        self.lines: list[OcrLine] = []

    def text(self, text: str, x: float, y: float, right: bool = False) -> None:
        if right:  # x is the right edge, as receipts print amounts
            x -= self.draw.textlength(text, font=self.font)
        self.draw.text((x, y), text, font=self.font, fill="black")
        x0, y0, x1, y1 = self.draw.textbbox((x, y), text, font=self.font)
        box = [(x0 - 2, y0 - 2), (x1 + 2, y0 - 2), (x1 + 2, y1 + 2), (x0 - 2, y1 + 2)]
        self.lines.append(OcrLine(text=text, box=box, confidence=0.99))

    def rule(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.draw.line([(x0, y0), (x1, y1)], fill="black", width=2)

    @property
    def array(self) -> np.ndarray:
        return np.asarray(self.image)

    def index(self, text: str) -> int:
        return next(i for i, ln in enumerate(self.lines) if ln.text == text)


def receipt() -> Sheet:
    sheet = Sheet(520, 560)
    sheet.text("CORNER BAKERY", 160, 20)
    sheet.text("12 High Street, Springfield", 90, 55)
    sheet.text("Date: 03/04/2025  10:12", 30, 100)
    y = 150
    for name, price in [
        ("Sourdough Bread", "3.49"),
        ("Butter Croissant", "2.10"),
        ("Oat Milk 1L", "1.95"),
    ]:
        sheet.text(name, 30, y)
        sheet.text(price, 480, y, right=True)
        y += 40
    sheet.text("Flat White", 30, y)
    sheet.text("7.00", 480, y, right=True)
    sheet.text("2 x 3.50", 60, y + 32)
    y += 90
    for label, amount in [("SUBTOTAL", "14.54"), ("TOTAL", "14.54"), ("CASH", "20.00")]:
        sheet.text(label, 30, y)
        sheet.text(amount, 480, y, right=True)
        y += 40
    sheet.text("Thank you for shopping with us", 70, y + 20)
    return sheet


def _rows(table: Table) -> list[list[str]]:
    return [[c.text for c in table.cells if c.row == r] for r in range(table.n_rows)]


def test_a_receipt_item_row_is_one_row_of_two_cells() -> None:
    sheet = receipt()
    tables = find_tables(sheet.lines, 520, 560, sheet.array)
    items = next(t for t in tables if t.kind == "items")
    rows = _rows(items)
    assert rows[0] == ["Sourdough Bread", "3.49"]
    assert rows[1] == ["Butter Croissant", "2.10"]
    first = [c for c in items.cells if c.row == 0]
    assert [c.lines for c in first] == [
        [sheet.index("Sourdough Bread")],
        [sheet.index("3.49")],
    ]
    # the "2 x 3.50" under Flat White is that row's quantity and unit price, not a new row
    assert items.n_rows == 4 and rows[3] == ["Flat White", "2", "3.50", "7.00"]
    # the summary is not an item; every line sits in one table at most
    assert not any("TOTAL" in c.text for c in items.cells)
    used = [i for t in tables for i in {i for c in t.cells for i in c.lines}]
    assert len(used) == len(set(used))


def test_a_rendered_receipt_read_by_ocr_keeps_its_rows() -> None:
    from vlocr.io.page import Page
    from vlocr.service.reading import ocr_page

    sheet = receipt()
    page = ocr_page(Page(image=sheet.array, source="receipt.png"), preprocess="none")
    annotate_tables(page, sheet.array)
    items = [t for t in page.tables if t.kind == "items"]
    assert items, [ln.text for ln in page.lines]
    rows = _rows(items[0])
    assert any(r[0].startswith("Sourdough") and r[-1] == "3.49" for r in rows), rows


def test_a_ruled_table_keeps_its_merged_header_cell() -> None:
    sheet = Sheet(700, 260)
    xs, ys = [40, 240, 440, 640], [40, 90, 140, 190]
    for y in ys:
        sheet.rule(xs[0], y, xs[-1], y)
    for x in xs:  # no rule between the two "Sales" columns in the header row
        sheet.rule(x, ys[0] if x != xs[2] else ys[1], x, ys[-1])
    sheet.text("Region", 50, 52)
    sheet.text("Sales | 2023", 300, 52)
    for r, (region, a, b) in enumerate([("North", "12.5", "13.1"), ("South", "9.0", "8.7")]):
        y = ys[r + 1] + 12
        sheet.text(region, 50, y)
        sheet.text(a, 250, y)
        sheet.text(b, 450, y)
    tables = find_tables(sheet.lines, 700, 260, sheet.array)
    assert [t.kind for t in tables] == ["ruled"]
    table = tables[0]
    assert (table.n_rows, table.n_cols, table.header_rows) == (3, 3, 1)
    head = [c for c in table.cells if c.row == 0]
    assert [(c.text, c.col, c.col_span) for c in head] == [("Region", 0, 1), ("Sales | 2023", 1, 2)]
    cell = next(c for c in table.cells if (c.row, c.col) == (2, 2))
    assert cell.text == "8.7" and cell.lines == [sheet.index("8.7")]
    # without the image there are no rules to see: the same lines are not a ruled table
    assert all(t.kind != "ruled" for t in find_tables(sheet.lines, 700, 260))


def test_an_unruled_table_gets_its_columns_and_header() -> None:
    sheet = Sheet(760, 320)
    sheet.text("Quarterly figures", 40, 20)
    cols = [40, 300, 480, 640]
    rows = [
        ("Region", "Q1", "Q2", "Change"),
        ("North", "1,204", "1,310", "+8%"),
        ("South", "988", "1,002", "+1%"),
        ("East", "1,530", "1,497", "-2%"),
    ]
    for r, row in enumerate(rows):
        for x, text in zip(cols, row, strict=True):
            sheet.text(text, x, 70 + 45 * r)
    tables = find_tables(sheet.lines, 760, 320, sheet.array)
    assert len(tables) == 1
    table = tables[0]
    assert (table.kind, table.n_rows, table.n_cols, table.header_rows) == ("unruled", 4, 4, 1)
    assert _rows(table)[2] == ["South", "988", "1,002", "+1%"]
    assert all("Quarterly" not in c.text for c in table.cells)


PARAGRAPH = [
    "The committee met on Tuesday to discuss the budget for",
    "the coming year. Several members asked for more detail",
    "on the costs of the new library, which rose by a third",
    "since the plan was first approved in the spring session.",
    "A vote is expected at the next meeting in two weeks.",
]


def test_a_paragraph_and_a_two_column_article_are_not_tables() -> None:
    sheet = Sheet(1400, 400, size=20)
    for i, text in enumerate(PARAGRAPH):
        sheet.text(text, 40, 30 + 32 * i)
    assert find_tables(sheet.lines, 1400, 400, sheet.array) == []
    # a notice framed by a box, with a rule under its first line, is no grid either
    for x0, y0, x1, y1 in [(20, 15, 900, 15), (20, 200, 900, 200), (20, 15, 20, 200)]:
        sheet.rule(x0, y0, x1, y1)
    sheet.rule(900, 15, 900, 200)
    sheet.rule(20, 60, 900, 60)
    assert find_tables(sheet.lines, 1400, 400, sheet.array) == []
    two = Sheet(1400, 400, size=20)
    for i, text in enumerate(PARAGRAPH):  # the same text set in two columns side by side
        two.text(text, 40, 30 + 32 * i)
        two.text(PARAGRAPH[-1 - i], 720, 30 + 32 * i)
    assert find_tables(two.lines, 1400, 400, two.array) == []


def test_narrow_newspaper_columns_of_few_words_a_line_are_not_a_table() -> None:
    # rows of the layout bench's synthetic two-column page (seed 1): three to five words a
    # line (under PROSE_WORDS), but the lines run on from one to the next
    left = [
        "new bridge across.",
        "Bicycles farmers market",
        "prices rose. Its opening",
        "hours during exams. Steel",
    ]
    right = [
        "near the.",
        "A school near the park will",
        "get a. Harvest of apples and",
        "potatoes in the.",
    ]
    sheet = Sheet(700, 260, size=20)
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        sheet.text(a, 40, 30 + 32 * i)
        sheet.text(b, 340, 30 + 32 * i)
    assert find_tables(sheet.lines, 700, 260, sheet.array) == []


def test_a_text_column_beside_short_pieces_is_not_a_table() -> None:
    # a column of running text level with a sidebar's short entries: one column runs on
    sheet = Sheet(1000, 260, size=20)
    side = ["Weather 2", "Sport 12", "Letters 14", "Puzzles 18"]
    for i, (text, entry) in enumerate(zip(PARAGRAPH, side, strict=False)):
        sheet.text(text, 40, 30 + 32 * i)
        sheet.text(entry, 760, 30 + 32 * i)
    assert find_tables(sheet.lines, 1000, 260, sheet.array) == []


@pytest.mark.skipif(
    not __import__("pathlib").Path(CJK).exists(), reason="fonts-noto-cjk not installed"
)
def test_a_two_column_chinese_article_is_not_a_table() -> None:
    left = [
        "会议周二讨论了明年的预算安排",
        "多位委员要求说明新图书馆的费用",
        "费用比春季批准时增加了三分之一",
    ]
    right = [
        "下次会议预计在两周后进行表决",
        "市民可以在网站上查看全部文件",
        "委员会欢迎大家提出意见和建议",
    ]
    sheet = Sheet(1200, 300, size=24, font=CJK)
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        sheet.text(a, 40, 30 + 40 * i)
        sheet.text(b, 640, 30 + 40 * i)
    assert find_tables(sheet.lines, 1200, 300, sheet.array) == []


def test_annotate_tables_fills_the_page_result() -> None:
    sheet = receipt()
    page = PageResult(source="r.png", width=520, height=560, lines=sheet.lines)
    assert annotate_tables(page, None) is page
    assert [t.kind for t in page.tables][:1] == ["items"]
    assert PageResult.model_validate_json(page.model_dump_json()).tables == page.tables
