"""What the recogniser hands on: a text box with its characters' column spans, before
post-processing. Its own module so that the pipeline and the steps after it (``linesplit``) share
it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class CharSpan:
    """One decoded character and the crop x-range (pixels) of its CTC columns."""

    char: str
    x0: float
    x1: float
    prob: float

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class RawLine:
    """A recognised text box before post-processing."""

    text: str
    confidence: float
    box: np.ndarray  # (4, 2) float32, original-image pixels, clockwise from top-left
    crop_box: np.ndarray  # the box actually cropped (widened by the margin); glyph x is along it
    crop_width: int
    crop_height: int
    chars: list[CharSpan] = field(default_factory=list)
    ink: np.ndarray | None = None  # per-column dark-pixel counts of the crop, for gap checks
    text_height: float | None = None  # height of the inked band in the crop (pixels)
