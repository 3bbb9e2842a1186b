"""Helpers shared by engine wrappers: turning raw boxes into typed lines."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from vlocr.results import OcrLine, OcrWord, Quad


def default_threads() -> int:
    """ONNX Runtime intra-op threads when the user did not say: every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def to_quad(points: Iterable[Sequence[float]]) -> Quad:
    quad = [(float(p[0]), float(p[1])) for p in points]
    if len(quad) != 4:
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        quad = [(min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys))]
    return quad


def make_line(
    text: str, box: Iterable[Sequence[float]], confidence: float, words: list[OcrWord] | None = None
) -> OcrLine:
    return OcrLine(
        text=text, box=to_quad(box), confidence=min(1.0, max(0.0, float(confidence))), words=words
    )
