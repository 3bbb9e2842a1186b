"""vlocr: read text out of images and answer questions about them, offline, on CPU or GPU.

    >>> import vlocr
    >>> result = vlocr.read("examples/receipt.jpg")          # OCR: ReadResult
    >>> answer = vlocr.ask("receipt.jpg", "What is the total?")  # Qwen3-VL: VlmAnswer

The functions live in :mod:`vlocr.service` and are imported on first use, so ``import vlocr``
stays fast and pulls in neither torch nor the OCR models.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_FUNCTIONS = {"read", "ask", "chat", "extract", "transcribe"}
_OBJECTS = {
    "ReadResult": "vlocr.results",
    "PageResult": "vlocr.results",
    "OcrLine": "vlocr.results",
    "VlmAnswer": "vlocr.results",
    "ExtractResult": "vlocr.results",
    "ChatMessage": "vlocr.results",
    "Settings": "vlocr.config",
    "VlmOptions": "vlocr.config",
    "IoOptions": "vlocr.config",
    "get_settings": "vlocr.config",
    "VlocrError": "vlocr.errors",
}
__all__ = ["__version__", *sorted(_FUNCTIONS), *sorted(_OBJECTS)]


def __getattr__(name: str) -> Any:
    import importlib

    if name in _FUNCTIONS:
        return getattr(importlib.import_module("vlocr.service"), name)
    if name in _OBJECTS:
        return getattr(importlib.import_module(_OBJECTS[name]), name)
    raise AttributeError(f"module 'vlocr' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API, although it is imported lazily (``dir(vlocr)``, tab completion)."""
    return sorted({*globals(), *__all__})
