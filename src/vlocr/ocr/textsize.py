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

On a large image the copy is too coarse for small print: 12 px body text in a 12 MP photo is 3 px
there, under the glyph filter. When the copy's median is under 6 px (or absent), three
full-resolution windows where the copy shows most tiny specks measure the text instead; when the
copy measured only larger print and the windows find many glyphs it could not have seen, those
become the page's small text.
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
    count: int = 0  # glyphs the median was taken over


def measure_text(image: np.ndarray, *, work_side: int = 1200) -> TextSizes:
    import cv2

    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    h, w = gray.shape[:2]
    factor = min(1.0, work_side / max(h, w))
    small_gray = gray
    if factor < 1.0:
        small_gray = cv2.resize(
            gray, (max(1, int(w * factor)), max(1, int(h * factor))), interpolation=cv2.INTER_AREA
        )
    stats, mask_h = _components(small_gray)
    sizes = _sizes(stats, mask_h, factor)
    if factor < 1.0:
        # text under ~6 px on the shrunken copy is measured badly or not at all (a dense page in
        # a 12 MP photo: 12 px body text is 3 px there, below the glyph filter): measure again
        # at full resolution where the page's text is
        fine = _sizes(*_window_components(gray, work_side, stats, factor), 1.0)
        if fine.median is None:
            return sizes
        if sizes.median is None or sizes.median * factor < FINE_BELOW_WORK_PX:
            return fine
        if fine.count >= SMALL_TEXT_MIN_COUNT and fine.median * factor < INVISIBLE_WORK_PX:
            # what the copy measured is larger print (headlines); the many glyphs too small
            # for it are the page's small text
            if fine.median * SMALL_TEXT_RATIO <= sizes.median:
                return TextSizes(sizes.median, fine.median, sizes.count)
            return fine
    return sizes


# below this glyph height on the shrunken copy full-resolution windows decide the median;
# below the second, the copy cannot have seen the text at all (the glyph filter starts at 4 px)
FINE_BELOW_WORK_PX = 6.0
INVISIBLE_WORK_PX = 4.0


def _components(gray: np.ndarray) -> tuple[np.ndarray, int]:
    """OpenCV stats (x, y, width, height, area) of the dark (or, on a dark page, light) blobs
    of an Otsu mask, and the mask's height."""
    import cv2

    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if mask.mean() > 127:  # light text on a dark background
        mask = 255 - mask
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return stats[1:], mask.shape[0]


def _window_components(
    gray: np.ndarray, side: int, coarse: np.ndarray, factor: float, count: int = 3
) -> tuple[np.ndarray, int]:
    """Blobs of ``count`` full-resolution windows, each thresholded on its own (uneven light),
    centred on the cells of a 4 x 4 grid where the shrunken copy (its blobs ``coarse``) shows
    most specks of 2-8 px: tiny text, or its remains."""
    h, w = gray.shape[:2]
    side = min(side, h, w)
    bw, bh = coarse[:, 2], coarse[:, 3]
    specks = coarse[(bh >= 2) & (bh <= 8) & (bw <= 3 * bh)]
    cells = np.zeros((4, 4))
    if len(specks):
        cx = np.clip(((specks[:, 0] + specks[:, 2] / 2) / factor * 4 / w).astype(int), 0, 3)
        cy = np.clip(((specks[:, 1] + specks[:, 3] / 2) / factor * 4 / h).astype(int), 0, 3)
        np.add.at(cells, (cy, cx), 1)
    cells[1:3, 1:3] += 0.5  # ties go to the middle of the page
    parts = []
    for index in np.argsort(-cells, axis=None)[:count]:
        row, col = divmod(int(index), 4)
        x0 = int(min(max(0, (col + 0.5) * w / 4 - side / 2), w - side))
        y0 = int(min(max(0, (row + 0.5) * h / 4 - side / 2), h - side))
        parts.append(_components(np.ascontiguousarray(gray[y0 : y0 + side, x0 : x0 + side]))[0])
    return np.concatenate(parts), side


def _sizes(stats: np.ndarray, mask_h: int, factor: float) -> TextSizes:
    """Median and small-text heights of blobs (OpenCV stats) measured on a copy ``factor`` x
    the original."""
    if len(stats) == 0:
        return TextSizes(None)
    comp_w, comp_h, area = stats[:, 2], stats[:, 3], stats[:, 4]
    max_h = 0.25 * mask_h
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
    return TextSizes(median / factor, small, len(heights))


def estimate_text_height(image: np.ndarray, *, work_side: int = 1200) -> float | None:
    """Median glyph height in original-image pixels, or None when no text-like blobs are found."""
    return measure_text(image, work_side=work_side).median
