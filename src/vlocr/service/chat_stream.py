"""A chat turn whose reply arrives piece by piece, then the checked answer (for the web page).

Same preparation and checks as ``service.chat``; only the generation streams. The iterator yields
text pieces (``str``) and, last, one ``VlmAnswer`` carrying the number checks and the OCR lines
that support the reply.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from vlocr.config import VlmOptions
from vlocr.results import ChatMessage, VlmAnswer
from vlocr.service import questions
from vlocr.tasks import chat_messages, resolve_lang
from vlocr.vlm import Generation, get_engine


def chat_stream(
    image_source: Any,
    history: list[ChatMessage],
    message: str,
    *,
    vlm: VlmOptions | None = None,
    ocr_engine: str = "rapidocr",
    region: questions.Region | None = None,
    role: str | None = None,
    temperature: float | None = None,
    max_new_tokens: int | None = None,
) -> Iterator[str | VlmAnswer]:
    """Yield the reply's text pieces as the model writes them, then the finished ``VlmAnswer``."""
    opts = questions._options(vlm)
    first_user = next((m.content for m in history if m.role == "user"), message)
    lang = resolve_lang(None, first_user + message)
    prep = questions._prepare(
        image_source,
        region=region,
        ocr_hints=False,
        ocr_checks=True,
        ocr_engine=ocr_engine,
        lang=lang,
    )
    messages = chat_messages(history, message, lang=lang, role=role, hints=None)
    engine = get_engine(opts)
    start = time.perf_counter()
    pieces: list[str] = []
    stream = engine.stream(
        messages, images=[prep.image], max_new_tokens=max_new_tokens, temperature=temperature
    )
    try:
        for piece in stream:
            pieces.append(piece)
            yield piece
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    ms = (time.perf_counter() - start) * 1000
    gen = Generation(text="".join(pieces).strip())
    yield questions._answer("chat", gen, opts, prep, False, {"vlm": ms})
