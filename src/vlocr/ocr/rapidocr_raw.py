"""Plain RapidOCR releases whose ONNX models ship inside their wheels (nothing is downloaded).

* ``rapidocr-v6``: ``rapidocr`` 3.10 with the bundled PP-OCRv6 small det/rec models.
* ``rapidocr-v4``: ``rapidocr_onnxruntime`` 1.4.4 with the bundled PP-OCRv4 models.

Both run with the library's default settings so the benchmark can compare vlocr's own engine
against what a user gets from ``pip install rapidocr``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import numpy as np

from vlocr.config import RapidOcrOptions
from vlocr.errors import EngineUnavailableError
from vlocr.ocr._common import default_threads, make_line
from vlocr.ocr.base import OcrOutput
from vlocr.ocr.layout import sort_reading_order
from vlocr.results import OcrWord


def _quiet_rapidocr_logging() -> None:
    for name in ("RapidOCR", "rapidocr", "rapidocr_onnxruntime"):
        logging.getLogger(name).setLevel(logging.WARNING)


class RapidOcrV6Engine:
    """``rapidocr`` 3.x with its bundled PP-OCRv6 small models."""

    name = "rapidocr-v6"

    def __init__(self, options: RapidOcrOptions | None = None) -> None:
        self.options = options or RapidOcrOptions(kind="rapidocr-v6")
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise EngineUnavailableError(
                "the 'rapidocr' package is not installed", "pip install 'rapidocr==3.10.*'"
            ) from exc
        threads = self.options.threads or default_threads()
        self._lock = threading.Lock()
        self._engine = RapidOCR(
            params={
                "Global.log_level": "warning",
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
        _quiet_rapidocr_logging()

    def recognize(self, image: np.ndarray, *, word_boxes: bool = True) -> OcrOutput:
        start = time.perf_counter()
        with self._lock:
            out: Any = self._engine(
                np.ascontiguousarray(image[:, :, ::-1]), return_word_box=word_boxes
            )
        total = (time.perf_counter() - start) * 1000
        lines = []
        boxes = out.boxes if out.boxes is not None else []
        words_per_line = getattr(out, "word_results", None) or [None] * len(boxes)
        for box, text, score, words in zip(
            boxes, out.txts or (), out.scores or (), words_per_line, strict=False
        ):
            word_list = None
            if words:
                word_list = [
                    OcrWord(
                        text=w[0],
                        confidence=float(w[1]),
                        box=[(float(p[0]), float(p[1])) for p in w[2]],
                    )
                    for w in words
                ]
            lines.append(make_line(text, box, score, word_list))
        elapse = getattr(out, "elapse_list", None) or []
        timings = {"total": total}
        if len(elapse) == 3:
            timings.update(det=elapse[0] * 1000, cls=elapse[1] * 1000, rec=elapse[2] * 1000)
        return OcrOutput(lines=sort_reading_order(lines), timings_ms=timings)


class RapidOcrV4Engine:
    """``rapidocr_onnxruntime`` 1.4.4 with its bundled PP-OCRv4 models."""

    name = "rapidocr-v4"

    def __init__(self, options: RapidOcrOptions | None = None) -> None:
        self.options = options or RapidOcrOptions(kind="rapidocr-v4")
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise EngineUnavailableError(
                "the 'rapidocr_onnxruntime' package is not installed",
                "pip install rapidocr_onnxruntime==1.4.4",
            ) from exc
        threads = self.options.threads or default_threads()
        self._lock = threading.Lock()
        self._engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
        _quiet_rapidocr_logging()

    def recognize(self, image: np.ndarray) -> OcrOutput:
        start = time.perf_counter()
        with self._lock:
            result, elapse = self._engine(np.ascontiguousarray(image[:, :, ::-1]))
        total = (time.perf_counter() - start) * 1000
        lines = [make_line(text, box, score) for box, text, score in (result or [])]
        timings = {"total": total}
        if elapse and len(elapse) == 3:
            timings.update(det=elapse[0] * 1000, cls=elapse[1] * 1000, rec=elapse[2] * 1000)
        return OcrOutput(lines=sort_reading_order(lines), timings_ms=timings)
