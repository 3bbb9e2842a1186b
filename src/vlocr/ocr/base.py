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

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@runtime_checkable
class OcrEngine(Protocol):
    """Reads text lines from an RGB uint8 image. Implementations load their models once."""

    name: str

    def recognize(self, image: np.ndarray) -> OcrOutput: ...
