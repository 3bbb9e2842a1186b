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
