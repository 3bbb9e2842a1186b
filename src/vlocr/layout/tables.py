"""Tables on a page: ruled grids, unruled columns and a receipt's or invoice's item rows.

Three finders, each claiming the OCR lines it uses so that a line sits in one table at most:

- **ruled** (needs the page image): the horizontal and vertical rules are the ink that survives
  a morphological opening with a long thin kernel; a group of crossing rules with at least two
  of each is a grid. A cell spans two grid columns (rows) where the rule between them is missing
  along it, so merged header cells keep their ``col_span`` / ``row_span``;
- **items**: the item rows that :func:`vlocr.fields.line_items.find_items` reads (name, then
  quantity, unit price and amount where printed), one table row per item, under the printed
  column header when there is one. ``Sourdough Bread ....... 3.49`` is one row of two cells;
- **unruled**: a run of at least three consecutive rows, each with two or more pieces set apart
  by a gap, whose pieces line up in two or more columns (x ranges that no piece crosses). Rows
  of running text have one piece each, and a two-column article is turned down because its
  "cells" are long runs of words: that is the reading order's business, not a table.

Cells hold the indexes of the page's OCR lines, so every interface can point back at the page.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

import numpy as np

from vlocr.fields.line_items import LineItem, find_items
from vlocr.fields.page_lines import PageLines, union_box
from vlocr.ocr.layout import group_rows
from vlocr.results import OcrLine, PageResult, Quad, Table, TableCell

MIN_UNRULED_ROWS = 3
MIN_ITEMS = 2
PROSE_WORDS = 4  # a column whose cells hold this many words (median) reads as running text
RULE_COVER = 0.6  # share of a cell edge a rule must cover to separate two cells


def find_tables(
    lines: list[OcrLine], width: int, height: int, image: np.ndarray | None = None
) -> list[Table]:
    """The tables of one page, top to bottom; ``image`` (the page, original pixels) lets ruled
    tables be found from their rules."""
    if not lines:
        return []
    used: set[int] = set()
    tables: list[Table] = []
    if image is not None:
        for table in ruled_tables(lines, image):
            tables.append(table)
            used.update(i for c in table.cells for i in c.lines)
    items = items_table(lines, width, height, used)
    if items is not None:
        tables.append(items)
        used.update(i for c in items.cells for i in c.lines)
    tables.extend(unruled_tables(lines, used))
    return sorted(tables, key=lambda t: (_top(t.box), _left(t.box)))


def annotate_tables(page: PageResult, image: np.ndarray | None = None) -> PageResult:
    """Fill ``page.tables`` from its lines (and image); the page is returned for chaining."""
    page.tables = find_tables(page.lines, page.width, page.height, image)
    return page


def _top(box: Quad | None) -> float:
    return min(p[1] for p in box) if box else 0.0


def _left(box: Quad | None) -> float:
    return min(p[0] for p in box) if box else 0.0


def _cell(row: int, col: int, idx: list[int], lines: list[OcrLine], text: str = "") -> TableCell:
    idx = sorted(set(idx))
    if not text:
        ordered = sorted(idx, key=lambda i: (lines[i].bbox[1], lines[i].bbox[0]))
        text = " ".join(lines[i].text.strip() for i in ordered)
    return TableCell(
        row=row, col=col, text=text, lines=idx, box=union_box([lines[i].box for i in idx])
    )


def _finish(kind: str, cells: list[TableCell], header_rows: int, box: Quad | None) -> Table:
    n_rows = max((c.row + c.row_span for c in cells), default=0)
    n_cols = max((c.col + c.col_span for c in cells), default=0)
    cells = sorted(cells, key=lambda c: (c.row, c.col))
    return Table(
        kind=kind, box=box, n_rows=n_rows, n_cols=n_cols, header_rows=header_rows, cells=cells
    )


# ---- item rows -----------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"


def items_table(
    lines: list[OcrLine], width: float, height: float, used: set[int] | None = None
) -> Table | None:
    """A receipt's or invoice's item rows as a table: name | qty | unit price | amount (the
    columns the page prints), with the printed header row on top."""
    used = used or set()
    keep = [i for i in range(len(lines)) if i not in used]
    page = PageLines.build([lines[i] for i in keep], width, height)
    block = find_items(page)
    if len(block.items) < MIN_ITEMS:
        return None
    back = dict(enumerate(keep))  # index in the sub-page -> index in the page

    def idx(pieces: list) -> list[int]:
        return [back[p.index] for p in pieces]

    items: list[LineItem] = block.items
    parts = ["name", "amount"]
    parts += [p for p in ("qty", "unit") if any(getattr(it, f"{p}_pieces") for it in items)]
    # what else the item rows print (a tax rate, a tax amount, a barcode): columns of their own
    unit_h = statistics.median(max(1.0, ln.bbox[3] - ln.bbox[1]) for ln in lines)
    extra: list[list[tuple[float, int, int]]] = []  # per extra column: (x, item, page index)
    for n, it in enumerate(items):
        claimed = {id(p.line) for part in parts for p in getattr(it, f"{part}_pieces")}
        for row in (page.rows[r] for r in it.rows):
            for piece in row.pieces:
                if id(piece.line) in claimed:
                    continue
                x = piece.line.bbox[0]
                near = next((c for c in extra if abs(c[0][0] - x) < 2 * unit_h), None)
                if near is None:
                    extra.append(near := [])
                near.append((x, n, back[piece.index]))

    def left(part: str) -> float:  # columns sit where their text starts
        xs = [p.line.bbox[0] for it in items for p in getattr(it, f"{part}_pieces")]
        return statistics.median(xs) if xs else 0.0

    columns: list[tuple[float, str | int]] = [(left(p), p) for p in parts]
    columns += [(statistics.median(x for x, _, _ in col), k) for k, col in enumerate(extra)]
    columns.sort(key=lambda c: c[0])  # left to right, as printed
    cells: list[TableCell] = []
    header_rows = 0
    if block.header is not None:
        by_col: dict[int, list[int]] = {}
        for piece in block.header.pieces:
            x = piece.line.bbox[0]
            col = min(range(len(columns)), key=lambda c: abs(columns[c][0] - x))
            by_col.setdefault(col, []).append(back[piece.index])
        cells += [_cell(0, c, ix, lines) for c, ix in sorted(by_col.items())]
        header_rows = 1
    for r, it in enumerate(items, start=header_rows):
        texts = {
            "name": it.name,
            "qty": _fmt(it.qty) if it.qty_pieces else "",
            "unit": _fmt(it.unit_price) if it.unit_pieces else "",
            "amount": it.amount_text,
        }
        for c, (_, key) in enumerate(columns):
            if isinstance(key, int):
                ix = [i for _, n, i in extra[key] if n == r - header_rows]
                text = ""
            else:
                ix, text = idx(getattr(it, f"{key}_pieces")), texts[key]
            if ix or text:
                cells.append(_cell(r, c, ix, lines, text))
    box = union_box([lines[i].box for c in cells for i in c.lines])
    return _finish("items", cells, header_rows, box)


# ---- unruled columns -----------------------------------------------------------------------


@dataclass
class _Seg:
    """Pieces of a row that sit together (no gap between them wider than a line height)."""

    idx: list[int]
    x0: float
    x1: float


def _segments(row: list[tuple[int, OcrLine]], unit: float) -> list[_Seg]:
    segs: list[_Seg] = []
    for i, ln in row:
        x0, _, x1, _ = ln.bbox
        if segs and x0 - segs[-1].x1 < 0.8 * unit:
            segs[-1].idx.append(i)
            segs[-1].x1 = max(segs[-1].x1, x1)
        else:
            segs.append(_Seg([i], x0, x1))
    return segs


def _columns(rows: list[list[_Seg]]) -> list[tuple[float, float]]:
    """x ranges no piece crosses: the union of the pieces' ranges, merged where they overlap."""
    spans = sorted((s.x0, s.x1) for row in rows for s in row)
    cols: list[list[float]] = []
    for x0, x1 in spans:
        if cols and x0 <= cols[-1][1]:
            cols[-1][1] = max(cols[-1][1], x1)
        else:
            cols.append([x0, x1])
    return [(a, b) for a, b in cols]


def _wordiness(text: str) -> float:
    """Words in a text, two CJK characters counting as one (CJK prints no spaces)."""
    cjk = sum(1 for ch in text if "\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af")
    latin = len(re.findall(r"[^\W\d_]{2,}", re.sub(r"[\u3040-\u9fff\uac00-\ud7af]", " ", text)))
    return latin + cjk / 2


def _flows(cells: list[str]) -> bool:
    """A column whose cells run on as sentences: at least half of the cells below another one
    go on from it (start in lower case, or follow a hyphen), as the lines of a narrow text
    column do; a table's cells each start afresh."""
    pairs = [(a.strip(), b.strip()) for a, b in zip(cells, cells[1:], strict=False)]
    pairs = [(a, b) for a, b in pairs if a and b]
    on = sum(1 for a, b in pairs if b[0].islower() or a.endswith("-"))
    return len(pairs) >= 2 and on >= 0.5 * len(pairs)


def _looks_like_prose(grid: list[list[list[int]]], lines: list[OcrLine], n_cols: int) -> bool:
    """Running text: two columns (or every one) of cells of PROSE_WORDS words or more (median)
    or of a few words that run on from cell to cell (a narrow newspaper column's lines), or one
    column of long cells that run on (a text column beside a picture or a scan's lines)."""
    prose = 0
    for c in range(n_cols):
        texts = [" ".join(lines[i].text for i in row[c]) for row in grid if row[c]]
        words = [_wordiness(t) for t in texts]
        if not words:
            continue
        median = statistics.median(words)
        if median >= PROSE_WORDS and _flows(texts):
            return True
        if median >= PROSE_WORDS or (median >= 2 and _flows(texts)):
            prose += 1
    return prose >= 2 or prose == n_cols


def _unruled(run: list[list[_Seg]], lines: list[OcrLine]) -> Table | None:
    cols = _columns(run)
    if len(cols) < 2:
        return None
    grid: list[list[list[int]]] = []
    for row in run:
        slots: list[list[int]] = [[] for _ in cols]
        for seg in row:
            c = next(k for k, (a, b) in enumerate(cols) if a <= seg.x0 <= b)
            slots[c].extend(seg.idx)
        grid.append(slots)
    filled = [sum(1 for row in grid if row[c]) for c in range(len(cols))]
    if sum(f >= 0.5 * len(grid) for f in filled) < 2:
        return None
    if _looks_like_prose(grid, lines, len(cols)):
        return None
    # a first row of words over rows that carry numbers is the header
    first = [i for c in grid[0] for i in c]
    later = [i for row in grid[1:] for c in row for i in c]
    digits = any(ch.isdigit() for i in later for ch in lines[i].text)
    numeric = re.compile(r"[-+$%.,\d]*\d[-+$%.,\d]*")
    header = int(digits and not any(numeric.fullmatch(lines[i].text.strip()) for i in first))
    cells = [_cell(r, c, ix, lines) for r, row in enumerate(grid) for c, ix in enumerate(row) if ix]
    box = union_box([lines[i].box for c in cells for i in c.lines])
    return _finish("unruled", cells, header, box)


def unruled_tables(lines: list[OcrLine], used: set[int] | None = None) -> list[Table]:
    """Runs of consecutive rows with two or more aligned pieces, as tables."""
    used = used or set()
    free = [ln for i, ln in enumerate(lines) if i not in used]
    if not free:
        return []
    index = {id(ln): i for i, ln in enumerate(lines)}
    unit = statistics.median(max(1.0, ln.bbox[3] - ln.bbox[1]) for ln in free)
    tables: list[Table] = []
    run: list[list[_Seg]] = []
    last_bottom = None
    for row in group_rows(free):
        segs = _segments([(index[id(ln)], ln) for ln in row], unit)
        top = min(ln.bbox[1] for ln in row)
        near = last_bottom is None or top - last_bottom <= 2.5 * unit
        if len(segs) >= 2 and near:
            run.append(segs)
        else:
            if len(run) >= MIN_UNRULED_ROWS:
                table = _unruled(run, lines)
                if table is not None:
                    tables.append(table)
            run = [segs] if len(segs) >= 2 else []
        last_bottom = max(ln.bbox[3] for ln in row)
    if len(run) >= MIN_UNRULED_ROWS:
        table = _unruled(run, lines)
        if table is not None:
            tables.append(table)
    return tables


# ---- ruled grids ---------------------------------------------------------------------------


def _rule_masks(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical rules: ink that survives opening with a long thin kernel."""
    import cv2

    from vlocr.preprocess._util import check_image, to_gray

    gray = to_gray(check_image(image))
    ink = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15
    )
    h, w = ink.shape
    horiz = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(25, w // 30), 1))
    )
    vert = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(25, h // 40)))
    )
    return horiz > 0, vert > 0


def _positions(profile: np.ndarray, threshold: float) -> list[int]:
    """Centres of the runs where ``profile`` reaches ``threshold`` (one per drawn rule)."""
    out: list[int] = []
    run: list[int] = []
    for i, v in enumerate(profile):
        if v >= threshold:
            run.append(i)
        elif run:
            out.append(int(statistics.mean(run)))
            run = []
    if run:
        out.append(int(statistics.mean(run)))
    return out


def ruled_tables(lines: list[OcrLine], image: np.ndarray) -> list[Table]:
    """Grids drawn with rules: cells (with spans where a rule is missing) and their lines."""
    import cv2

    horiz, vert = _rule_masks(image)
    both = (horiz | vert).astype(np.uint8)
    both = cv2.dilate(both, np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(both, connectivity=8)
    tables = []
    for k in range(1, n):
        x, y, w, h, _ = (int(v) for v in stats[k])
        if w < 40 or h < 30:
            continue
        hs = horiz[y : y + h, x : x + w]
        vs = vert[y : y + h, x : x + w]
        ys = _positions(hs.sum(axis=1), 0.3 * w)
        xs = _positions(vs.sum(axis=0), 0.3 * h)
        if len(ys) < 3 or len(xs) < 3:
            continue  # a frame, or a box with one divider: not a grid
        table = _grid(lines, hs, vs, [x + v for v in xs], [y + v for v in ys], x, y)
        if table is not None:
            tables.append(table)
    return tables


def _grid(
    lines: list[OcrLine],
    hs: np.ndarray,
    vs: np.ndarray,
    xs: list[int],
    ys: list[int],
    ox: int,
    oy: int,
) -> Table | None:
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_cols))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def covered(mask: np.ndarray, fixed: int, lo: int, hi: int, vertical: bool) -> bool:
        lo, hi = lo + 3, hi - 3
        if hi <= lo:
            return True
        if vertical:
            strip = mask[lo - oy : hi - oy, max(0, fixed - ox - 3) : fixed - ox + 4]
            hit = strip.any(axis=1)
        else:
            strip = mask[max(0, fixed - oy - 3) : fixed - oy + 4, lo - ox : hi - ox]
            hit = strip.any(axis=0)
        return bool(hit.size) and float(hit.mean()) >= RULE_COVER

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not covered(vs, xs[c + 1], ys[r], ys[r + 1], True):
                parent[find(r * n_cols + c + 1)] = find(r * n_cols + c)
            if r + 1 < n_rows and not covered(hs, ys[r + 1], xs[c], xs[c + 1], False):
                parent[find((r + 1) * n_cols + c)] = find(r * n_cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(find(r * n_cols + c), []).append((r, c))
    owner: dict[int, list[int]] = {}
    for i, ln in enumerate(lines):
        cx, cy = (ln.bbox[0] + ln.bbox[2]) / 2, (ln.bbox[1] + ln.bbox[3]) / 2
        if not (xs[0] < cx < xs[-1] and ys[0] < cy < ys[-1]):
            continue
        r = next(k for k in range(n_rows) if cy < ys[k + 1])
        c = next(k for k in range(n_cols) if cx < xs[k + 1])
        owner.setdefault(find(r * n_cols + c), []).append(i)
    if len(owner) < 2 or len(groups) < 3:
        return None  # a form box with no text, or rules that enclose a single block
    cells = []
    for root, members in groups.items():
        r0, c0 = min(m[0] for m in members), min(m[1] for m in members)
        r1, c1 = max(m[0] for m in members), max(m[1] for m in members)
        cell = _cell(r0, c0, owner.get(root, []), lines)
        cell.row_span, cell.col_span = r1 - r0 + 1, c1 - c0 + 1
        cell.box = [
            (float(xs[c0]), float(ys[r0])),
            (float(xs[c1 + 1]), float(ys[r0])),
            (float(xs[c1 + 1]), float(ys[r1 + 1])),
            (float(xs[c0]), float(ys[r1 + 1])),
        ]
        cells.append(cell)
    box: Quad = [
        (float(xs[0]), float(ys[0])),
        (float(xs[-1]), float(ys[0])),
        (float(xs[-1]), float(ys[-1])),
        (float(xs[0]), float(ys[-1])),
    ]
    return _finish("ruled", cells, 1 if n_rows >= 2 else 0, box)
