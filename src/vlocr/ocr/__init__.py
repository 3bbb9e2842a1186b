"""OCR engines behind one protocol; see :mod:`vlocr.ocr.registry` for names."""

from vlocr.ocr.base import OcrEngine, OcrOutput
from vlocr.ocr.registry import DEFAULT_ENGINE, engine_available, engine_names, get_engine

__all__ = [
    "DEFAULT_ENGINE",
    "OcrEngine",
    "OcrOutput",
    "engine_available",
    "engine_names",
    "get_engine",
]
