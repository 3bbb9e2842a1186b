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
__all__ = ["__version__", "ask", "chat", "extract", "read", "transcribe"]


def __getattr__(name: str) -> Any:
    if name in {"read", "ask", "chat", "extract", "transcribe"}:
        from vlocr import service

        return getattr(service, name)
    raise AttributeError(f"module 'vlocr' has no attribute {name!r}")
