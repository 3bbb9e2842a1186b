"""The XY-cut on pages that are not columns all the way down: two columns, a one-column
section across the page, two columns again (``ocr.layout._cut_across``); a column's heading
level with the next column's first line (``_apart``)."""

from __future__ import annotations

from vlocr.ocr.layout import sort_reading_order
from vlocr.results import OcrLine


def _line(text: str, x0: float, y0: float, x1: float, h: float = 20) -> OcrLine:
    return OcrLine(text=text, box=[(x0, y0), (x1, y0), (x1, y0 + h), (x0, y0 + h)], confidence=0.9)


def _columns(tag: str, top: float, n: int) -> list[OcrLine]:
    left = [_line(f"{tag}L{k}", 40, top + 30 * k, 470) for k in range(n)]
    right = [_line(f"{tag}R{k}", 530, top + 30 * k, 960) for k in range(n)]
    return left + right


def test_columns_a_full_width_section_and_columns_again() -> None:
    top = _columns("a", 40, 6)
    middle = [_line(f"wide{k}", 40, 260 + 30 * k, 960) for k in range(5)]  # > a tenth of lines
    bottom = _columns("b", 440, 6)
    order = [ln.text for ln in sort_reading_order(bottom + middle + top)]
    expected = (
        [f"aL{k}" for k in range(6)]
        + [f"aR{k}" for k in range(6)]
        + [f"wide{k}" for k in range(5)]
        + [f"bL{k}" for k in range(6)]
        + [f"bR{k}" for k in range(6)]
    )
    assert order == expected


def test_a_column_heading_beside_a_first_line_is_not_a_headline() -> None:
    lines = [_line("Heading of the right column", 530, 40, 900, h=34)]
    lines += [_line(f"L{k}", 40, 44 + 30 * k, 470) for k in range(8)]
    lines += [_line(f"R{k}", 530, 94 + 30 * k, 960) for k in range(6)]
    order = [ln.text for ln in sort_reading_order(lines)]
    assert order == [f"L{k}" for k in range(8)] + ["Heading of the right column"] + [
        f"R{k}" for k in range(6)
    ]


def test_a_last_column_of_two_full_lines_is_still_a_column() -> None:
    lines = [_line(f"L{k}", 40, 40 + 30 * k, 470) for k in range(8)]
    lines += [_line("R0", 530, 40, 960), _line("R1", 530, 70, 900)]
    order = [ln.text for ln in sort_reading_order(lines)]
    assert order == [f"L{k}" for k in range(8)] + ["R0", "R1"]


def test_a_short_legend_under_a_full_width_paragraph_keeps_its_rows() -> None:
    # a form: a wide paragraph, then a three-row legend of label and value
    lines = [_line(f"wide{k}", 40, 40 + 30 * k, 960) for k in range(6)]
    for k in range(3):
        lines += [
            _line(f"label{k}", 40, 260 + 30 * k, 400),
            _line(f"value{k}", 560, 260 + 30 * k, 900),
        ]
    order = [ln.text for ln in sort_reading_order(lines)]
    assert order[6:] == ["label0", "value0", "label1", "value1", "label2", "value2"]
