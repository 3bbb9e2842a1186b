"""Reading order on constructed boxes."""

from __future__ import annotations

from vlocr.ocr.layout import sort_reading_order
from vlocr.results import OcrLine


def _line(text: str, x0: float, y0: float, x1: float, y1: float) -> OcrLine:
    return OcrLine(text=text, box=[(x0, y0), (x1, y0), (x1, y1), (x0, y1)], confidence=0.9)


def test_rows_grouped_and_left_to_right() -> None:
    lines = [
        _line("12.50", 480, 102, 560, 122),  # right column, slightly lower than its label
        _line("TOTAL", 20, 100, 120, 120),
        _line("HEADER", 20, 40, 300, 60),
        _line("CASH", 20, 140, 100, 160),
        _line("20.00", 480, 139, 560, 159),
    ]
    ordered = [ln.text for ln in sort_reading_order(lines)]
    assert ordered == ["HEADER", "TOTAL", "12.50", "CASH", "20.00"]


def test_separate_rows_do_not_merge() -> None:
    lines = [_line("B", 10, 50, 60, 70), _line("A", 100, 20, 160, 40)]
    assert [ln.text for ln in sort_reading_order(lines)] == ["A", "B"]


def test_small_overlap_is_not_one_row() -> None:
    # 4 px of overlap on 20 px tall lines is less than half: two rows, top first
    lines = [_line("second", 0, 36, 100, 56), _line("first", 200, 20, 300, 40)]
    assert [ln.text for ln in sort_reading_order(lines)] == ["first", "second"]


def test_empty() -> None:
    assert sort_reading_order([]) == []


def test_rows_follow_a_sloping_page() -> None:
    """On a page turned 5 degrees, a right-hand amount sits lower than the next row's left edge;
    grouping in the levelled frame keeps it on its own row."""
    import math

    from vlocr.ocr.layout import group_rows
    from vlocr.results import OcrLine

    angle = math.radians(5)

    def quad(x: float, y: float, w: float, h: float) -> list[tuple[float, float]]:
        pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
        return [
            (
                px * math.cos(angle) - py * math.sin(angle),
                px * math.sin(angle) + py * math.cos(angle),
            )
            for px, py in pts
        ]

    lines = []
    for row in range(4):
        y = 100 + row * 40
        lines.append(OcrLine(text=f"item{row}", box=quad(20, y, 200, 24), confidence=0.9))
        lines.append(OcrLine(text=f"{row}.50", box=quad(600, y, 80, 24), confidence=0.9))
    rows = group_rows(lines)
    assert [[ln.text for ln in r] for r in rows] == [[f"item{i}", f"{i}.50"] for i in range(4)]


def _column_page(columns: int, rows: int = 8, header: bool = True, footer: bool = True):
    """Boxes of a page in ``columns`` text columns (baselines aligned across columns, which a
    rows-only order interleaves), with a centred headline and footer crossing the gutters."""
    lines = []
    truth = []
    if header:
        lines.append(_line("HEADLINE", 300, 10, 700, 50))
        truth.append("HEADLINE")
    col_w, gutter = 900 // columns - 40, 40
    for c in range(columns):
        x = 20 + c * (col_w + gutter)
        for r in range(rows):
            y = 80 + r * 30
            right = x + col_w - (0 if r % 3 else 30)  # ragged right edge
            lines.append(_line(f"c{c}r{r}", x, y, right, y + 20))
            truth.append(f"c{c}r{r}")
    if footer:
        lines.append(_line("FOOTER", 400, 80 + rows * 30 + 50, 560, 80 + rows * 30 + 68))
        truth.append("FOOTER")
    return lines, truth


def test_two_columns_read_one_after_the_other() -> None:
    lines, truth = _column_page(2)
    assert [ln.text for ln in sort_reading_order(lines[::-1])] == truth


def test_three_columns_with_headline_and_footer() -> None:
    lines, truth = _column_page(3)
    assert [ln.text for ln in sort_reading_order(lines)] == truth


def test_caption_between_column_sections() -> None:
    """A full-width line in the middle (a caption) splits the columns into two sections."""
    top, _ = _column_page(2, rows=4, footer=False)
    bottom = [
        _line(ln.text + "b", ln.box[0][0], ln.box[0][1] + 200, ln.box[1][0], ln.box[2][1] + 200)
        for ln in top[1:]
    ]
    caption = _line("CAPTION", 20, 210, 880, 230)
    order = [ln.text for ln in sort_reading_order([*top, caption, *bottom])]
    first = [f"c0r{r}" for r in range(4)] + [f"c1r{r}" for r in range(4)]
    assert order == ["HEADLINE", *first, "CAPTION", *[t + "b" for t in first]]


def test_receipt_prices_stay_beside_their_items() -> None:
    """Item names on the left and amounts on the right leave a wide vertical gap, but the
    amounts are not a column of running text: rows are kept."""
    lines = []
    for r, (item, price) in enumerate(
        [
            ("NASI LEMAK AYAM", "12.50"),
            ("TEH TARIK", "3.20"),
            ("ROTI CANAI X2", "4.00"),
            ("MILO AIS", "3.80"),
            ("KUEH", "1.50"),
            ("AIR KOSONG", "0.50"),
            ("TOTAL", "25.50"),
        ]
    ):
        y = 100 + r * 30
        lines.append(_line(item, 20, y, 20 + 14 * len(item), y + 20))
        lines.append(_line(price, 480, y, 560, y + 20))
    ordered = [ln.text for ln in sort_reading_order(lines[::-1])]
    assert ordered[:4] == ["NASI LEMAK AYAM", "12.50", "TEH TARIK", "3.20"]


def test_form_label_value_rows_stay_rows() -> None:
    """A form's label column and value column (values starting at one margin) keep rows."""
    labels = ["Name:", "Date:", "Address:", "Phone:", "Signature:", "Company:"]
    lines = []
    for r, label in enumerate(labels):
        y = 50 + r * 40
        lines.append(_line(label, 20, y, 20 + 12 * len(label), y + 20))
        lines.append(_line(f"value {r}", 300, y, 300 + 60 + 25 * (r % 3), y + 20))
    ordered = [ln.text for ln in sort_reading_order(lines)]
    assert ordered[:4] == ["Name:", "value 0", "Date:", "value 1"]
