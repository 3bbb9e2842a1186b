"""Reading order: top-to-bottom rows, left-to-right inside a row."""

from __future__ import annotations

from vlocr.results import OcrLine


def _vertical_span(line: OcrLine) -> tuple[float, float]:
    ys = [p[1] for p in line.box]
    return min(ys), max(ys)


def group_rows(lines: list[OcrLine], overlap: float = 0.5) -> list[list[OcrLine]]:
    """Split lines into rows: a line joins the current row when their vertical spans overlap by at
    least ``overlap`` of the smaller height. Rows come top-down, lines in a row left-to-right."""
    by_centre = sorted(lines, key=lambda ln: sum(_vertical_span(ln)) / 2)
    rows: list[list[OcrLine]] = []
    span = (0.0, 0.0)
    for line in by_centre:
        top, bottom = _vertical_span(line)
        if rows:
            inter = min(bottom, span[1]) - max(top, span[0])
            if inter >= overlap * min(max(bottom - top, 1.0), max(span[1] - span[0], 1.0)):
                rows[-1].append(line)
                span = (min(top, span[0]), max(bottom, span[1]))
                continue
        rows.append([line])
        span = (top, bottom)
    return [sorted(row, key=lambda ln: min(p[0] for p in ln.box)) for row in rows]


def sort_reading_order(lines: list[OcrLine], overlap: float = 0.5) -> list[OcrLine]:
    return [line for row in group_rows(lines, overlap) for line in row]


def rows_text(lines: list[OcrLine]) -> str:
    """The page text: one output line per row, pieces of a row joined by a space (a receipt's
    "Milk 2L" and "RM 6.50" printed on one line come out on one line)."""
    return "\n".join(" ".join(ln.text for ln in row) for row in group_rows(lines))
