"""A quick estimate of the text heights on a page, used to pick the detector's input scale.

The PP-OCR detectors find text best when letters are ~10-20 px tall in their input; a fixed
"short side = 736" rule enlarges tall receipts for nothing. Connected components of a downscaled
Otsu mask give the median glyph height in a few milliseconds.

One median is not enough on a page of mixed sizes: on a newspaper whose dense 9 px body text
prints as touching characters (and touching lines), the component heights that pass the glyph
filter are mostly the headlines', and a scale chosen from them shrinks the body text away. So
the estimate also reports the height of the page's small text, from every component of text
height, including runs of merged characters (wider than 3x their height: their height is still
the characters').
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# a small-text class counts when it has this many components, and is this much smaller than
# the median glyph (a receipt's prices and headings differ by less)
SMALL_TEXT_MIN_COUNT = 30
SMALL_TEXT_RATIO = 1.8


@dataclass
class TextSizes:
    """Glyph heights in original-image pixels: ``median`` of glyph-shaped components, and
    ``small``: the small text of a mixed-size page (None when the page has one size)."""

    median: float | None
    small: float | None = None


def measure_text(image: np.ndarray, *, work_side: int = 1200) -> TextSizes:
    import cv2

    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    h, w = gray.shape[:2]
    factor = min(1.0, work_side / max(h, w))
    if factor < 1.0:
        gray = cv2.resize(
            gray, (max(1, int(w * factor)), max(1, int(h * factor))), interpolation=cv2.INTER_AREA
        )
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if mask.mean() > 127:  # light text on a dark background
        mask = 255 - mask
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return TextSizes(None)
    comp_w = stats[1:, cv2.CC_STAT_WIDTH]
    comp_h = stats[1:, cv2.CC_STAT_HEIGHT]
    area = stats[1:, cv2.CC_STAT_AREA]
    max_h = 0.25 * mask.shape[0]
    sized = (comp_h >= 4) & (comp_h <= max_h) & (area >= 8) & (comp_w >= 2)
    keep = sized & (comp_w <= 3 * comp_h)
    if keep.sum() < 3:
        return TextSizes(None)
    heights = comp_h[keep].astype(float)
    # glyphs cluster around the cap/x height; ignore punctuation and noise below half the upper quartile
    upper = np.percentile(heights, 75)
    heights = heights[heights >= 0.5 * upper]
    median = float(np.median(heights))
    small = None
    # components of text height, merged runs included; dense pages' blobs of several lines
    # are as tall as a headline and stay out of the low percentile
    lines_h = comp_h[sized & (comp_w <= 60 * comp_h)].astype(float)
    if len(lines_h) >= SMALL_TEXT_MIN_COUNT:
        low = float(np.percentile(lines_h, 25))
        members = int(((lines_h >= 0.7 * low) & (lines_h <= 1.3 * low)).sum())
        if low * SMALL_TEXT_RATIO <= median and members >= SMALL_TEXT_MIN_COUNT:
            small = low / factor
    return TextSizes(median / factor, small)


def estimate_text_height(image: np.ndarray, *, work_side: int = 1200) -> float | None:
    """Median glyph height in original-image pixels, or None when no text-like blobs are found."""
    return measure_text(image, work_side=work_side).median
