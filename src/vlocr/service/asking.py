"""``ask`` (one question about a page) and ``transcribe`` (all its text) with the VLM.

Both prepare the task page (``task_page``), send the prompt through the one stream
(``generation``) and attach the fusion checks (``answers``); ``ask`` also compares an answer about
a field the OCR extractor reads with it (``field_recheck``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from vlocr.config import IoOptions, VlmOptions
from vlocr.errors import InvalidOptionError
from vlocr.results import VlmAnswer
from vlocr.service.answers import answer_of, build_answer
from vlocr.service.generation import engine_for, events, generate, reasker, relay
from vlocr.service.regions import Region
from vlocr.service.task_page import budgeted, focus_rows, options, prepare
from vlocr.tasks import ask_messages, resolve_lang, transcribe_messages


def ask_stream(
    image_source: Any,
    question: str,
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
    cross_check: bool = True,
    focus: str = "auto",
    stream: bool = True,
) -> Iterator[str | VlmAnswer]:
    """``ask``'s reply as the model writes it (text pieces), then the checked ``VlmAnswer``
    (``stream=False``: the whole reply as one piece). Used by ``ask`` and ``/v1/ask``'s SSE."""
    opts = options(vlm, model)
    lng = resolve_lang(lang, question)
    if not question or not question.strip():
        raise InvalidOptionError(
            "the question is empty", 'pass a question, e.g. "What is the total?"'
        )
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
    page_image = prep.image  # the cross-check zooms into page boxes, not the focus crop
    focus_rows(prep, question, focus)
    opts = budgeted(opts, prep)
    engine = engine_for(opts)
    messages = ask_messages(question, lang=lng, role=role, hints=prep.hints)
    final, ms = yield from relay(
        events(
            engine,
            messages,
            [prep.image],
            stream=stream,
            temperature=temperature,
            top_p=top_p,
            max_new_tokens=max_new_tokens,
        )
    )
    answer = build_answer("ask", final, opts, prep, {"vlm": ms})
    if prep.lines:
        from vlocr.service.field_recheck import check_answer

        check_answer(
            answer,
            question,
            prep.lines,
            page_image,
            prep.region,
            reasker(engine, max_new_tokens),
            lng,
            reask=cross_check,
        )
    yield answer


def ask(
    image_source: Any,
    question: str,
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
    cross_check: bool = True,
    focus: str = "auto",
    on_text: Callable[[str], None] | None = None,
) -> VlmAnswer:
    """Answer one question about an image; an answer about a field the OCR extractor reads is
    compared with it (and, with ``cross_check``, asked again once on a zoomed crop).

    With OCR hints the image gets the smaller ``hints_max_pixels`` budget, and ``focus`` auto
    sends only the rows the question names (``visual_input`` in the answer says what was sent).
    ``on_text`` streams the reply: it gets each piece as the engine (any engine) writes it.
    """
    turn = ask_stream(
        image_source,
        question,
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
        cross_check=cross_check,
        focus=focus,
        stream=on_text is not None,
    )
    return answer_of(turn, on_text)


def transcribe(
    image_source: Any,
    *,
    structured: bool = False,
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
) -> VlmAnswer:
    """All text in the image, line by line (or the article's 【识别文字】/【位置信息】 format)."""
    opts = options(vlm, model)
    lng = resolve_lang(lang)
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
    opts = budgeted(opts, prep, copies=True)
    messages = transcribe_messages(structured=structured, lang=lng, role=role, hints=prep.hints)
    gen, ms = generate(
        engine_for(opts),
        messages,
        [prep.image],
        temperature=temperature,
        top_p=top_p,
        max_new_tokens=max_new_tokens,
    )
    return build_answer("transcribe", gen, opts, prep, {"vlm": ms})
