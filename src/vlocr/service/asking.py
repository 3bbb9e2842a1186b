"""``ask`` (one question about a page) and ``transcribe`` (all its text) with the VLM.

Both take the task's request (``service/task_requests.py``: built once by each interface, or
from the library's keywords), prepare the task page (``task_page``), send the prompt through the
one stream (``generation``) and attach the fusion checks (``answers``); ``ask`` also compares an
answer about a field the OCR extractor reads with it (``field_recheck``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from vlocr.config import IoOptions, VlmOptions
from vlocr.results import VlmAnswer
from vlocr.service.answers import answer_of, build_answer
from vlocr.service.generation import engine_for, events, generate, reasker, relay
from vlocr.service.task_page import budgeted, focus_rows, prepare
from vlocr.service.task_page import options as vlm_options
from vlocr.service.task_requests import AskRequest, TaskRequest
from vlocr.tasks import ask_messages, resolve_lang, transcribe_messages


def ask_stream(
    image_source: Any,
    request: AskRequest,
    *,
    vlm: VlmOptions | None = None,
    model: str | None = None,
    io_options: IoOptions | None = None,
) -> Iterator[str | VlmAnswer]:
    """``ask``'s reply as the model writes it (text pieces), then the checked ``VlmAnswer``
    (``request.stream`` False: the whole reply as one piece). Used by ``ask``, ``/v1/ask``'s SSE
    and the page's first question."""
    opts = vlm_options(vlm, model)
    lng = resolve_lang(request.prompt_lang, request.question)
    prep = prepare(image_source, request, io_options=io_options, vlm_pixels=opts.max_pixels)
    page_image = prep.image  # the cross-check zooms into page boxes, not the focus crop
    focus_rows(prep, request.question, request.focus)
    opts = budgeted(opts, prep)
    engine = engine_for(opts)
    messages = ask_messages(request.question, lang=lng, role=request.role, hints=prep.hints)
    final, ms = yield from relay(
        events(
            engine,
            messages,
            [prep.image],
            stream=request.stream,
            temperature=request.temperature,
            top_p=request.top_p,
            max_new_tokens=request.max_new_tokens,
        )
    )
    answer = build_answer("ask", final, opts, prep, {"vlm": ms})
    if prep.lines:
        from vlocr.service.field_recheck import check_answer

        check_answer(
            answer,
            request.question,
            prep.lines,
            page_image,
            prep.region,
            reasker(engine, request.max_new_tokens),
            lng,
            reask=request.cross_check,
        )
    yield answer


def ask(
    image_source: Any,
    question: str | None = None,
    *,
    request: AskRequest | None = None,
    vlm: VlmOptions | None = None,
    model: str | None = None,
    io_options: IoOptions | None = None,
    on_text: Callable[[str], None] | None = None,
    **options: Any,
) -> VlmAnswer:
    """Answer one question about an image; an answer about a field the OCR extractor reads is
    compared with it (and, with ``cross_check``, asked again once on a zoomed crop).

    ``options`` are the fields of ``AskRequest`` (``region``, ``page``, ``lang``, ``ocr_engine``,
    ``ocr_hints``, ``check_numbers`` (alias ``ocr_checks``), ``focus``, ``role``,
    ``temperature``, ...); or pass a built ``request``. With OCR hints the image gets the smaller
    ``hints_max_pixels`` budget, and ``focus`` auto sends only the rows the question names
    (``visual_input`` in the answer says what was sent). ``on_text`` streams the reply: it gets
    each piece as the engine (any engine) writes it.
    """
    if request is None:
        request = AskRequest.from_options(question=question, **options)
    elif question is not None or options:
        raise TypeError("pass either request= or the question and its options, not both")
    if on_text is not None and not request.stream:
        request = request.model_copy(update={"stream": True})
    turn = ask_stream(image_source, request, vlm=vlm, model=model, io_options=io_options)
    return answer_of(turn, on_text)


def transcribe(
    image_source: Any,
    *,
    structured: bool = False,
    request: TaskRequest | None = None,
    vlm: VlmOptions | None = None,
    model: str | None = None,
    io_options: IoOptions | None = None,
    **options: Any,
) -> VlmAnswer:
    """All text in the image, line by line (or the article's 【识别文字】/【位置信息】 format).
    ``options`` are the fields of ``TaskRequest``, or pass a built ``request``."""
    request = request or TaskRequest.from_options(**options)
    opts = vlm_options(vlm, model)
    lng = resolve_lang(request.prompt_lang)
    prep = prepare(image_source, request, io_options=io_options, vlm_pixels=opts.max_pixels)
    opts = budgeted(opts, prep, copies=True)
    messages = transcribe_messages(
        structured=structured, lang=lng, role=request.role, hints=prep.hints
    )
    gen, ms = generate(
        engine_for(opts),
        messages,
        [prep.image],
        temperature=request.temperature,
        top_p=request.top_p,
        max_new_tokens=request.max_new_tokens,
    )
    return build_answer("transcribe", gen, opts, prep, {"vlm": ms})
