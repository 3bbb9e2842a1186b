"""A conversation about a page: one more turn, answered whole (``chat``: CLI, library, batch) or
piece by piece (``chat_stream``: the web page). Both are the same turn (``chat_turn``): the same
preparation, the same guarded stream and the same checks on the reply."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from vlocr.config import IoOptions, VlmOptions
from vlocr.results import ChatMessage, VlmAnswer
from vlocr.service.answers import answer_of, build_answer
from vlocr.service.generation import engine_for, events, relay
from vlocr.service.regions import Region
from vlocr.service.task_page import budgeted, options, prepare
from vlocr.tasks import chat_messages, resolve_lang


def chat_turn(
    image_source: Any,
    history: list[ChatMessage],
    message: str,
    *,
    vlm: VlmOptions | None = None,
    model: str | None = None,
    io_options: IoOptions | None = None,
    ocr_hints: bool = False,
    ocr_checks: bool = True,
    ocr_engine: str | None = None,
    region: Region | str | None = None,
    page: int = 1,
    role: str | None = None,
    lang: str | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    max_new_tokens: int | None = None,
    stream: bool = True,
) -> Iterator[str | VlmAnswer]:
    """The reply's text pieces as the model writes them, then the finished ``VlmAnswer``
    (``stream=False``: the whole reply as one piece)."""
    opts = options(vlm, model)
    first_user = next((m.content for m in history if m.role == "user"), message)
    lng = resolve_lang(lang, first_user + message)
    prep = prepare(
        image_source,
        region=region,
        ocr_hints=ocr_hints,
        ocr_checks=ocr_checks,
        ocr_engine=ocr_engine,
        io_options=io_options,
        vlm_pixels=opts.max_pixels,
        page=page,
    )
    opts = budgeted(opts, prep)
    messages = chat_messages(history, message, lang=lng, role=role, hints=prep.hints)
    final, ms = yield from relay(
        events(
            engine_for(opts),
            messages,
            [prep.image],
            stream=stream,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_p=top_p,
        )
    )
    yield build_answer("chat", final, opts, prep, {"vlm": ms})


def chat(
    image_source: Any,
    history: list[ChatMessage],
    message: str,
    *,
    vlm: VlmOptions | None = None,
    model: str | None = None,
    io_options: IoOptions | None = None,
    ocr_hints: bool = False,
    ocr_checks: bool = True,
    ocr_engine: str | None = None,
    region: Region | str | None = None,
    page: int = 1,
    role: str | None = None,
    lang: str | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    max_new_tokens: int | None = None,
    on_text: Callable[[str], None] | None = None,
) -> VlmAnswer:
    """One more turn of a conversation about an image; ``history`` holds the earlier turns.

    ``on_text`` streams the reply: it gets each piece as the engine (any engine) writes it."""
    turn = chat_turn(
        image_source,
        history,
        message,
        vlm=vlm,
        model=model,
        io_options=io_options,
        ocr_hints=ocr_hints,
        ocr_checks=ocr_checks,
        ocr_engine=ocr_engine,
        region=region,
        page=page,
        role=role,
        lang=lang,
        temperature=temperature,
        top_p=top_p,
        max_new_tokens=max_new_tokens,
        stream=on_text is not None,
    )
    return answer_of(turn, on_text)


def chat_stream(
    image_source: Any,
    history: list[ChatMessage],
    message: str,
    *,
    vlm: VlmOptions | None = None,
    ocr_engine: str = "rapidocr",
    region: Region | None = None,
    role: str | None = None,
    temperature: float | None = None,
    max_new_tokens: int | None = None,
) -> Iterator[str | VlmAnswer]:
    """The web page's turn: pieces, then the checked ``VlmAnswer`` (``chat_turn``, page defaults)."""
    return chat_turn(
        image_source,
        history,
        message,
        vlm=vlm,
        ocr_engine=ocr_engine,
        region=region,
        role=role,
        temperature=temperature,
        max_new_tokens=max_new_tokens,
    )
