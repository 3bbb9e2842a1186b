"""Engine names -> factories. Engines are built once per process per options and reused.

Adding an engine: write its module with a class taking its options model, add one line here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from vlocr.errors import EngineUnavailableError, InvalidOptionError
from vlocr.ocr.base import OcrEngine

DEFAULT_ENGINE = "rapidocr"


def _rapidocr(**kw: Any) -> OcrEngine:
    from vlocr.config import RapidOcrOptions
    from vlocr.ocr.rapidocr_engine import VlocrRapidEngine

    return VlocrRapidEngine(RapidOcrOptions(kind="rapidocr", **kw))


def _rapidocr_v6(**kw: Any) -> OcrEngine:
    from vlocr.config import RapidOcrOptions
    from vlocr.ocr.rapidocr_raw import RapidOcrV6Engine

    return RapidOcrV6Engine(RapidOcrOptions(kind="rapidocr-v6", **kw))


def _rapidocr_v4(**kw: Any) -> OcrEngine:
    from vlocr.config import RapidOcrOptions
    from vlocr.ocr.rapidocr_raw import RapidOcrV4Engine

    return RapidOcrV4Engine(RapidOcrOptions(kind="rapidocr-v4", **kw))


def _tesseract(**kw: Any) -> OcrEngine:
    from vlocr.config import TesseractOptions
    from vlocr.ocr.tesseract import TesseractEngine

    return TesseractEngine(TesseractOptions(**kw))


ENGINES: dict[str, tuple[Callable[..., OcrEngine], str]] = {
    "rapidocr": (
        _rapidocr,
        "vlocr's engine: bundled PP-OCR models + text-size aware detection + spacing/confusable fixes (default)",
    ),
    "rapidocr-v6": (
        _rapidocr_v6,
        "plain rapidocr 3.10, bundled PP-OCRv6 small models, library defaults",
    ),
    "rapidocr-v4": (
        _rapidocr_v4,
        "plain rapidocr_onnxruntime 1.4.4, bundled PP-OCRv4 models, library defaults",
    ),
    "tesseract": (
        _tesseract,
        "Tesseract 5 via pytesseract (needs the tesseract-ocr Debian package)",
    ),
}

_cache: dict[tuple[str, tuple[tuple[str, Any], ...]], OcrEngine] = {}
_lock = threading.Lock()


def engine_names() -> list[str]:
    return list(ENGINES)


def get_engine(name: str = DEFAULT_ENGINE, **options: Any) -> OcrEngine:
    """Return the process-wide engine for ``name`` and ``options``, building it on first use."""
    if name not in ENGINES:
        raise InvalidOptionError(
            f"unknown OCR engine '{name}'", f"choose one of: {', '.join(ENGINES)}"
        )
    key = (name, tuple(sorted(options.items())))
    with _lock:
        engine = _cache.get(key)
        if engine is None:
            engine = ENGINES[name][0](**options)
            _cache[key] = engine
    return engine


def engine_available(name: str) -> bool:
    try:
        get_engine(name)
    except EngineUnavailableError:
        return False
    return True
