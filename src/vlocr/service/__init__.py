"""The public library API. Every interface (CLI, API, web page, batch, benchmark) calls these.

``read`` runs OCR; ``ask``, ``transcribe``, ``chat`` and ``extract`` run the VLM tasks and are
imported lazily so that ``import vlocr.service`` stays light.
"""

from __future__ import annotations

from typing import Any

from vlocr.service.reading import ocr_page, ocr_page_with_image, read

__all__ = ["ask", "chat", "extract", "ocr_page", "ocr_page_with_image", "read", "transcribe"]

_LAZY = {"ask", "chat", "extract", "transcribe", "chat_completion"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from vlocr.service import questions

        return getattr(questions, name)
    raise AttributeError(name)
