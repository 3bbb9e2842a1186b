"""Engine names -> factories. Engines are built once per process per options and reused.

Adding an engine: write its module with a class taking its options model, add one line here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
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


@dataclass(frozen=True)
class Reads:
    """What an engine declares it reads: languages (ISO 639-1, ``zh-hant``) and their scripts.

    ``packs`` names the engine's per-language data (Tesseract's ``<pack>.traineddata``): such an
    engine reads a language only when its pack is installed, which ``choose_engine`` checks.
    ``auto``: ``--lang`` without ``--engine`` may pick it (not the plain peer engines, which
    are there to compare against).
    """

    languages: frozenset[str]
    scripts: frozenset[str]
    packs: bool = False
    auto: bool = True


# The PP-OCR models in the rapidocr wheel: a Chinese + Latin alphabet (Hangul comes out empty,
# kana garbled, Cyrillic and other scripts are not in it).
_PPOCR = Reads(
    languages=frozenset(
        {"en", "zh", "zh-hans", "zh-hant", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "no",
         "fi", "pl", "cs", "sk", "ro", "hu", "id", "ms"}
    ),
    scripts=frozenset({"Latin", "Han"}),
)  # fmt: skip

#: engine name -> what it reads; ``choose_engine`` routes ``--lang`` from these declarations.
READS: dict[str, Reads] = {
    "rapidocr": _PPOCR,
    "rapidocr-v6": replace(_PPOCR, auto=False),
    "rapidocr-v4": replace(_PPOCR, auto=False),
    # every language with a Tesseract pack (see languages.TESSERACT_PACKS), when installed
    "tesseract": Reads(
        languages=frozenset(
            {"en", "zh", "zh-hans", "zh-hant", "ja", "ko", "fr", "de", "es", "it", "pt", "nl",
             "sv", "da", "no", "fi", "pl", "cs", "sk", "ro", "hu", "tr", "id", "ms", "vi", "ru",
             "uk", "bg", "sr", "el", "ar", "fa", "he", "hi", "bn", "ta", "th"}
        ),
        scripts=frozenset(
            {"Latin", "Han", "Hangul", "Kana", "Cyrillic", "Greek", "Arabic", "Hebrew",
             "Devanagari", "Bengali", "Tamil", "Thai"}
        ),
        packs=True,
    ),
}  # fmt: skip

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


def reads(name: str) -> Reads | None:
    """What ``name`` declares it reads; None for an engine without a declaration (it is only
    used when asked for by name)."""
    return READS.get(name)


def engine_available(name: str) -> bool:
    try:
        get_engine(name)
    except EngineUnavailableError:
        return False
    return True
