"""Reading order: text columns left to right, and inside each block top-to-bottom rows,
left-to-right inside a row.

Rows are found in the frame of the text itself: on a page photographed a few degrees off, the
baselines slope, and grouping by raw y would interleave neighbouring rows. The page's slope is
the median slope of the wide boxes' top edges.

Columns come from a recursive XY-cut over the line boxes: a vertical gutter splits a block only
when both sides look like columns of running text (several lines, each side at least ~8
characters wide, the left side's lines mostly reaching the gutter, the right side's mostly
starting at one margin). A receipt's prices or a form's answers fail these tests, so receipts
and forms keep the row order (label next to its amount). Lines that cross a gutter (a headline,
a full-width caption, a footer) cut the block horizontally first, so they are read where they
stand: above, between or below the columns.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import numpy as np

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


@dataclass
class _Box:
    line: OcrLine
    top: float
    bottom: float
    left: float
    right: float

    @property
    def height(self) -> float:
        return max(1.0, self.bottom - self.top)


MIN_COLUMN_LINES = 3
MIN_COLUMN_WIDTH = 8.0  # x the median line height: about 8-16 characters
MIN_GUTTER = 0.8  # x the median line height
MAX_DEPTH = 12
HEADLINE_OF_UNIT = 1.3  # a first or last band in text this much taller than the body stands apart
TITLE_OF_UNIT = 1.15  # ... and a lone line at the top this much taller


def reading_blocks(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """The page as blocks in reading order (a column's lines, a headline, ...); each block is
    then read by rows."""
    if not lines:
        return []
    angle = page_slope(lines)
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    boxes = []
    for line in lines:
        ys = [-x * sin_a + y * cos_a for x, y in line.box]
        # left and right from the words when the line has them: a detector box reaches past
        # its text by the unclip margin, which can close a narrow gutter between columns
        ink = [p for w in line.words or () if w.box for p in w.box] or line.box
        xs = [x * cos_a + y * sin_a for x, y in ink]
        boxes.append(_Box(line, min(ys), max(ys), min(xs), max(xs)))
    return [[b.line for b in block] for block in _cut(boxes, 0)]


def _cut(boxes: list[_Box], depth: int) -> list[list[_Box]]:
    if len(boxes) < 2 * MIN_COLUMN_LINES or depth > MAX_DEPTH:
        return [boxes]
    unit = statistics.median(b.height for b in boxes)
    gutter = _column_gutter(boxes, unit)
    if gutter is None:
        return _cut_across(boxes, unit, depth)
    margin = 0.25 * unit

    def crosses(b: _Box) -> bool:
        # reaching past the gutter on both sides: a column line that ends at its edge does not
        # (the gutter's x is the middle of a run that a few lines may enter)
        return b.left < gutter - margin and b.right > gutter + margin

    # lines that cross the gutter (headline, caption, footer) cut the block horizontally, and
    # so does a first or last band standing apart (a page header or footer); consecutive
    # bands in between form one section to cut further
    bands = _bands(boxes)
    apart = [
        any(crosses(b) for b in band) or _apart(bands, i, unit, gutter)
        for i, band in enumerate(bands)
    ]
    crossing = [any(crosses(b) for b in band) for band in bands]
    for i, band in enumerate(bands):
        if not apart[i] and any(
            0 <= j < len(bands) and crossing[j] and _caption_of(band, bands[j], gutter, unit)
            for j in (i - 1, i + 1)
        ):
            apart[i] = True
    if not any(apart):
        left = [b for b in boxes if b.right <= gutter]
        right = [b for b in boxes if b.right > gutter]
        return _cut(left, depth + 1) + _cut(right, depth + 1)
    sections: list[tuple[bool, list[_Box]]] = []
    for band, separate in zip(bands, apart, strict=True):
        if separate or not sections or sections[-1][0]:
            sections.append((separate, list(band)))
        else:
            sections[-1][1].extend(band)
    out: list[list[_Box]] = []
    for separate, members in sections:
        out.extend([members] if separate else _cut(members, depth + 1))
    return out


def _caption_of(band: list[_Box], over: list[_Box], gutter: float, unit: float) -> bool:
    """A one-row band on one side of the gutter, right above or below a band that crosses it
    (a figure or table across the columns), centred on it or aligned with its left edge: the
    figure's caption, read with it rather than as the first line of a column."""
    if max(b.top for b in band) - min(b.top for b in band) > 0.5 * unit:
        return False
    if not (all(b.right <= gutter for b in band) or all(b.left >= gutter for b in band)):
        return False
    x0, x1 = min(b.left for b in over), max(b.right for b in over)
    left, right = min(b.left for b in band), max(b.right for b in band)
    if left < x0 - unit or right > x1 + unit:
        return False
    return abs((left + right) / 2 - (x0 + x1) / 2) < 0.1 * (x1 - x0) or abs(left - x0) < unit


def _cut_across(boxes: list[_Box], unit: float, depth: int) -> list[list[_Box]]:
    """No gutter runs the whole block's height: cut it where a band of white clearly taller than
    the usual gap between rows runs across it next to something spanning half the block or more
    (above and below a full-width figure, between a one-column section and a two-column one),
    when a section so cut holds columns."""
    bands = _bands(boxes)
    gaps = [
        min(b.top for b in band) - max(b.bottom for b in prev)
        for prev, band in zip(bands, bands[1:], strict=False)
    ]
    if not gaps:
        return [boxes]
    usual = statistics.median(gaps)
    span = max(b.right for b in boxes) - min(b.left for b in boxes)

    def wide(band: list[_Box]) -> bool:
        return max(b.right - b.left for b in band) >= 0.5 * span

    runs: list[list[list[_Box]]] = [[bands[0]]]
    for band, gap in zip(bands[1:], gaps, strict=True):
        if gap >= max(0.5 * unit, usual + 0.5 * unit):
            runs.append([band])
        else:
            runs[-1].append(band)
    # a cut only next to a run holding something that spans the block (a figure with its
    # caption, a one-column paragraph): a gap where one column has ended and the next one's
    # paragraphs part is no cut
    sections: list[list[_Box]] = [[b for band in runs[0] for b in band]]
    for prev, run in zip(runs, runs[1:], strict=False):
        members = [b for band in run for b in band]
        if any(wide(band) for band in prev) or any(wide(band) for band in run):
            sections.append(members)
        else:
            sections[-1].extend(members)
    if len(sections) < 2:
        return [boxes]
    out: list[list[_Box]] = []
    for section in sections:
        # a short section (a form's three-row legend of label and value) is rows, not columns
        out.extend(_cut(section, depth + 1) if len(section) >= 4 * MIN_COLUMN_LINES else [section])
    if len(out) == len(sections):
        return [boxes]  # no section holds columns: the block reads as it was
    return out


def _apart(bands: list[list[_Box]], i: int, unit: float, gutter: float) -> bool:
    """The first or last band, at least two line heights away from its neighbour or set in
    text HEADLINE_OF_UNIT x the block's usual height (a headline); a first band that is one
    line, a little taller than the body, is a title too."""
    if len(bands) < 3 or 0 < i < len(bands) - 1:
        return False
    tallest = max(b.height for b in bands[i])
    # text on both sides of the gutter is a row of the columns (a column's heading beside the
    # first line of the next), not a headline over them
    one_side = all(b.right <= gutter for b in bands[i]) or all(b.left >= gutter for b in bands[i])
    if one_side and (
        tallest >= HEADLINE_OF_UNIT * unit
        or (i == 0 and len(bands[0]) == 1 and tallest >= TITLE_OF_UNIT * unit)
    ):
        return True
    if i == 0:
        return min(b.top for b in bands[1]) - max(b.bottom for b in bands[0]) >= 2 * unit
    return min(b.top for b in bands[-1]) - max(b.bottom for b in bands[-2]) >= 2 * unit


def _bands(boxes: list[_Box]) -> list[list[_Box]]:
    """Boxes split where a horizontal line meets none of them, top-down."""
    bands: list[list[_Box]] = []
    bottom = -math.inf
    for b in sorted(boxes, key=lambda b: b.top):
        if bands and b.top < bottom - 0.25 * b.height:
            bands[-1].append(b)
            bottom = max(bottom, b.bottom)
        else:
            bands.append([b])
            bottom = b.bottom
    return bands


def _column_gutter(boxes: list[_Box], unit: float, depth: int = 0) -> float | None:
    """x of a vertical gap between two text columns, or None. A few lines may cross it (a
    headline, a footer): up to a tenth of the lines."""
    x0 = min(b.left for b in boxes)
    x1 = max(b.right for b in boxes)
    step = max(1.0, unit / 4)
    grid = np.arange(x0 + step, x1, step)
    if len(grid) == 0:
        return None
    lefts = np.array([b.left for b in boxes])[:, None]
    rights = np.array([b.right for b in boxes])[:, None]
    crossing = ((grid[None, :] > lefts) & (grid[None, :] < rights)).sum(axis=0)
    allowed = max(2, len(boxes) // 10)
    free = crossing <= allowed
    candidates = []
    start = None
    for i, ok in enumerate([*free, False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            if (i - start) * step >= MIN_GUTTER * unit:
                run = crossing[start:i]
                # the middle of the longest stretch at the run's fewest crossings: a short last
                # column's two lines are "free" too, and must not pull the gutter into it
                lo, hi = _longest_at_min(run)
                middle = float(grid[start + lo] + grid[start + hi - 1]) / 2
                candidates.append((int(run.min()), -(i - start), middle))
            start = None
    for _, _, x in sorted(candidates):
        left = [b for b in boxes if b.right <= x - 0.25 * unit]
        right = [b for b in boxes if b.left >= x + 0.25 * unit]
        if _columns(left, unit, filled=True, depth=depth) and _columns(
            right, unit, filled=False, depth=depth
        ):
            return x
    return None


def _longest_at_min(run: np.ndarray) -> tuple[int, int]:
    """[lo, hi) of the longest stretch of ``run`` at its minimum."""
    low = run.min()
    best, start = (0, len(run)), None
    length = -1
    for t, v in enumerate([*run.tolist(), low + 1]):
        if v == low and start is None:
            start = t
        elif v != low and start is not None:
            if t - start > length:
                best, length = (start, t), t - start
            start = None
    return best


def _columns(boxes: list[_Box], unit: float, *, filled: bool, depth: int) -> bool:
    """One text column, or several side by side."""
    if _is_column(boxes, unit, filled=filled):
        return True
    return (
        depth < 3
        and len(boxes) >= 2 * MIN_COLUMN_LINES
        and _column_gutter(boxes, unit, depth + 1) is not None
    )


def _is_column(boxes: list[_Box], unit: float, *, filled: bool) -> bool:
    """Running text: enough lines (the last column may end after two full ones), wide enough,
    most lines starting at one margin and (for a column with another to its right) most
    reaching its right edge. Margins are taken at the
    20th/80th percentile so a headline or footer standing beside the column does not move them."""
    if len(boxes) < (MIN_COLUMN_LINES if filled else 2):
        return False
    if len(boxes) < MIN_COLUMN_LINES and any(
        b.right - b.left < MIN_COLUMN_WIDTH * unit for b in boxes
    ):
        return False  # the last column may hold only two lines, if both are full text lines
    x0 = float(np.percentile([b.left for b in boxes], 20))
    x1 = float(np.percentile([b.right for b in boxes], 80))
    width = x1 - x0
    if width < MIN_COLUMN_WIDTH * unit:
        return False
    n = len(boxes)
    tolerance = max(1.5 * unit, 0.1 * width)
    if sum(1 for b in boxes if abs(b.left - x0) <= tolerance) < 0.5 * n:
        return False
    if filled and sum(1 for b in boxes if b.right >= x1 - max(2 * unit, 0.25 * width)) < 0.5 * n:
        return False
    # most of the column's lines are long: a column of short labels is a table, not text
    return sum(1 for b in boxes if b.right - b.left >= 0.5 * width) >= 0.5 * n


def sort_reading_order(lines: list[OcrLine], overlap: float = 0.5) -> list[OcrLine]:
    """Lines in reading order: blocks (columns, headlines) in turn, each by rows."""
    return [
        line
        for block in reading_blocks(lines)
        for row in group_rows(block, overlap)
        for line in row
    ]


def rows_text(lines: list[OcrLine]) -> str:
    """The page text: one output line per row of each block, pieces of a row joined by a space
    (a receipt's "Milk 2L" and "RM 6.50" printed on one line come out on one line); a page in
    columns reads one column after the other."""
    return "\n".join(
        " ".join(ln.text for ln in row)
        for block in reading_blocks(lines)
        for row in group_rows(block)
    )
