"""What each part of a page is: figures from the image, page furniture (header, footer, page
number) from position, and the kind of each run of rows (title, heading, paragraph, list,
caption, rows of a receipt or form) from line height, indentation, bullets and gaps.

Geometry only, measured against the page's own body text: ``unit`` is the median line height,
so the same thresholds hold for a 300 dpi book scan and a 1000 px screenshot. No model: the
layout models that ship inside a PyPI package were measured against this (docs/structure.md).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

import numpy as np

from vlocr.results import OcrLine

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1

BULLET = re.compile(
    r"^\s*(?:[•·▪●○◦■□\-–—*>]|\(?\d{1,2}[.)、]|[a-zA-Z][.)]|[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)\s*"
)
CAPTION = re.compile(
    r"^\s*(?:fig(?:ure)?\.?|table|chart|photo|plate|map|图|表|圖)\s*[\d一二三四五六七八九十IVX]",
    re.I,
)
PAGE_NUMBER = re.compile(
    r"^\s*(?:[-–—(\[]\s*)?(?:page\s+|p\.\s*|第\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?(?:\s*页)?(?:\s*[-–—)\]])?\s*$",
    re.I,
)

HEADING_OF_UNIT = 1.2  # a short run of rows this much taller than the body is a heading
TITLE_OF_UNIT = 1.3  # ... and the tallest such run, this tall, above the body text, is the title


def bbox(line: OcrLine) -> Rect:
    return line.bbox


def union(rects: list[Rect]) -> Rect:
    return (
        min(r[0] for r in rects),
        min(r[1] for r in rects),
        max(r[2] for r in rects),
        max(r[3] for r in rects),
    )


def body_unit(lines: list[OcrLine]) -> float:
    """Median line height: the page's body text size."""
    heights = [b[3] - b[1] for b in map(bbox, lines)]
    return max(1.0, statistics.median(heights)) if heights else 10.0


def running_text(lines: list[OcrLine], unit: float) -> bool:
    """Whether the page is set in running text (a book, article, report) rather than rows of
    short pieces (a receipt, a form): a third of its lines are long (15+ line heights)."""
    if len(lines) < 6:
        return False
    long = sum(1 for b in map(bbox, lines) if b[2] - b[0] >= 15 * unit)
    return long >= 0.33 * len(lines)


# ---- figures ----------------------------------------------------------------------------------


def find_figures(image: np.ndarray, lines: list[OcrLine], unit: float) -> list[Rect]:
    """Large regions of ink that no OCR line explains: pictures, charts, framed scans, logos.

    Text lines are blanked out of the binarised page; what ink is left is grown by about a line
    height into connected regions, and a region at least three line heights in both directions
    with enough ink is a figure. Rules (thin in one direction) and specks fail the size test."""
    import cv2

    gray = image if image.ndim == 2 else image[..., :3].mean(axis=2)
    height, width = gray.shape[:2]
    scale = min(1.0, 1200 / max(height, width))
    small = cv2.resize(
        gray.astype(np.uint8),
        (max(1, round(width * scale)), max(1, round(height * scale))),
        interpolation=cv2.INTER_AREA,
    )
    ink = (small < 190).astype(np.uint8)  # light fills (a chart's pale bars) count too
    for line in lines:
        x0, y0, x1, y1 = bbox(line)
        pad = 0.25 * (y1 - y0)
        ink[
            max(0, int((y0 - pad) * scale)) : int((y1 + pad) * scale) + 1,
            max(0, int((x0 - pad) * scale)) : int((x1 + pad) * scale) + 1,
        ] = 0
    k = max(3, int(unit * scale * 0.8))
    grown = cv2.dilate(ink, np.ones((k, k), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    figures: list[Rect] = []
    min_side = 3 * unit * scale
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w < min_side or h < min_side or w * h > 0.7 * small.size:
            continue
        count = int(ink[y : y + h, x : x + w][labels[y : y + h, x : x + w] == i].sum())
        if count < 0.3 * (w + h):
            continue
        # the dilation grew the region by k/2 on each side
        figures.append(
            (
                (x + k / 2) / scale,
                (y + k / 2) / scale,
                (x + w - k / 2) / scale,
                (y + h - k / 2) / scale,
            )
        )
    return _merge_overlapping(figures)


def tighten(rect: Rect, gray: np.ndarray) -> Rect:
    """The box of the ink inside ``rect``: a detector's line box reaches past its text by the
    unclip margin, and a region's box should hug what is printed."""
    h, w = gray.shape[:2]
    x0, y0 = max(0, int(rect[0])), max(0, int(rect[1]))
    x1, y1 = min(w, int(np.ceil(rect[2]))), min(h, int(np.ceil(rect[3])))
    if x1 <= x0 or y1 <= y0:
        return rect
    ink = gray[y0:y1, x0:x1] < 140
    rows, cols = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
    if not len(rows):
        return rect
    return (
        float(x0 + cols[0]),
        float(y0 + rows[0]),
        float(x0 + cols[-1] + 1),
        float(y0 + rows[-1] + 1),
    )


def _merge_overlapping(rects: list[Rect]) -> list[Rect]:
    rects = list(rects)
    merged = True
    while merged:
        merged = False
        for i in range(len(rects)):
            for j in range(i + 1, len(rects)):
                a, b = rects[i], rects[j]
                if a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]:
                    rects[i] = union([a, b])
                    del rects[j]
                    merged = True
                    break
            if merged:
                break
    return rects


def inside(rect: Rect, outer: Rect, tol: float = 0.0) -> bool:
    """The centre of ``rect`` lies in ``outer`` (grown by ``tol``)."""
    cx, cy = (rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2
    return outer[0] - tol <= cx <= outer[2] + tol and outer[1] - tol <= cy <= outer[3] + tol


# ---- page furniture ---------------------------------------------------------------------------


def furniture(
    lines: list[OcrLine], rows: list[list[int]], height: float, unit: float
) -> dict[int, str]:
    """Header, footer and page-number lines by position: up to two rows at the top or bottom of
    the page (the outer 15%), no taller than the body, set apart from the rest by a gap clearly
    wider than the gap between body rows; a short row that reads as a page number (``46``,
    ``- 3 -``, ``Page 2 of 9``) in the outer fifth needs no gap. Only on pages of running text:
    a receipt's shop name at the top is content, not a header."""
    kinds: dict[int, str] = {}
    if len(rows) < 4:
        return kinds

    def rect(row: list[int]) -> Rect:
        return union([bbox(lines[i]) for i in row])

    rects = [rect(row) for row in rows]
    gaps = [b[1] - a[3] for a, b in zip(rects, rects[1:], strict=False)]
    apart = statistics.median(gaps) + 0.5 * unit
    text_width = max(r[2] for r in rects) - min(r[0] for r in rects)

    def text(row: list[int]) -> str:
        return " ".join(lines[i].text for i in row)

    def number(k: int) -> bool:
        return bool(PAGE_NUMBER.match(text(rows[k]))) and (
            rects[k][2] - rects[k][0] < 0.25 * text_width
        )

    def size(k: int) -> float:
        return max(bbox(lines[i])[3] - bbox(lines[i])[1] for i in rows[k])

    def mark(k: int, where: str) -> None:
        for i in rows[k]:
            kinds[i] = "page_number" if PAGE_NUMBER.match(lines[i].text) else where

    # header: from the top down; a second row only in the same small print as the first
    for k in range(2):
        if k + 1 >= len(rows) or size(k) > 1.3 * unit or (k and size(k) > 1.15 * size(0)):
            break
        gap = rects[k + 1][1] - rects[k][3]
        if not (
            (rects[k][3] <= 0.15 * height and gap >= apart)
            or (rects[k][3] <= 0.2 * height and number(k))
        ):
            break
        mark(k, "header")
    last = len(rows) - 1
    for k in range(2):
        idx = last - k
        if idx <= 1 or rows[idx][0] in kinds or size(idx) > 1.3 * unit:
            break
        if k and size(idx) > 1.15 * size(last):
            break
        gap = rects[idx][1] - rects[idx - 1][3]
        if not (
            (rects[idx][1] >= 0.85 * height and gap >= apart)
            or (rects[idx][1] >= 0.8 * height and number(idx))
        ):
            break
        mark(idx, "footer")
    return kinds


# ---- runs of rows -----------------------------------------------------------------------------


@dataclass
class Region:
    """A run of rows (or one figure / table) in reading order, before it becomes a LayoutBlock."""

    kind: str
    rows: list[list[int]] = field(default_factory=list)
    rect: Rect = (0.0, 0.0, 0.0, 0.0)
    level: int | None = None
    table: int | None = None
    figure: int | None = None

    @property
    def lines(self) -> list[int]:
        return [i for row in self.rows for i in row]


def is_item_start(text: str) -> bool:
    """A bullet or a number at the start of a row, followed by text."""
    m = BULLET.match(text)
    if not m or m.end() >= len(text.strip()) + (len(text) - len(text.lstrip())):
        return False
    marker = text[: m.end()].strip()
    if marker and marker[0].isdigit() and re.match(r"^\d{1,2}[.)]\s*\d", text.strip()):
        return False  # a decimal number (3.49), not a numbered item
    rest = text[m.end() :]
    first = rest.split()[0] if rest.split() else ""
    if sum(ch.isalnum() for ch in first) < 2 and not any(ord(ch) > 0x2E80 for ch in first):
        return False  # "i. s. n. e." is letter-spaced text, not an item
    # a bare letter marker needs a space after it ("a) text", not "e.g." or "A.B.")
    if re.match(r"^[a-zA-Z][.)]$", marker) and not text[m.end() - 1].isspace():
        return False
    return bool(rest.strip())


def split_runs(lines: list[OcrLine], rows: list[list[int]], unit: float) -> list[Region]:
    """Cut a column's rows into runs: a new run where the gap grows, the text size changes, a
    row is indented past the column's margin (a new paragraph), or a bullet starts an item."""
    if not rows:
        return []
    rects = [union([bbox(lines[i]) for i in row]) for row in rows]
    heights = [
        statistics.median(bbox(lines[i])[3] - bbox(lines[i])[1] for i in row) for row in rows
    ]
    gaps = [rects[k][1] - rects[k - 1][3] for k in range(1, len(rows))]
    usual_gap = statistics.median(gaps) if gaps else 0.0
    usual_h = statistics.median(heights)
    left = float(np.percentile([r[0] for r in rects], 20))
    right = float(np.percentile([r[2] for r in rects], 80))
    width = max(1.0, right - left)
    runs: list[Region] = []
    for k, row in enumerate(rows):
        h = heights[k]
        new = k == 0
        if not new:
            ph = heights[k - 1]
            gap = rects[k][1] - rects[k - 1][3]
            first_text = lines[row[0]].text
            # indents against the column's usual row height: a row opening with a quote mark
            # gets a taller box, which must not hide its indent
            indented = rects[k][0] - left > 0.5 * usual_h and rects[k][0] - left < 0.25 * width
            prev_indented = rects[k - 1][0] - left > 0.5 * usual_h
            new = (
                gap > usual_gap + 0.5 * min(h, ph)
                or (max(h, ph) > 1.4 * min(h, ph) and gap > usual_gap + 0.2 * min(h, ph))
                or is_item_start(first_text)
                or (indented and not prev_indented and runs[-1].kind != "item")
            )
        if new:
            kind = "item" if is_item_start(lines[row[0]].text) else "run"
            runs.append(Region(kind, [row]))
        else:
            runs[-1].rows.append(row)
    for run in runs:
        run.rect = union([bbox(lines[i]) for i in run.lines])
    return runs


def is_rows(lines: list[OcrLine], region: Region, unit: float) -> bool:
    """Rows of pieces set apart (a receipt's item and price, a form's label and answer) rather
    than running text: a quarter of the rows hold pieces separated by wide gaps, or the rows
    are short lines that do not fill a column."""
    split = 0
    for row in region.rows:
        boxes = sorted((bbox(lines[i]) for i in row), key=lambda b: b[0])
        if any(b[0] - a[2] > 1.5 * unit for a, b in zip(boxes, boxes[1:], strict=False)):
            split += 1
    if split >= max(1, 0.25 * len(region.rows)):
        return True
    rects = [union([bbox(lines[i]) for i in row]) for row in region.rows]
    widths = [r[2] - r[0] for r in rects]
    if len(region.rows) >= 3 and statistics.median(widths) < 10 * unit:
        return True
    # running text fills its lines from margin to margin (bar the first indent and the last
    # line); centred lines of different lengths (a receipt's letterhead) are rows
    if len(rects) >= 2:
        left = min(r[0] for r in rects)
        right = max(r[2] for r in rects)
        width = max(1.0, right - left)
        full = sum(
            1
            for k, r in enumerate(rects[:-1])
            if (r[0] - left <= 1.5 * unit or k == 0) and r[2] >= right - 0.2 * width
        )
        return full < 0.6 * (len(rects) - 1)
    return False


def heading_levels(
    lines: list[OcrLine], regions: list[Region], unit: float, page_height: float
) -> None:
    """Short runs in text taller than the body become headings, levelled by size; the tallest,
    above all the body text and clearly large, is the title."""
    candidates = []
    for region in regions:
        if region.kind not in ("run",) or len(region.rows) > 3:
            continue
        size = min(bbox(lines[i])[3] - bbox(lines[i])[1] for i in region.lines)
        text = " ".join(lines[i].text for i in region.lines).strip()
        if size >= HEADING_OF_UNIT * unit and len(text) >= 2:
            candidates.append((size, region))
    if not candidates:
        return
    sizes = sorted({round(s / unit, 1) for s, _ in candidates}, reverse=True)
    levels: list[float] = []
    for s in sizes:  # sizes within 12% of each other share a level
        if not levels or s < levels[-1] / 1.12:
            levels.append(s)
    top = max(candidates, key=lambda c: c[0])
    body_top = min(
        (r.rect[1] for r in regions if r.kind == "run" and all(r is not c for _, c in candidates)),
        default=page_height,
    )
    has_title = (
        top[0] >= TITLE_OF_UNIT * unit
        and top[1].rect[1] < 0.4 * page_height
        and top[1].rect[1] <= body_top
    )
    for size, region in candidates:
        rank = next(i for i, s in enumerate(levels) if round(size / unit, 1) >= s / 1.12)
        if has_title and region is top[1]:
            region.kind, region.level = "title", 1
        else:
            region.kind = "heading"
            region.level = min(6, max(2, rank + 1) if has_title else rank + 1)
