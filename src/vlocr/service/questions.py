"""The VLM tasks' old import path, kept so ``from vlocr.service.questions import ask`` still works.

Each task lives in its own module now: ``asking`` (ask, transcribe), ``chatting`` (chat, the
streamed turn), ``extracting`` (extract, either engine), ``completions`` (the OpenAI-compatible
completion); what they share is in ``task_page`` (page, region, OCR, budget), ``generation``
(the one guarded stream) and ``answers`` (the checked answer).
"""

from __future__ import annotations

from vlocr.service.asking import ask, transcribe
from vlocr.service.chatting import chat
from vlocr.service.completions import (
    CompletionResult,
    chat_completion,
    openai_messages_to_engine,
)
from vlocr.service.extracting import extract
from vlocr.service.regions import Region
from vlocr.service.task_page import load_task_page

__all__ = [
    "CompletionResult",
    "Region",
    "ask",
    "chat",
    "chat_completion",
    "extract",
    "load_task_page",
    "openai_messages_to_engine",
    "transcribe",
]
