"""The public library API. Every interface (CLI, API, web page, batch, benchmark) calls these.

``read`` runs OCR; ``ask``, ``transcribe``, ``chat``, ``extract`` and ``chat_completion`` run
the VLM tasks and are imported lazily so that ``import vlocr.service`` stays light.

This package is also where the read path and the tasks meet: the tasks run their page OCR
through ``task_page.use_page_ocr`` (plugged in here), so ``reading`` (whose ``--engine vlm``
calls ``transcribe``) and the task modules never import each other both ways.
"""

from __future__ import annotations

from typing import Any

from vlocr.service import task_page
from vlocr.service.reading import ocr_page, ocr_page_with_image, read

task_page.use_page_ocr(ocr_page)

__all__ = ["ask", "chat", "extract", "ocr_page", "ocr_page_with_image", "read", "transcribe"]


def __getattr__(name: str) -> Any:
    if name == "ask" or name == "transcribe":
        from vlocr.service import asking

        return getattr(asking, name)
    if name == "chat":
        from vlocr.service.chatting import chat

        return chat
    if name == "extract":
        from vlocr.service.extracting import extract

        return extract
    if name == "chat_completion":
        from vlocr.service.completions import chat_completion

        return chat_completion
    raise AttributeError(name)
