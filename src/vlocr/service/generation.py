"""The one way the service talks to a VLM engine: guard the text, then read one event stream.

Every task (ask, chat, transcribe, extract, the OpenAI completion, the web page's chat and the
cross-checks' re-asks) sends its messages through ``events``: the control-token guard
(``neutralize_messages``) runs here and nowhere else, so no path reaches the model raw. The
events are those of ``vlocr.vlm.StreamEvent``: text pieces, then one ``Generation``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from typing import Any

import numpy as np

from vlocr.config import VlmOptions
from vlocr.service.vlm_inputs import neutralize_messages
from vlocr.vlm import Generation, StreamEvent, VlmEngine, get_engine


def engine_for(opts: VlmOptions) -> VlmEngine:
    """The (shared) engine for these options."""
    return get_engine(opts)


def events(
    engine: Any,
    messages: list[dict[str, Any]],
    images: list[np.ndarray],
    *,
    stream: bool = True,
    json_schema: dict[str, Any] | None = None,
    max_new_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
) -> Iterator[StreamEvent]:
    """Text pieces, then one ``Generation``. ``stream=False`` (or a JSON schema, which a server
    enforces only on a whole reply) asks for the whole reply: one piece, then the ``Generation``."""
    safe = neutralize_messages(messages)
    sampling: dict[str, Any] = {
        "max_new_tokens": max_new_tokens,
        "temperature": temperature,
        "top_p": top_p,
    }
    if stream and json_schema is None:
        yield from engine.stream(safe, images=images, **sampling)
        return
    gen = engine.generate(safe, images=images, json_schema=json_schema, **sampling)
    if gen.text:
        yield gen.text
    yield gen


def relay(replies: Iterator[StreamEvent]) -> Generator[str, None, tuple[Generation, float]]:
    """Pass a stream's text pieces on; return its final ``Generation`` and the milliseconds it
    took (``gen, ms = yield from relay(...)``). A reader that stops early closes the stream,
    which stops the generation."""
    start = time.perf_counter()
    final: Generation | None = None
    try:
        for event in replies:
            if isinstance(event, Generation):
                final = event
            else:
                yield event
    finally:
        close = getattr(replies, "close", None)
        if close is not None:
            close()
    if final is None:  # an engine that breaks the protocol is a bug, not a user error
        raise RuntimeError("the engine's stream ended without its final Generation")
    return final, (time.perf_counter() - start) * 1000


def generate(
    engine: Any,
    messages: list[dict[str, Any]],
    images: list[np.ndarray],
    *,
    on_text: Callable[[str], None] | None = None,
    **options: Any,
) -> tuple[Generation, float]:
    """The final ``Generation`` and the milliseconds it took; with ``on_text`` the reply streams
    (from every engine alike) and each piece is handed on as it arrives."""
    pieces = relay(events(engine, messages, images, stream=on_text is not None, **options))
    while True:
        try:
            piece = next(pieces)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        if on_text is not None:
            on_text(piece)


def reasker(engine: Any, max_new_tokens: int | None) -> Callable[[list[dict[str, Any]], Any], str]:
    """``generate(messages, image) -> text`` for the cross-checks' re-asks (greedy, short)."""

    def ask_again(messages: list[dict[str, Any]], image: np.ndarray) -> str:
        gen, _ms = generate(engine, messages, [image], max_new_tokens=min(max_new_tokens or 64, 64))
        return gen.text

    return ask_again
