"""The decoded unit every later stage works on."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vlocr.errors import InvalidOptionError
from vlocr.results import OcrLine


@dataclass
class Page:
    """One page of an input: an RGB ``uint8`` array of shape (H, W, 3) and where it came from."""

    image: np.ndarray
    source: str
    page: int = 1
    page_count: int = 1
    format: str = ""
    #: Lines of a digital PDF page's own text layer (pixel space of ``image``); None = OCR it.
    text_lines: list[OcrLine] | None = None
    #: Pixel boxes (x0, y0, x1, y1) of the pictures on a page that has a text layer.
    pictures: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def label(self) -> str:
        return (
            self.source
            if self.page_count <= 1
            else f"{self.source} [page {self.page}/{self.page_count}]"
        )


def page_out_of_range(page: int, count: int, source: str | None) -> InvalidOptionError:
    """Page ``page`` of an input with ``count`` pages was asked for."""
    return InvalidOptionError(
        f"page {page} asked for, but the input has {count} page(s)",
        f"pick a page from 1 to {count}",
        source=source,
    )
