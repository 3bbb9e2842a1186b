"""A conversation about a page: one more turn, answered whole (``chat``: CLI, library, batch) or
piece by piece (``chat_stream``). Both are the same turn (``chat_turn``) over one
``ChatRequest``: the same preparation, the same guarded stream and the same checks on the reply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from vlocr.config import IoOptions, VlmOptions
from vlocr.results import ChatMessage, VlmAnswer
from vlocr.service.answers import answer_of, build_answer
from vlocr.service.generation import engine_for, events, relay
from vlocr.service.task_page import budgeted, prepare
from vlocr.service.task_page import options as vlm_options
from vlocr.service.task_requests import ChatRequest
from vlocr.tasks import chat_messages, resolve_lang


def chat_turn(
    image_source: Any,
    request: ChatRequest,
    *,
    vlm: VlmOptions | None = None,
    model: str | None = None,
    io_options: IoOptions | None = None,
) -> Iterator[str | VlmAnswer]:
    """The reply's text pieces as the model writes them, then the finished ``VlmAnswer``
    (``request.stream`` False: the whole reply as one piece)."""
    opts = vlm_options(vlm, model)
    history, message = request.history, request.message
    first_user = next((m.content for m in history if m.role == "user"), message)
    lng = resolve_lang(request.prompt_lang, first_user + message)
    prep = prepare(image_source, request, io_options=io_options, vlm_pixels=opts.max_pixels)
    opts = budgeted(opts, prep)
    messages = chat_messages(history, message, lang=lng, role=request.role, hints=prep.hints)
    final, ms = yield from relay(
        events(
            engine_for(opts),
            messages,
            [prep.image],
            stream=request.stream,
            max_new_tokens=request.max_new_tokens,
            temperature=request.temperature,
            top_p=request.top_p,
        )
    )
    yield build_answer("chat", final, opts, prep, {"vlm": ms})


def chat(
    image_source: Any,
    history: list[ChatMessage] | None = None,
    message: str | None = None,
    *,
    request: ChatRequest | None = None,
    vlm: VlmOptions | None = None,
    model: str | None = None,
    io_options: IoOptions | None = None,
    on_text: Callable[[str], None] | None = None,
    **options: Any,
) -> VlmAnswer:
    """One more turn of a conversation about an image; ``history`` holds the earlier turns.

    ``options`` are the fields of ``ChatRequest`` (``region``, ``page``, ``lang``, ``role``,
    ...), or pass a built ``request``. ``on_text`` streams the reply: it gets each piece as the
    engine (any engine) writes it."""
    if request is None:
        request = ChatRequest.from_options(history=history, message=message, **options)
    elif history is not None or message is not None or options:
        raise TypeError("pass either request= or the history, message and options, not both")
    if on_text is not None and not request.stream:
        request = request.model_copy(update={"stream": True})
    turn = chat_turn(image_source, request, vlm=vlm, model=model, io_options=io_options)
    return answer_of(turn, on_text)


def chat_stream(
    image_source: Any,
    history: list[ChatMessage],
    message: str,
    *,
    vlm: VlmOptions | None = None,
    **options: Any,
) -> Iterator[str | VlmAnswer]:
    """A streamed turn from loose values: pieces, then the checked ``VlmAnswer``."""
    request = ChatRequest.from_options(history=history, message=message, stream=True, **options)
    return chat_turn(image_source, request, vlm=vlm)
