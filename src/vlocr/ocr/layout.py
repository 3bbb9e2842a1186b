"""Reading order: top-to-bottom rows, left-to-right inside a row.

Rows are found in the frame of the text itself: on a page photographed a few degrees off, the
baselines slope, and grouping by raw y would interleave neighbouring rows. The page's slope is
the median slope of the wide boxes' top edges.
"""

from __future__ import annotations

import math
import statistics

from vlocr.results import OcrLine


def page_slope(lines: list[OcrLine]) -> float:
    """Median angle (radians) of the top edges of boxes at least twice as wide as tall."""
    angles = []
    for line in lines:
        (x0, y0), (x1, y1), _, (x3, y3) = line.box[:4]
        width, height = math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0)
        if width >= 2 * height and width > 0:
            angles.append(math.atan2(y1 - y0, x1 - x0))
    if len(angles) < 3:
        return 0.0
    slope = statistics.median(angles)
    return slope if abs(slope) < math.radians(20) else 0.0


def _levelled(line: OcrLine, cos_a: float, sin_a: float) -> tuple[float, float, float]:
    """Top, bottom and left of the box after turning the page level."""
    ys = [-x * sin_a + y * cos_a for x, y in line.box]
    xs = [x * cos_a + y * sin_a for x, y in line.box]
    return min(ys), max(ys), min(xs)


def group_rows(lines: list[OcrLine], overlap: float = 0.5) -> list[list[OcrLine]]:
    """Split lines into rows: a line joins the current row when their vertical spans (in the
    levelled frame) overlap by at least ``overlap`` of the smaller height. Rows come top-down,
    lines in a row left-to-right."""
    angle = page_slope(lines)
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    spans = {id(ln): _levelled(ln, cos_a, sin_a) for ln in lines}
    by_centre = sorted(lines, key=lambda ln: (spans[id(ln)][0] + spans[id(ln)][1]) / 2)
    rows: list[list[OcrLine]] = []
    span = (0.0, 0.0)
    for line in by_centre:
        top, bottom, _ = spans[id(line)]
        if rows:
            inter = min(bottom, span[1]) - max(top, span[0])
            if inter >= overlap * min(max(bottom - top, 1.0), max(span[1] - span[0], 1.0)):
                rows[-1].append(line)
                span = (min(top, span[0]), max(bottom, span[1]))
                continue
        rows.append([line])
        span = (top, bottom)
    return [sorted(row, key=lambda ln: spans[id(ln)][2]) for row in rows]


def sort_reading_order(lines: list[OcrLine], overlap: float = 0.5) -> list[OcrLine]:
    return [line for row in group_rows(lines, overlap) for line in row]


def rows_text(lines: list[OcrLine]) -> str:
    """The page text: one output line per row, pieces of a row joined by a space (a receipt's
    "Milk 2L" and "RM 6.50" printed on one line come out on one line)."""
    return "\n".join(" ".join(ln.text for ln in row) for row in group_rows(lines))
