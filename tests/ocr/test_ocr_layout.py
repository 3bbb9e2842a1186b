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
