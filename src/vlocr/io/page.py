"""The decoded unit every later stage works on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
