"""The page as layout blocks in reading order: ``analyse_layout`` fills ``PageResult.blocks``.

1. Tables (``page.tables``) and figures (ink no OCR line explains, ``regions.find_figures``)
   take the lines inside them and stand in the flow as one box each.
2. On pages of running text, header / footer / page-number rows at the page's edges are set
   aside (read first and last), and a narrow strip of side notes in the outer margin too.
3. The rest, with the table and figure boxes, goes through the XY-cut of ``ocr.layout``
   (columns left to right; a headline, a full-width figure or caption cuts the page into
   sections read top-down), and each column's rows are cut into runs (``regions.split_runs``).
4. Runs get their kind: list (two or more items), heading / title (text taller than the body),
   caption (the run touching a figure or table below or above it, or one starting "Figure 2"),
   rows (a receipt's item and price) or paragraph; side notes go after the last block beside them.
5. ``apply_reading_order`` then puts ``page.lines`` in that order and makes ``page.text`` the
   blocks' rows (``reading_text``), so the text, JSON, hOCR / ALTO and Markdown agree.
"""

from __future__ import annotations

import re

import numpy as np

from vlocr.layout.regions import (
    CAPTION,
    Rect,
    Region,
    bbox,
    body_unit,
    find_figures,
    furniture,
    heading_levels,
    inside,
    is_item_start,
    is_rows,
    running_text,
    split_runs,
    tighten,
    union,
)
from vlocr.ocr.layout import group_rows, reading_blocks
from vlocr.results import LayoutBlock, OcrLine, PageResult, Quad, Table

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _quad(rect: Rect) -> Quad:
    x0, y0, x1, y1 = (round(v, 1) for v in rect)
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def join_lines(texts: list[str]) -> str:
    """One paragraph from its printed lines: a word broken by a hyphen at a line end is made
    whole again (``experi-`` + ``ment``), Chinese and Japanese lines join without a space."""
    out = ""
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if not out:
            out = text
        elif re.search(r"[^\W\d_][-¬]$", out) and text[:1].islower():
            out = out[:-1] + text
        elif re.search(r"[^\W\d_]-$", out):
            out += text  # a compound broken at its hyphen: keep the hyphen
        elif _CJK.match(out[-1]) and _CJK.match(text[0]):
            out += text
        else:
            out += " " + text
    return out


def _row_text(lines: list[OcrLine], row: list[int]) -> str:
    return " ".join(lines[i].text for i in row if lines[i].text)


def analyse_layout(page: PageResult, image: np.ndarray | None = None) -> PageResult:
    """Fill ``page.blocks`` with the page's layout regions in reading order and return the page.
    ``image`` (the page in the coordinates of its lines) lets figures be found; without it,
    only tables already on the page stand for non-text regions."""
    lines = page.lines
    n = len(lines)
    if not n or page.error is not None:
        page.blocks = []
        return page
    rects = [bbox(ln) for ln in lines]
    unit = body_unit(lines)
    taken: set[int] = set()
    objects: list[tuple[str, Rect, int | None, list[int]]] = []
    figures = find_figures(image, lines, unit) if image is not None else []
    if figures:
        page.tables = [t for t in page.tables if not _across_frame(t, rects, figures)]
        # ink over a table is its own rules and shading (a form's grid), not a picture: as a
        # figure it would take the rows between the table's and read them apart from it
        boxes = [_table_rect(t, rects) for t in page.tables]
        figures = [f for f in figures if not any(_overlaps(f, b) for b in boxes if b)]
        figures = [f for f in figures if not _text_columns(f, rects, unit)]
    for t, table in enumerate(page.tables):
        members = {i for cell in table.cells for i in cell.lines if 0 <= i < n}
        box: Rect | None = (
            union([(p[0], p[1], p[0], p[1]) for p in table.box]) if table.box else None
        )
        if box is not None:
            members |= {i for i in range(n) if inside(rects[i], box)}
        if not members and box is None:
            continue
        rect = union(([box] if box else []) + [rects[i] for i in members])
        objects.append(("table", rect, t, sorted(members - taken)))
        taken |= members
    if image is not None:
        for fig in figures:
            members = {i for i in range(n) if i not in taken and inside(rects[i], fig)}
            if len(members) > 0.5 * n:
                continue  # the whole page is one scan (a receipt photo), not a figure on a page
            rect = union([fig] + [rects[i] for i in members])
            objects.append(("figure", rect, None, sorted(members)))
            taken |= members
    free = [i for i in range(n) if i not in taken]
    if free:
        unit = body_unit([lines[i] for i in free])
    prose = running_text([lines[i] for i in free], unit)
    index = {id(lines[i]): i for i in free}
    all_rows = [[index[id(ln)] for ln in row] for row in group_rows([lines[i] for i in free])]
    furn = (
        furniture(lines, all_rows, page.height or max(r[3] for r in rects), unit) if prose else {}
    )
    body = [i for i in free if i not in furn]
    notes = _side_notes(lines, body, unit) if prose else []
    main = [i for i in body if i not in set(notes)]

    # a table or figure enters the XY-cut as a stack of full-width lines, so that it reads as
    # part of the column it stands in (or as a band across columns) like text of its size
    pseudo: list[OcrLine] = []
    obj_of: dict[int, int] = {}
    for k, obj in enumerate(objects):
        x0, y0, x1, y1 = obj[1]
        y = y0
        while y < y1 - 1:
            line = OcrLine(text="", box=_quad((x0, y, x1, min(y1, y + unit))), confidence=1.0)
            obj_of[id(line)] = k
            pseudo.append(line)
            y += 1.5 * unit
    items = [lines[i] for i in main] + pseudo
    regions: list[Region] = []
    emitted: set[int] = set()
    for block in reading_blocks(items):
        pending: list[list[int]] = []
        for row in group_rows(block):
            objs = [obj_of[id(x)] for x in row if id(x) in obj_of]
            text = [index[id(x)] for x in row if id(x) not in obj_of]
            if objs:
                regions.extend(split_runs(lines, pending, unit))
                pending = []
                for k in dict.fromkeys(objs):
                    if k in emitted:
                        continue
                    emitted.add(k)
                    o_kind, o_rect, o_table, o_lines = objects[k]
                    regions.append(Region(o_kind, [o_lines], o_rect, table=o_table, figure=k))
            if text:
                pending.append(text)
        regions.extend(split_runs(lines, pending, unit))
    regions = _lists(lines, regions)
    _captions(lines, regions, unit)
    heading_levels(lines, regions, unit, page.height or max(r[3] for r in rects))
    for region in regions:
        if region.kind == "run":
            # off running text (a receipt, a form) every row keeps its line
            rows = not prose or is_rows(lines, region, unit)
            region.kind = "text" if rows else "paragraph"
        elif region.kind == "item":
            region.kind = "paragraph"
    regions = _rejoin(lines, regions)
    if notes:
        _insert_notes(lines, regions, notes, unit)

    page_h = page.height or max(r[3] for r in rects)
    edge = [Region(furn[i], [[i]], rects[i]) for row in all_rows for i in row if i in furn]
    head = [r for r in edge if r.rect[1] < page_h / 2]
    tail = [r for r in edge if r.rect[1] >= page_h / 2]
    if image is not None:  # region boxes hug the ink, not the detector's padded line boxes
        gray = image if image.ndim == 2 else image[..., :3].mean(axis=2)
        for region in head + regions + tail:
            if region.kind not in ("figure", "table"):
                region.rect = tighten(region.rect, gray)
    page.blocks = [_block(lines, r) for r in head + regions + tail]
    return page


def _across_frame(table: Table, rects: list[Rect], figures: list[Rect]) -> bool:
    """A "table" whose cells take lines both inside a figure and outside every figure: text of
    a column paired row by row with a framed scan's lines beside it (a receipt printed next to
    an article), not a table; a table wholly inside a figure or wholly outside is kept."""
    members = {i for cell in table.cells for i in cell.lines if 0 <= i < len(rects)}
    within = {i for i in members if any(inside(rects[i], fig) for fig in figures)}
    return bool(within) and within != members


def _text_columns(fig: Rect, rects: list[Rect], unit: float) -> bool:
    """Ink around lines that are the page's own body text: ten or more lines inside, 80% of
    them at the body's text height and 60% of them ten line heights wide or more. That is
    columns of text between column rules (a newspaper's), not a picture; a scan's or a chart's
    lines differ in size or are short."""
    own = [r for r in rects if inside(r, fig)]
    if len(own) < 10:
        return False
    body = sum(1 for r in own if abs((r[3] - r[1]) - unit) <= 0.15 * unit)
    wide = sum(1 for r in own if r[2] - r[0] >= 10 * unit)
    return body >= 0.8 * len(own) and wide >= 0.6 * len(own)


def _table_rect(table: Table, rects: list[Rect]) -> Rect | None:
    members = [rects[i] for cell in table.cells for i in cell.lines if 0 <= i < len(rects)]
    if table.box:
        members.append(union([(p[0], p[1], p[0], p[1]) for p in table.box]))
    return union(members) if members else None


def _overlaps(a: Rect, b: Rect) -> bool:
    """The two boxes share a third or more of the smaller one's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return False
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h >= small / 3


def _side_notes(lines: list[OcrLine], body: list[int], unit: float) -> list[int]:
    """Lines of a narrow strip in the left or right margin, beside the text columns: a gap of
    0.6 line heights or more that no line crosses, top to bottom, and on its far side less than a fifth of the text's
    width, a few lines of words (not a column of numbers)."""
    if len(body) < 10:
        return []
    rects = {i: bbox(lines[i]) for i in body}
    x0 = min(r[0] for r in rects.values())
    x1 = max(r[2] for r in rects.values())
    span = x1 - x0
    step = max(1.0, unit / 4)
    xs = [x0 + step * k for k in range(1, int(span / step))]
    free = [not any(r[0] < x < r[2] for r in rects.values()) for x in xs]
    runs: list[tuple[float, float]] = []
    start = None
    for x, ok in zip(xs + [x1], free + [False], strict=True):
        if ok and start is None:
            start = x
        elif not ok and start is not None:
            if x - start >= 0.6 * unit:
                runs.append((start, x))
            start = None
    for strip in (
        [i for i in body if runs and rects[i][0] >= runs[-1][1] - step],
        [i for i in body if runs and rects[i][2] <= runs[0][0] + step],
    ):
        if not strip or len(strip) > 0.25 * len(body) or len(strip) < 2:
            continue
        width = max(rects[i][2] for i in strip) - min(rects[i][0] for i in strip)
        text = "".join(lines[i].text for i in strip)
        letters = sum(ch.isalpha() for ch in text)
        if width < 0.2 * span and letters >= 0.6 * max(1, len(text.replace(" ", ""))):
            return strip
    return []


def _insert_notes(
    lines: list[OcrLine], regions: list[Region], notes: list[int], unit: float
) -> None:
    """Side notes, cut into runs, each after the last block (in reading order) beside it."""
    index = {id(lines[i]): i for i in notes}
    rows = [[index[id(ln)] for ln in row] for row in group_rows([lines[i] for i in notes])]
    for run in split_runs(lines, rows, unit):
        run.kind = "paragraph"
        top, bottom = run.rect[1], run.rect[3]
        at = None
        for k, region in enumerate(regions):
            if region.rect[1] < bottom and region.rect[3] > top:
                at = k
        if at is None:
            at = sum(1 for r in regions if r.rect[1] < top) - 1
        regions.insert(at + 1, run)


def _rejoin(lines: list[OcrLine], regions: list[Region]) -> list[Region]:
    """A paragraph's last row that the XY-cut set apart (it stops short of the gutter under a
    full-width paragraph) joins it again: one row right below, at the same left margin and
    size, no further down than the paragraph's own line spacing."""
    out: list[Region] = []
    for region in regions:
        prev = out[-1] if out else None
        if prev is not None and prev.kind == region.kind == "paragraph" and len(region.rows) == 1:
            rows = [union([bbox(lines[i]) for i in row]) for row in prev.rows]
            last = union([bbox(lines[i]) for i in region.rows[0]])
            h = rows[-1][3] - rows[-1][1]
            step = rows[-1][1] - rows[-2][1] if len(rows) >= 2 else 1.8 * h
            # the margin of the paragraph's rows after its (maybe indented) first one
            margin = min(r[0] for r in rows[1:]) if len(rows) >= 2 else rows[0][0]
            lo = margin - (0.5 if len(rows) >= 2 else 3.0) * h
            if (
                lo <= last[0] <= margin + 0.5 * h
                and abs((last[3] - last[1]) - h) < 0.3 * h
                and 0 < last[1] - rows[-1][1] <= step + 0.3 * h
            ):
                prev.rows.append(region.rows[0])
                prev.rect = union([prev.rect, region.rect])
                continue
        out.append(region)
    return out


def _lists(lines: list[OcrLine], regions: list[Region]) -> list[Region]:
    """Two or more items in a row (with any rows that continue them) make one list."""
    out: list[Region] = []
    k = 0
    while k < len(regions):
        if regions[k].kind != "item":
            out.append(regions[k])
            k += 1
            continue
        j = k
        while j + 1 < len(regions) and regions[j + 1].kind == "item":
            j += 1
        group = regions[k : j + 1]
        if len(group) >= 2:
            merged = Region("list", [row for r in group for row in r.rows])
            merged.rect = union([r.rect for r in group])
            out.append(merged)
        else:
            out.append(Region("run", group[0].rows, group[0].rect))
        k = j + 1
    return out


def _captions(lines: list[OcrLine], regions: list[Region], unit: float) -> None:
    """The run just below a figure or table (or just above, when it reads "Table 2 ..."),
    touching it and overlapping it across, is its caption."""
    for k, region in enumerate(regions):
        if region.kind not in ("figure", "table"):
            continue
        r = region.rect
        for j, below in ((k + 1, True), (k - 1, False)):
            if not 0 <= j < len(regions) or regions[j].kind not in ("run", "item"):
                continue
            c = regions[j].rect
            gap = c[1] - r[3] if below else r[1] - c[3]
            across = min(r[2], c[2]) - max(r[0], c[0]) > 0.3 * min(r[2] - r[0], c[2] - c[0])
            text = _row_text(lines, regions[j].rows[0])
            if (
                across
                and -unit < gap < 2.5 * unit
                and (
                    CAPTION.match(text)
                    # without "Figure 2": a short run under the figure, no wider than it (a
                    # form's title under its logo is not the logo's caption)
                    or (
                        below
                        and len(regions[j].rows) <= 3
                        and c[0] >= r[0] - 2 * unit
                        and c[2] <= r[2] + 2 * unit
                    )
                )
            ):
                regions[j].kind = "caption"
                break


def _block(lines: list[OcrLine], region: Region) -> LayoutBlock:
    if region.kind == "paragraph" or region.kind in ("title", "heading", "caption"):
        text = join_lines([_row_text(lines, row) for row in region.rows])
    elif region.kind == "list":
        items: list[list[str]] = []
        for row in region.rows:
            t = _row_text(lines, row)
            if is_item_start(t) or not items:
                items.append([t])
            else:
                items[-1].append(t)
        text = "\n".join(join_lines(item) for item in items)
    else:
        text = "\n".join(_row_text(lines, row) for row in region.rows)
    return LayoutBlock(
        kind=region.kind,
        box=_quad(region.rect),
        lines=region.lines,
        text=text if region.kind != "figure" else "",
        level=region.level,
        table=region.table,
    )


def block_rows(page: PageResult) -> list[tuple[LayoutBlock, list[list[int]]]]:
    """Each block with its visual rows (indexes into ``page.lines``), rows top-down, pieces of a
    row left to right: the one reading order that ``page.text``, ``page.lines`` and every export
    follow once the page has been analysed."""
    n = len(page.lines)
    out: list[tuple[LayoutBlock, list[list[int]]]] = []
    for block in page.blocks:
        members = [i for i in block.lines if 0 <= i < n]
        index = {id(page.lines[i]): i for i in members}
        rows = group_rows([page.lines[i] for i in members])
        out.append((block, [[index[id(ln)] for ln in row] for row in rows]))
    return out


def reading_text(page: PageResult, *, figures: bool = True) -> str:
    """The page's text in the blocks' reading order: one visual row a line, a blank line between
    blocks (paragraph, heading, table, a receipt's run of rows, ...); a figure's own text stays
    in its place unless ``figures`` is False. Empty when the page has no blocks. Once
    ``apply_reading_order`` has run, this is ``page.text``."""
    parts: list[str] = []
    for block, rows in block_rows(page):
        if block.kind == "figure" and not figures:
            continue
        text = "\n".join(_row_text(page.lines, row) for row in rows)
        if text.strip():
            parts.append(text)
    return "\n\n".join(parts)


def follows_layout(page: PageResult) -> bool:
    """Whether the page's text and lines may take the blocks' order: every line in exactly one
    block, a page of running text (where columns, figures and headers make the order) and one
    the layout understands (upright horizontal lines). Otherwise the engine's own order stays:
    a receipt or a form (rows of pieces: the row order holds, while a framed box of fields read
    as a figure or a table claiming part of a row would move text away from its row), a page
    read turned (its lines mapped back run up or down the image), vertical CJK text (the layout
    reads rows only), blocks that do not cover the lines, or a block of text that spans a
    column gutter (the layout merged columns: its rows would run across them)."""
    n = len(page.lines)
    if n < 2 or not page.blocks or page.error is not None:
        return False
    seen = sorted(i for block in page.blocks for i in block.lines)
    if seen != list(range(n)) or not _text_page(page.lines):
        return False
    if _spans_a_gutter(page):
        return False
    tall = sideways = 0
    for line in page.lines:
        (x0, y0), (x1, y1), _, (x3, y3) = line.box[:4]
        dx, dy = x1 - x0, y1 - y0
        # the box's first edge runs along the text: a line read on a turned page points up,
        # down or left once its box is mapped back onto the image
        if dx <= 0 or abs(dy) > abs(dx):
            sideways += 1
        width, height = (dx * dx + dy * dy) ** 0.5, ((x3 - x0) ** 2 + (y3 - y0) ** 2) ** 0.5
        if len(line.text.strip()) >= 2 and height > 1.5 * width:
            tall += 1
    return sideways <= 0.2 * n and tall <= 0.3 * n


_TEXT_BLOCKS = ("text", "paragraph", "list")


def _spans_a_gutter(page: PageResult) -> bool:
    """Whether a block of text holds two columns: its lines leave a vertical strip of white, at
    least 1.5 body-line heights wide, from the block's top to its bottom, with two or more lines
    on each side. A paragraph's own lines cross any such strip; columns the layout failed to
    separate (lines aligned across a narrow gutter) do not."""
    unit = body_unit(page.lines)
    for block in page.blocks:
        if block.kind not in _TEXT_BLOCKS or len(block.lines) < 4:
            continue
        spans = sorted((page.lines[i].bbox[0], page.lines[i].bbox[2]) for i in block.lines)
        reach = spans[0][1]
        for k, (x0, x1) in enumerate(spans[1:], start=1):
            if x0 - reach >= 1.5 * unit and k >= 2 and len(spans) - k >= 2:
                return True
            reach = max(reach, x1)
    return False


def _text_page(lines: list[OcrLine]) -> bool:
    """Running text (``regions.running_text``: a third of the lines 15+ line heights long), or
    narrow columns of it: half of the lines 10+ line heights long (a Chinese column of 12-14
    characters a line, a newspaper's). A receipt's or a form's rows of short pieces are neither."""
    unit = body_unit(lines)
    if running_text(lines, unit):
        return True
    wide = sum(1 for ln in lines if ln.bbox[2] - ln.bbox[0] >= 10 * unit)
    return len(lines) >= 6 and wide >= 0.5 * len(lines)


def apply_reading_order(page: PageResult) -> PageResult:
    """Put ``page.lines`` in the blocks' reading order and make ``page.text`` their text
    (``reading_text``); the line indexes in ``page.blocks`` and ``page.tables`` follow. A page
    ``follows_layout`` refuses keeps the engine's order and text."""
    if not follows_layout(page):
        return page
    per_block = block_rows(page)
    order = [i for _, rows in per_block for row in rows for i in row]
    new = {old: k for k, old in enumerate(order)}
    page.lines = [page.lines[i] for i in order]
    for block, rows in per_block:
        block.lines = [new[i] for row in rows for i in row]
    for table in page.tables:
        for cell in table.cells:
            cell.lines = sorted(new[i] for i in cell.lines if i in new)
    page.text = reading_text(page)
    return page
