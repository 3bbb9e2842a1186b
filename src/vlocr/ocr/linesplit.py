"""Splitting a detected text box where its ink has a gap far wider than any word space.

The detector sometimes joins text that only sits on one row: the last characters of a Chinese
column with the first of the column beside it across a narrow gutter, or a form's label with a
value printed far to its right. One box then holds two pieces of text, and every later step (the
reading order above all) sees one line where the page has two. A blank run of the crop at least
``GAP_OF_TEXT_HEIGHT`` times the inked text height is never a space inside one piece of text (a
word space is a third to a half of it), so the box is cut there, on the ink's own edges.

Where the joined box reached over the first characters of the next column, the same characters
were also read in that column's own box: a piece that lies inside another line's box and repeats
its text is dropped (:func:`drop_repeated_pieces`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from vlocr.ocr.rawline import CharSpan, RawLine
from vlocr.ocr.spacing import blank_span

GAP_OF_TEXT_HEIGHT = 1.2
SHORT_REPEAT = 2  # boxes of at most this many characters may be repeats of a neighbour's
RULE_OF_TEXT_HEIGHT = 0.15  # an ink run this narrow between two read letters is a rule


def split_at_wide_gaps(line: RawLine, ratio: float = GAP_OF_TEXT_HEIGHT) -> list[RawLine]:
    """``line`` cut at every blank run of its crop wider than ``ratio`` x its text height that
    falls between two decoded characters; the line itself when there is none."""
    if line.ink is None or not line.text_height or len(line.chars) < 2:
        return [line]
    ink, height = line.ink, float(line.text_height)
    floor = max(1, int(round(0.05 * height)))
    cuts: list[tuple[int, int]] = []  # (blank start, blank end) in crop columns
    for a, b in zip(line.chars, line.chars[1:], strict=False):
        if a.char.isspace() or b.char.isspace():
            continue
        start, end = blank_span(ink, a.center, b.center, floor, RULE_OF_TEXT_HEIGHT * height)
        if end - start >= ratio * height:
            cuts.append((start, end))
    if not cuts:
        return [line]
    pieces: list[RawLine] = []
    lo = 0
    for start, end in [*cuts, (line.crop_width, line.crop_width)]:
        chars = [c for c in line.chars if lo <= c.center < start]
        while chars and chars[0].char.isspace():
            chars.pop(0)
        while chars and chars[-1].char.isspace():
            chars.pop()
        if chars:
            pieces.append(_piece(line, lo, start, chars))
        lo = end
    return pieces if len(pieces) > 1 else [line]


def _piece(line: RawLine, x0: int, x1: int, chars: list[CharSpan]) -> RawLine:
    """The part of ``line`` between crop columns ``x0`` and ``x1``, with its own boxes."""
    assert line.ink is not None
    width = max(1, line.crop_width)
    t0, t1 = x0 / width, x1 / width
    crop_box = _sub_quad(line.crop_box, t0, t1)
    box = _sub_quad(line.box, _along(line.box, crop_box[0]), _along(line.box, crop_box[1]))
    return replace(
        line,
        text="".join(c.char for c in chars),
        confidence=float(np.mean([c.prob for c in chars])),
        box=box,
        crop_box=crop_box,
        crop_width=x1 - x0,
        chars=[replace(c, x0=c.x0 - x0, x1=c.x1 - x0) for c in chars],
        ink=line.ink[x0:x1],
    )


def _sub_quad(quad: np.ndarray, t0: float, t1: float) -> np.ndarray:
    """The part of a quad between fractions ``t0`` and ``t1`` of its length (top and bottom
    edges cut at the same fractions)."""
    q = np.asarray(quad, np.float32)
    top, bottom = q[1] - q[0], q[2] - q[3]
    return np.array(
        [q[0] + top * t0, q[0] + top * t1, q[3] + bottom * t1, q[3] + bottom * t0], np.float32
    )


def _along(quad: np.ndarray, point: np.ndarray) -> float:
    """Where ``point`` falls along the quad's top edge, as a fraction clipped to [0, 1]."""
    q = np.asarray(quad, np.float32)
    edge = q[1] - q[0]
    length2 = float(edge @ edge)
    if length2 <= 0:
        return 0.0
    return float(min(1.0, max(0.0, (np.asarray(point) - q[0]) @ edge / length2)))


def drop_repeated_pieces(lines: list[RawLine], pieces: set[int]) -> list[RawLine]:
    """``lines`` without the split-off pieces (indexes in ``pieces``) and the one- or two-letter
    boxes whose text sits inside another line's box and begins or ends that line's text: the
    detector read those letters twice (once in a box reaching over into the next column)."""
    bounds = [(ln.box.min(axis=0), ln.box.max(axis=0)) for ln in lines]
    kept = []
    for i, line in enumerate(lines):
        text = line.text.strip()
        if (i in pieces or len(text) <= SHORT_REPEAT) and text:
            cx, cy = _text_centre(line)
            if any(
                j != i
                and lo[0] <= cx <= hi[0]
                and lo[1] <= cy <= hi[1]
                and len(lines[j].text.strip()) > len(text)
                and _begins_or_ends(lines[j].text.strip(), text)
                for j, (lo, hi) in enumerate(bounds)
            ):
                continue
        kept.append(line)
    return kept


def _text_centre(line: RawLine) -> tuple[float, float]:
    """Image point at the middle of the line's decoded characters (its box's centre without)."""
    solid = [c for c in line.chars if not c.char.isspace()]
    if not solid or line.crop_width <= 0:
        cx, cy = line.box.mean(axis=0)
        return float(cx), float(cy)
    t = (solid[0].x0 + solid[-1].x1) / 2 / line.crop_width
    q = _sub_quad(line.crop_box, t, t)
    cx, cy = q.mean(axis=0)
    return float(cx), float(cy)


def _begins_or_ends(text: str, part: str) -> bool:
    return text.startswith(part) or text.endswith(part)
