"""vlocr's default OCR engine, built on the PP-OCR models bundled in the rapidocr wheels.

For now it wraps the PP-OCRv6 small release; later work tunes detection size, recognition
batching and post-OCR corrections here.
"""

from __future__ import annotations

import numpy as np

from vlocr.config import RapidOcrOptions
from vlocr.ocr.base import OcrOutput
from vlocr.ocr.rapidocr_raw import RapidOcrV6Engine


class VlocrRapidEngine:
    name = "rapidocr"

    def __init__(self, options: RapidOcrOptions | None = None) -> None:
        self.options = options or RapidOcrOptions()
        self._inner = RapidOcrV6Engine(self.options)

    def recognize(self, image: np.ndarray) -> OcrOutput:
        return self._inner.recognize(image)
