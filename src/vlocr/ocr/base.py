"""The OCR engine protocol and its raw result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from vlocr.results import OcrLine


@dataclass
class OcrOutput:
    """What an engine returns for one image: lines in reading order and per-stage timings (ms)."""

    lines: list[OcrLine]
    timings_ms: dict[str, float] = field(default_factory=dict)
    rows: str | None = None  # page text by rows, when the engine grouped rows in its own frame

    @property
    def text(self) -> str:
        """The page text, one output line per row of boxes."""
        if self.rows is not None:
            return self.rows
        from vlocr.ocr.layout import rows_text

        return rows_text(self.lines)


@runtime_checkable
class OcrEngine(Protocol):
    """Reads text lines from an RGB uint8 image. Implementations load their models once."""

    name: str

    def recognize(self, image: np.ndarray) -> OcrOutput: ...
