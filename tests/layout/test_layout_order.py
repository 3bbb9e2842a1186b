"""Layout regions and their reading order on a rendered two-column page: header, headline,
two columns of paragraphs, a framed chart with its caption in the right column, a page number.

The OCR lines are the drawn lines themselves (text and ink box), so the test checks the layout
step alone; ``vlocr bench --layout`` measures it behind real OCR."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from vlocr.export.markdown import page_document
from vlocr.layout.order import analyse_layout, join_lines
from vlocr.results import OcrLine, PageResult

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

LEFT = [
    "The river rose in the night and the old bridge",
    "was closed before dawn while the town slept.",
    "Shops along the quay moved their goods to the",
    "upper floors and waited for the water to fall.",
    "    By noon the council had opened the school hall",
    "for families from the lower streets and brought",
    "bread, blankets and lamps from the market.",
]
RIGHT = [
    "    Engineers will inspect the bridge on Monday",
    "and expect to open it again within a week if the",
    "stone piers show no damage from the current.",
    "    Traders asked for help with the cost of repairs",
    "and the mayor promised an answer this month.",
]


class _Drawer:
    def __init__(self, width: int, height: int) -> None:
        self.image = Image.new("RGB", (width, height), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.lines: list[OcrLine] = []

    def text(self, x: float, y: float, text: str, path: str, size: int) -> float:
        font = ImageFont.truetype(path, size)
        lead = len(text) - len(text.lstrip())
        x += font.getlength(" " * lead)
        text = text.strip()
        self.draw.text((x, y), text, font=font, fill="black")
        x0, y0, x1, y1 = self.draw.textbbox((x, y), text, font=font)
        box = [(x0 - 2, y0 - 2), (x1 + 2, y0 - 2), (x1 + 2, y1 + 2), (x0 - 2, y1 + 2)]
        self.lines.append(OcrLine(text=text, box=box, confidence=0.99))
        return y + size * 1.5


def two_column_page() -> tuple[PageResult, np.ndarray]:
    d = _Drawer(1400, 1500)
    d.text(80, 40, "THE RIVER TOWN HERALD", SANS, 18)
    d.draw.line((80, 72, 1320, 72), fill="black", width=2)
    d.text(80, 110, "Flood Closes the Old Bridge", BOLD, 56)
    y = 230.0
    for text in LEFT:
        y = d.text(80, y, text, SERIF, 22)
    # the right column: a framed bar chart, its caption, then text
    d.draw.rectangle((740, 230, 1300, 560), outline="black", width=3)
    for k, h in enumerate([120, 200, 90, 260, 170]):
        d.draw.rectangle((780 + k * 100, 540 - h, 840 + k * 100, 540), fill=(90, 90, 90))
    y = d.text(740, 580, "Figure 1: River level at the quay", SANS, 20) + 30
    for text in RIGHT:
        y = d.text(740, y, text, SERIF, 22)
    d.text(690, 1420, "12", SANS, 18)
    lines = d.lines
    page = PageResult(source="page.png", width=1400, height=1500, lines=lines)
    return page, np.asarray(d.image)


def _kinds(page: PageResult) -> list[str]:
    kinds: list[str] = []
    for block in page.blocks:
        if not kinds or kinds[-1] != block.kind:
            kinds.append(block.kind)
    return kinds


def test_two_column_page_blocks_in_reading_order_with_kinds() -> None:
    page, image = two_column_page()
    analyse_layout(page, image)
    assert _kinds(page) == [
        "header",
        "title",
        "paragraph",
        "figure",
        "caption",
        "paragraph",
        "page_number",
    ]
    paragraphs = [b.text for b in page.blocks if b.kind == "paragraph"]
    assert len(paragraphs) == 4  # two in each column, split at the indented first lines
    assert paragraphs[0].startswith("The river rose") and paragraphs[1].startswith("By noon")
    assert paragraphs[2].startswith("Engineers") and paragraphs[3].startswith("Traders")
    caption = next(b for b in page.blocks if b.kind == "caption")
    assert caption.text == "Figure 1: River level at the quay"
    figure = next(b for b in page.blocks if b.kind == "figure")
    xs = [p[0] for p in figure.box or []]
    assert min(xs) == pytest.approx(740, abs=12) and max(xs) == pytest.approx(1300, abs=12)


def test_every_line_lands_in_one_block() -> None:
    page, image = two_column_page()
    analyse_layout(page, image)
    seen = sorted(i for b in page.blocks for i in b.lines)
    assert seen == list(range(len(page.lines)))


def test_without_the_image_the_order_still_holds() -> None:
    page, _ = two_column_page()
    analyse_layout(page)
    texts = [b.text for b in page.blocks]
    joined = "\n".join(texts)
    assert joined.index("By noon") < joined.index("Figure 1") < joined.index("Engineers")


def test_markdown_of_the_two_column_page() -> None:
    page, image = two_column_page()
    analyse_layout(page, image)
    md = page_document(page)
    assert md.startswith("# Flood Closes the Old Bridge\n")
    assert "THE RIVER TOWN HERALD" not in md and "\n12\n" not in md  # header, page number
    # columns in order, each paragraph one line of Markdown
    assert md.index("The river rose") < md.index("By noon") < md.index("Engineers")
    assert "the old bridge was closed before dawn" in md
    assert "<!-- figure -->\n\n*Figure 1: River level at the quay*" in md


def test_join_lines_undoes_hyphenation_and_joins_chinese() -> None:
    assert join_lines(["the experi-", "ment worked"]) == "the experiment worked"
    assert join_lines(["well-", "Known"]) == "well-Known"
    assert join_lines(["城市交通", "建设加快"]) == "城市交通建设加快"


def test_reading_text_follows_the_blocks() -> None:
    from vlocr.layout.order import reading_text

    page, image = two_column_page()
    analyse_layout(page, image)
    text = reading_text(page)
    assert text.splitlines()[0] == "THE RIVER TOWN HERALD"
    assert text.index("bread, blankets") < text.index("Figure 1") < text.index("Engineers")
    assert text.splitlines()[-1] == "12"


def test_a_framed_scan_beside_a_column_is_no_table_with_it() -> None:
    """A receipt scan framed in the right column, its short lines level with the article's rows:
    the tables module pairs them row by row into an unruled "table"; that table crosses the
    figure's frame, so it is dropped and the column reads whole, then the scan."""
    from vlocr.layout.order import apply_reading_order
    from vlocr.layout.tables import annotate_tables

    d = _Drawer(1400, 1100)
    column = LEFT + RIGHT[:3]
    y = 100.0
    for text in column:
        y = d.text(80, y, text, SERIF, 22)
    d.draw.rectangle((760, 80, 1300, 520), outline="black", width=3)
    d.draw.rectangle((800, 440, 1260, 480), fill=(60, 60, 60))  # a barcode-like bar
    y = 100.0
    for text in ["FRESH MART S/B", "TEL 03-5613", "BREAD 3.49", "MILK 2.10", "EGGS 4.25"]:
        y = d.text(800, y, text, SANS, 22)
    page = PageResult(source="page.png", width=1400, height=1100, lines=d.lines)
    image = np.asarray(d.image)
    annotate_tables(page, image)
    analyse_layout(page, image)
    apply_reading_order(page)
    assert not page.tables
    text = page.text
    for a, b in zip(column, column[1:], strict=False):
        assert text.index(a.strip()) < text.index(b.strip())
    assert text.index(column[-1].strip()) < text.index("FRESH MART")


def test_apply_reading_order_renumbers_blocks_and_keeps_every_line() -> None:
    from vlocr.layout.order import apply_reading_order, reading_text

    page, image = two_column_page()
    page.lines = page.lines[::-1]  # an engine order that is no reading order
    analyse_layout(page, image)
    texts = sorted(ln.text for ln in page.lines)
    apply_reading_order(page)
    assert sorted(ln.text for ln in page.lines) == texts
    assert [i for b in page.blocks for i in b.lines] == list(range(len(page.lines)))
    assert page.text == reading_text(page)
    assert page.lines[0].text == "THE RIVER TOWN HERALD" and page.lines[-1].text == "12"
    # blocks are set apart by a blank line, a paragraph's rows one a line
    assert "\n\nThe river rose in the night and the old bridge\n" in page.text


def _turned(page: PageResult, quarter: bool) -> PageResult:
    """The page's lines as an engine reports them for a page read turned: each box's points
    mapped back onto the image (a quarter turn: the top edge runs down the image)."""
    h = page.height
    lines = []
    for ln in page.lines:
        box = [(h - y, x) for x, y in ln.box] if quarter else [(-x, -y) for x, y in ln.box]
        lines.append(ln.model_copy(update={"box": box}))
    return page.model_copy(update={"lines": lines})


def test_a_page_read_turned_or_set_vertically_keeps_the_engine_order() -> None:
    from vlocr.layout.order import apply_reading_order, follows_layout

    page, image = two_column_page()
    analyse_layout(page, image)
    assert follows_layout(page)
    for quarter in (True, False):
        turned = _turned(page, quarter)
        before = [ln.text for ln in turned.lines]
        assert not follows_layout(turned)
        apply_reading_order(turned)
        assert [ln.text for ln in turned.lines] == before
    # vertical Chinese: tall narrow lines read in columns right to left; rows are not its order
    tall = [
        OcrLine(text=t, box=[(x, 50), (x + 30, 50), (x + 30, 450), (x, 450)], confidence=0.9)
        for t, x in (("第一列文字", 500), ("第二列文字", 450), ("第三列文字", 400))
    ]
    vertical = PageResult(source="v.png", width=600, height=500, lines=tall)
    analyse_layout(vertical)
    assert not follows_layout(vertical)


def test_a_form_keeps_its_rows_beside_a_framed_box_of_fields() -> None:
    """A form (rows of label and answer, no running text) with a framed box of office-use
    fields at the right: the box is found as a figure, but the page keeps its row order."""
    from vlocr.layout.order import apply_reading_order, follows_layout

    d = _Drawer(1200, 700)
    d.draw.rectangle((760, 60, 1160, 330), outline="black", width=3)
    rows = [
        ("DATE: June 21, 1993", "Date Rec'd 6/21/93"),
        ("SUBMITTED BY: Carol Lincoln", "QIP Log 93-0307"),
        ("DEPARTMENT: R&D Library", "Status (1993)"),
        ("PHONE: 555-0142", "Keywords (1993)"),
    ]
    for k, (left, right) in enumerate(rows):
        d.text(80, 100 + 50 * k, left, SANS, 22)
        d.text(790, 100 + 50 * k, right, SANS, 22)
    page = PageResult(source="form.png", width=1200, height=700, lines=d.lines, text="engine")
    before = [ln.text for ln in page.lines]
    analyse_layout(page, np.asarray(d.image))
    assert not follows_layout(page)
    apply_reading_order(page)
    assert [ln.text for ln in page.lines] == before and page.text == "engine"


def test_a_block_that_holds_two_columns_keeps_the_engine_order() -> None:
    """Columns the layout did not separate (lines aligned across a narrow gutter, one block):
    reading that block's rows would run across the gutter, so the page keeps the engine's
    column-by-column order; a paragraph's own lines cross any such strip and are kept."""
    from vlocr.layout.order import apply_reading_order, follows_layout

    page, image = two_column_page()
    analyse_layout(page, image)
    assert follows_layout(page)
    text_blocks = [b for b in page.blocks if b.kind in ("text", "paragraph", "list")]
    assert any(len(b.lines) >= 4 for b in text_blocks)
    # one block across the two columns: what the layout makes of columns it failed to split
    left = [i for b in text_blocks for i in b.lines if page.lines[i].bbox[2] < page.width / 2]
    right = [i for b in text_blocks for i in b.lines if page.lines[i].bbox[0] > page.width / 2]
    assert len(left) >= 2 and len(right) >= 2
    merged = text_blocks[0].model_copy(update={"lines": sorted(left + right)})
    rest = [b for b in page.blocks if b.lines and not set(b.lines) & set(left + right)]
    broken = page.model_copy(update={"blocks": [merged, *rest]})
    before = [ln.text for ln in broken.lines]
    assert not follows_layout(broken)
    apply_reading_order(broken)
    assert [ln.text for ln in broken.lines] == before
