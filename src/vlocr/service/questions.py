"""The VLM tasks of the library API: ask, transcribe, chat, extract, and OpenAI-style chat completion.

Each task loads the image (vlocr.io), crops the region, runs OCR when it can (OCR lines feed the
prompt only with ``ocr_hints=True``, but the number checks after the answer run whenever OCR
works), calls the engine, and attaches the fusion checks to the answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vlocr.config import IoOptions, VlmOptions, get_settings
from vlocr.errors import InvalidOptionError, VlocrError
from vlocr.fusion import check_consistency, check_numbers, hints_block, provenance
from vlocr.results import ChatMessage, ExtractResult, OcrLine, Usage, VisualInput, VlmAnswer
from vlocr.service.vlm_inputs import neutralize_messages, prepare_vlm_image
from vlocr.tasks import (
    PROMPT_VERSIONS,
    ask_messages,
    chat_messages,
    extract_messages,
    load_schema,
    resolve_lang,
    run_extraction,
    transcribe_messages,
)
from vlocr.vlm import Generation, get_engine

Region = tuple[int, int, int, int]


@dataclass
class _Prepared:
    source: str
    image: np.ndarray  # the (cropped) image the model sees
    region: Region | None
    lines: list[OcrLine] | None  # OCR lines in original-page pixels; None when OCR did not run
    hints: str | None
    timings_ms: dict[str, float] = field(default_factory=dict)
    visual: VisualInput = field(default_factory=VisualInput)


def load_task_page(
    image_source: Any, io_options: IoOptions | None = None, page_no: int = 1
) -> tuple[np.ndarray, str, int, int, Any]:
    """Page ``page_no`` (1-based) of a PDF/TIFF, or the image; pages after it are never decoded."""
    from contextlib import closing

    from vlocr.io.loader import iter_pages

    if page_no < 1:
        raise InvalidOptionError(f"page {page_no} does not exist", "pages count from 1")
    page = None
    pages = iter_pages(image_source, options=io_options or get_settings().io, first_pages=page_no)
    with closing(pages):
        for page in pages:  # noqa: B007 - the last one read is the one asked for
            pass
    if page is None or page.page != page_no:
        count = page.page_count if page is not None else 0
        raise InvalidOptionError(
            f"page {page_no} asked for, but the input has {count} page(s)",
            f"pick a page from 1 to {count}",
        )
    return page.image, page.label, page.width, page.height, page


def _prepare(
    image_source: Any,
    *,
    region: Region | str | Sequence[int] | None,
    ocr_hints: bool,
    ocr_checks: bool,
    ocr_engine: str | None,
    lang: str,
    io_options: IoOptions | None = None,
    vlm_pixels: int = VlmOptions().max_pixels,
    page: int = 1,
) -> _Prepared:
    from vlocr.service.reading import crop_region, parse_region

    timings: dict[str, float] = {}
    start = time.perf_counter()
    image, label, width, height, page_obj = load_task_page(image_source, io_options, page)
    timings["load"] = (time.perf_counter() - start) * 1000
    reg = parse_region(region) if region is not None else None
    cropped = crop_region(image, reg)
    lines: list[OcrLine] | None = None
    hints: str | None = None
    if ocr_hints or ocr_checks:
        start = time.perf_counter()
        lines = _run_ocr(page_obj, ocr_engine, reg, required=ocr_hints)
        timings["ocr"] = (time.perf_counter() - start) * 1000
    if ocr_hints and lines:
        dx, dy = (reg[0], reg[1]) if reg else (0, 0)
        local = [
            ln.model_copy(update={"box": [(x - dx, y - dy) for x, y in ln.box]}) for ln in lines
        ]
        hints = hints_block(local, cropped.shape[1], cropped.shape[0])
    return _Prepared(
        source=label,
        image=prepare_vlm_image(cropped, vlm_pixels, source=label),
        region=reg,
        lines=lines,
        hints=hints,
        timings_ms=timings,
        visual=VisualInput(sent="region", box=reg) if reg else VisualInput(),
    )


def _budgeted(opts: VlmOptions, prep: _Prepared, *, copies: bool = False) -> VlmOptions:
    """Per-task engine settings: the smaller image budget when OCR hints carry the text, and
    prompt-lookup drafts only for tasks whose answer copies the hints (transcribe, extract).

    Drafts cost a verification of every drafted token when they miss, which on a CPU slows a
    short free-form answer down (measured in docs/vlm-speed.md), so ask and chat go without.
    """
    update: dict[str, Any] = {}
    if prep.hints is not None and opts.hints_max_pixels < opts.max_pixels:
        update["max_pixels"] = max(opts.hints_max_pixels, opts.min_pixels)
    if not (copies and prep.hints is not None) and opts.prompt_lookup_tokens:
        update["prompt_lookup_tokens"] = 0
    return opts.model_copy(update=update) if update else opts


def _focus(prep: _Prepared, question: str, focus: str) -> None:
    """Crop to the rows the question names (``focus`` auto/lines, with hints, without --region)."""
    from vlocr.service.focus import focus_box, lines_named_by

    if focus not in ("auto", "lines", "page"):
        raise InvalidOptionError(f"unknown focus '{focus}'", "use auto, lines or page")
    if focus == "page" or prep.hints is None or prep.region is not None or not prep.lines:
        return
    height, width = prep.image.shape[:2]
    box = focus_box(question, prep.lines, width, height)
    if box is None:
        return
    x, y, w, h = box
    prep.image = np.ascontiguousarray(prep.image[y : y + h, x : x + w])
    named = [ln.text for ln in lines_named_by(question, prep.lines)]
    prep.visual = VisualInput(sent="lines", box=box, lines=named[:10])


def _run_ocr(
    page: Any, engine: str | None, region: Region | None, *, required: bool
) -> list[OcrLine] | None:
    """OCR lines, or None when OCR cannot run here (then checks are skipped, hints must not be)."""
    from vlocr.service.reading import ocr_page

    try:
        return list(ocr_page(page, engine=engine, region=region).lines)
    except VlocrError:
        if required:
            raise
        return None


def _options(vlm: VlmOptions | None, model: str | None = None) -> VlmOptions:
    """The VLM options: ``vlm`` or the settings (``VLOCR_VLM__*``), with ``model`` on top."""
    opts = vlm if vlm is not None else get_settings().vlm
    return opts.model_copy(update={"model": model}) if model else opts


def _answer(
    task: str,
    gen: Generation,
    opts: VlmOptions,
    prep: _Prepared,
    hints_used: bool,
    extra_ms: dict[str, float],
) -> VlmAnswer:
    checks = check_numbers(gen.text, prep.lines) if prep.lines is not None else []
    support = provenance(gen.text, prep.lines) if prep.lines else []
    timings = {**prep.timings_ms, **{f"vlm_{k}": v for k, v in gen.timings_ms.items()}, **extra_ms}
    visual = prep.visual.model_copy(
        update={
            "visual_tokens": gen.usage.image_tokens,
            "budget_tokens": opts.max_pixels // (32 * 32),
        }
    )
    return VlmAnswer(
        task=task,
        text=gen.text,
        model=opts.model,
        backend=opts.backend,
        prompt_version=PROMPT_VERSIONS[task],
        usage=gen.usage,
        finish_reason=gen.finish_reason,
        loop_cut=gen.loop_cut,
        number_checks=checks,
        unsupported_numbers=[c.value for c in checks if not c.found],
        provenance=support,
        ocr_hints_used=hints_used,
        timings_ms={k: round(v, 2) for k, v in timings.items()},
        source=prep.source,
        region=prep.region,
        visual_input=visual,
        engine=dict(gen.info),
    )


def _generate(
    opts: VlmOptions,
    messages: list[dict[str, Any]],
    image: np.ndarray,
    *,
    temperature: float | None,
    top_p: float | None,
    max_new_tokens: int | None,
    json_schema: dict[str, Any] | None = None,
    on_text: Callable[[str], None] | None = None,
) -> tuple[Generation, float]:
    engine = get_engine(opts)
    extra: dict[str, Any] = {}
    if on_text is not None and engine.name == "transformers":
        extra["on_text"] = on_text  # the local engine hands each token's text on as it exists
    start = time.perf_counter()
    gen = engine.generate(
        neutralize_messages(messages),
        images=[image],
        max_new_tokens=max_new_tokens,
        temperature=temperature,
        top_p=top_p,
        json_schema=json_schema,
        **extra,
    )
    return gen, (time.perf_counter() - start) * 1000


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
    """
    opts = _options(vlm, model)
    lng = resolve_lang(lang, question)
    if not question or not question.strip():
        raise InvalidOptionError(
            "the question is empty", 'pass a question, e.g. "What is the total?"'
        )
    prep = _prepare(
        image_source,
        region=region,
        ocr_hints=ocr_hints,
        ocr_checks=ocr_checks,
        ocr_engine=ocr_engine,
        lang=lng,
        io_options=io_options,
        vlm_pixels=opts.max_pixels,
        page=page,
    )
    page_image = prep.image  # the cross-check zooms into page boxes, not the focus crop
    _focus(prep, question, focus)
    opts = _budgeted(opts, prep)
    messages = ask_messages(question, lang=lng, role=role, hints=prep.hints)
    gen, ms = _generate(
        opts,
        messages,
        prep.image,
        temperature=temperature,
        top_p=top_p,
        max_new_tokens=max_new_tokens,
        on_text=on_text,
    )
    answer = _answer("ask", gen, opts, prep, prep.hints is not None, {"vlm": ms})
    if prep.lines:
        from vlocr.service.crosscheck import check_answer

        check_answer(
            answer,
            question,
            prep.lines,
            page_image,
            prep.region,
            _reasker(get_engine(opts), max_new_tokens),
            lng,
            reask=cross_check,
        )
    return answer


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
    opts = _options(vlm, model)
    lng = resolve_lang(lang)
    prep = _prepare(
        image_source,
        region=region,
        ocr_hints=ocr_hints,
        ocr_checks=ocr_checks,
        ocr_engine=ocr_engine,
        lang=lng,
        io_options=io_options,
        vlm_pixels=opts.max_pixels,
        page=page,
    )
    opts = _budgeted(opts, prep, copies=True)
    messages = transcribe_messages(structured=structured, lang=lng, role=role, hints=prep.hints)
    gen, ms = _generate(
        opts,
        messages,
        prep.image,
        temperature=temperature,
        top_p=top_p,
        max_new_tokens=max_new_tokens,
    )
    return _answer("transcribe", gen, opts, prep, prep.hints is not None, {"vlm": ms})


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
    """One more turn of a conversation about an image; ``history`` holds the earlier turns."""
    opts = _options(vlm, model)
    first_user = next((m.content for m in history if m.role == "user"), message)
    lng = resolve_lang(lang, first_user + message)
    prep = _prepare(
        image_source,
        region=region,
        ocr_hints=ocr_hints,
        ocr_checks=ocr_checks,
        ocr_engine=ocr_engine,
        lang=lng,
        io_options=io_options,
        vlm_pixels=opts.max_pixels,
        page=page,
    )
    opts = _budgeted(opts, prep)
    messages = chat_messages(history, message, lang=lng, role=role, hints=prep.hints)
    gen, ms = _generate(
        opts,
        messages,
        prep.image,
        temperature=temperature,
        top_p=top_p,
        max_new_tokens=max_new_tokens,
        on_text=on_text,
    )
    return _answer("chat", gen, opts, prep, prep.hints is not None, {"vlm": ms})


def extract(
    image_source: Any,
    schema: str | dict[str, Any] | Path = "receipt",
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
    max_attempts: int = 3,
    cross_check: bool = True,
) -> ExtractResult:
    """JSON fields for a schema, validated; re-asks with the errors up to ``max_attempts`` times.

    With OCR checks on, receipt and invoice fields are compared with the OCR extractor's; with
    ``cross_check`` each disagreeing field (at most 3) is asked again once on a zoomed crop."""
    opts = _options(vlm, model)
    name, schema_dict = load_schema(schema)
    lng = resolve_lang(lang)
    prep = _prepare(
        image_source,
        region=region,
        ocr_hints=ocr_hints,
        ocr_checks=ocr_checks,
        ocr_engine=ocr_engine,
        lang=lng,
        io_options=io_options,
        vlm_pixels=opts.max_pixels,
        page=page,
    )
    opts = _budgeted(opts, prep, copies=True)
    messages = extract_messages(schema_dict, name, lang=lng, role=role, hints=prep.hints)
    engine = get_engine(opts)
    total_ms = 0.0

    def call(convo: list[dict[str, Any]]) -> Generation:
        nonlocal total_ms
        start = time.perf_counter()
        gen = engine.generate(
            neutralize_messages(convo),
            images=[prep.image],
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_p=top_p,
            json_schema=schema_dict,
        )
        total_ms += (time.perf_counter() - start) * 1000
        return gen

    outcome = run_extraction(call, messages, schema_dict, lang=lng, max_attempts=max_attempts)
    last: Generation = outcome.replies[-1]
    usage = Usage(
        prompt_tokens=sum(g.usage.prompt_tokens for g in outcome.replies),
        completion_tokens=sum(g.usage.completion_tokens for g in outcome.replies),
        image_tokens=sum(g.usage.image_tokens for g in outcome.replies),
    )
    combined = Generation(
        text=last.text,
        usage=usage,
        finish_reason=last.finish_reason,
        loop_cut=last.loop_cut,
        timings_ms=last.timings_ms,
        info=last.info,
    )
    answer = _answer("extract", combined, opts, prep, prep.hints is not None, {"vlm": total_ms})
    result = ExtractResult(
        schema_name=name,
        data=outcome.data,
        valid=outcome.valid,
        validation_errors=outcome.errors,
        attempts=outcome.attempts,
        repaired=outcome.repaired,
        answer=answer,
    )
    if prep.lines and outcome.valid:
        from vlocr.service.crosscheck import check_extraction

        check_extraction(
            result,
            prep.lines,
            prep.image,
            prep.region,
            _reasker(engine, max_new_tokens),
            lng,
            reask=cross_check,
        )
    result.issues = check_consistency(name, result.data) if outcome.valid else []
    return result


def _reasker(engine: Any, max_new_tokens: int | None) -> Any:
    """``generate(messages, image) -> text`` for the cross-checks' re-asks (greedy, short)."""

    def generate(messages: list[dict[str, Any]], image: np.ndarray) -> str:
        return str(
            engine.generate(
                messages, images=[image], max_new_tokens=min(max_new_tokens or 64, 64)
            ).text
        )

    return generate


# ---- OpenAI-compatible chat completion (used by the /v1/chat/completions endpoint) ------------


@dataclass
class CompletionResult:
    """A finished completion (``chunks`` is None) or a stream (``chunks`` yields text pieces)."""

    model: str
    backend: str
    text: str = ""
    usage: Usage = field(default_factory=Usage)
    finish_reason: str = "stop"
    loop_cut: bool = False
    chunks: Iterator[str] | None = None


def openai_messages_to_engine(
    messages: list[dict[str, Any]],
    io_options: IoOptions | None = None,
    *,
    vlm_pixels: int = VlmOptions().max_pixels,
) -> tuple[list[dict[str, Any]], list[np.ndarray]]:
    """Decode ``image_url`` data URLs into arrays; leave ``{"type": "image"}`` placeholders in place.

    Remote URLs are refused: the service never fetches from the network on a client's behalf.
    """
    from vlocr.io import PixelBudget, first_page

    if not isinstance(messages, list) or not messages:
        raise InvalidOptionError("messages must be a non-empty list", "send OpenAI chat messages")
    out: list[dict[str, Any]] = []
    images: list[np.ndarray] = []
    budget = PixelBudget((io_options or get_settings().io).max_total_pixels, what="request")
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict) or msg.get("role") not in ("system", "user", "assistant"):
            raise InvalidOptionError(
                f"message {i} has no valid role", "roles are system, user and assistant"
            )
        content = msg.get("content")
        if content is None or isinstance(content, str):
            out.append({"role": msg["role"], "content": content or ""})
            continue
        if not isinstance(content, list):
            raise InvalidOptionError(
                f"message {i} content must be a string or a list of parts",
                "see the OpenAI chat format",
            )
        parts: list[dict[str, Any]] = []
        for part in content:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind == "text":
                parts.append({"type": "text", "text": str(part.get("text", ""))})
            elif kind == "image_url":
                ref = part.get("image_url")
                url = ref.get("url") if isinstance(ref, dict) else ref
                if not isinstance(url, str) or not url.startswith("data:"):
                    raise InvalidOptionError(
                        "image_url must be a data: URL",
                        "embed the image as data:image/png;base64,... (remote URLs are not fetched)",
                    )
                page = first_page(
                    url,
                    options=io_options or get_settings().io,
                    label=f"message {i} image",
                    budget=budget,
                )
                images.append(prepare_vlm_image(page.image, vlm_pixels, source=page.label))
                del page
                parts.append({"type": "image"})
            else:
                raise InvalidOptionError(
                    f"unsupported content part type '{kind}' in message {i}",
                    "use text and image_url parts",
                )
        out.append({"role": msg["role"], "content": parts})
    return out, images


def _json_reply(
    engine: Any,
    messages: list[dict[str, Any]],
    images: list[np.ndarray],
    schema: dict[str, Any] | None,
    **sampling: Any,
) -> Generation:
    """A reply that honours ``response_format``: asked for JSON, parsed, repaired, re-asked once
    with the errors; the text is the clean JSON when one was recovered."""
    import json

    from vlocr.tasks.prompts import json_mode_messages

    replies: list[Generation] = []

    def call(convo: list[dict[str, Any]]) -> Generation:
        replies.append(engine.generate(convo, images=images, json_schema=schema, **sampling))
        return replies[-1]

    outcome = run_extraction(
        call, json_mode_messages(messages, schema), schema or {"type": "object"}, max_attempts=2
    )
    last = replies[-1]
    text = json.dumps(outcome.data, ensure_ascii=False) if outcome.data is not None else last.text
    usage = Usage(
        prompt_tokens=sum(g.usage.prompt_tokens for g in replies),
        completion_tokens=sum(g.usage.completion_tokens for g in replies),
        image_tokens=sum(g.usage.image_tokens for g in replies),
    )
    return Generation(
        text=text, usage=usage, finish_reason=last.finish_reason, loop_cut=last.loop_cut
    )


def chat_completion(
    messages: list[dict[str, Any]],
    *,
    vlm: VlmOptions | None = None,
    io_options: IoOptions | None = None,
    stream: bool = False,
    max_new_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    json_schema: dict[str, Any] | None = None,
    json_mode: bool = False,
) -> CompletionResult:
    """Run OpenAI-format messages (images as data URLs) through the configured engine.

    ``json_mode`` (``response_format`` ``json_object``) or a ``json_schema`` makes the reply one
    validated JSON object; a stream then carries that object as its one piece. A stream's
    ``CompletionResult`` gets its usage and finish reason once its chunks are consumed.
    """
    opts = _options(vlm)
    if opts.prompt_lookup_tokens:  # free-form chat: drafts that miss only cost (see _budgeted)
        opts = opts.model_copy(update={"prompt_lookup_tokens": 0})
    engine_messages, images = openai_messages_to_engine(
        messages, io_options, vlm_pixels=opts.max_pixels
    )
    engine_messages = neutralize_messages(engine_messages)
    engine = get_engine(opts)
    sampling: dict[str, Any] = {
        "max_new_tokens": max_new_tokens,
        "temperature": temperature,
        "top_p": top_p,
    }
    if json_mode or json_schema is not None:
        gen = _json_reply(engine, engine_messages, images, json_schema, **sampling)
    elif stream:
        result = CompletionResult(model=opts.model, backend=opts.backend)
        result.chunks = _stream_into(
            engine.stream(engine_messages, images=images, **sampling), result
        )
        return result
    else:
        gen = engine.generate(engine_messages, images=images, **sampling)
    return CompletionResult(
        model=opts.model,
        backend=opts.backend,
        text=gen.text,
        usage=gen.usage,
        finish_reason=gen.finish_reason,
        loop_cut=gen.loop_cut,
        chunks=iter([gen.text]) if stream else None,
    )


def _stream_into(
    pieces: Generator[str, None, Generation], result: CompletionResult
) -> Iterator[str]:
    """Pass the engine's pieces on; when they end, copy the engine's final ``Generation`` (usage,
    finish reason) onto ``result``, so a stream reports what the same request without one does."""
    final = yield from pieces
    if isinstance(final, Generation):
        result.text, result.usage = final.text, final.usage
        result.finish_reason, result.loop_cut = final.finish_reason, final.loop_cut
