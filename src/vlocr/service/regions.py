"""A page region ``x,y,w,h`` in pixels: parsed once from any interface's syntax, cropped once.

It lives below both the read loop (``service/reading.py``) and the VLM tasks
(``service/task_page.py``), so neither has to import the other for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from vlocr.errors import InvalidOptionError

Region = tuple[int, int, int, int]


def parse_region(text: str | Sequence[int] | None) -> Region | None:
    """Accept ``"x,y,w,h"`` or a 4-sequence; reject anything else with a clear message."""
    if text is None or text == "":
        return None
    parts: Sequence[Any] = text.replace(" ", "").split(",") if isinstance(text, str) else text
    try:
        x, y, w, h = (int(float(p)) for p in parts)
    except (TypeError, ValueError, OverflowError):  # OverflowError: inf, 1e309
        raise InvalidOptionError(
            f"region '{text}' is not four finite numbers",
            "write it as x,y,w,h in pixels, e.g. 0,0,400,300",
        ) from None
    if w <= 0 or h <= 0 or x < 0 or y < 0:
        raise InvalidOptionError(
            f"region '{text}' has a negative origin or an empty size", "use x,y >= 0 and w,h > 0"
        )
    return x, y, w, h


def crop_region(image: np.ndarray, region: Region | None) -> np.ndarray:
    """The part of ``image`` inside ``region`` (the whole image for None)."""
    if region is None:
        return image
    x, y, w, h = region
    height, width = image.shape[:2]
    if x >= width or y >= height:
        raise InvalidOptionError(
            f"region {region} lies outside the {width}x{height} image",
            "pick x < width and y < height",
        )
    return image[y : min(y + h, height), x : min(x + w, width)]
