"""Word boxes for exports: the engine's own word boxes when it gave them, else an even split.

hOCR, ALTO and the PDF text layer all place text word by word. Engines that return only line
boxes get their line split at spaces, each word given a share of the line's width in proportion
to its characters; a line without spaces (Chinese, Japanese) stays one word.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vlocr.results import OcrLine, Quad


@dataclass(frozen=True)
class PlacedWord:
    """A word with an axis-aligned box (x0, y0, x1, y1) in page pixels and the line's angle."""

    text: str
    bbox: tuple[float, float, float, float]
    confidence: float
    angle: float = 0.0  # degrees, counter-clockwise, of the line's baseline


def quad_bbox(box: Quad) -> tuple[float, float, float, float]:
    xs = [p[0] for p in box]
    ys = [p[1] for p in box]
    return min(xs), min(ys), max(xs), max(ys)


def line_angle(box: Quad) -> float:
    """Baseline angle in degrees (counter-clockwise positive, as PDF rotates) of a 4-point box."""
    (x0, y0), (x1, y1) = box[3], box[2]  # bottom-left, bottom-right
    if x1 == x0 and y1 == y0:
        (x0, y0), (x1, y1) = box[0], box[1]
    return -math.degrees(math.atan2(y1 - y0, x1 - x0))


def line_words(line: OcrLine) -> list[PlacedWord]:
    """The words of ``line`` with boxes, in reading order; empty words are dropped."""
    angle = line_angle(line.box)
    if line.words and all(w.box for w in line.words):
        return [
            PlacedWord(
                w.text,
                quad_bbox(w.box),  # type: ignore[arg-type]
                w.confidence if w.confidence is not None else line.confidence,
                angle,
            )
            for w in line.words
            if w.text.strip()
        ]
    tokens = line.text.split()
    if not tokens:
        return []
    x0, y0, x1, y1 = quad_bbox(line.box)
    # Spaces take one character's width each, so the words keep their place on the line.
    total = sum(len(t) for t in tokens) + (len(tokens) - 1)
    step = (x1 - x0) / max(total, 1)
    words, cursor = [], x0
    for token in tokens:
        end = cursor + step * len(token)
        words.append(PlacedWord(token, (cursor, y0, end, y1), line.confidence, angle))
        cursor = end + step
    return words
