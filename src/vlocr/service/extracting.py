"""``extract``: a page's fields as JSON validated against a schema, by either engine.

The ``engine`` choice is made here once for every interface (library, CLI, REST, batch):
``vlm`` asks the model (re-asking with the validation errors, fields cross-checked against OCR);
``ocr`` fills the receipt/invoice schema from OCR lines and layout alone (``vlocr.fields``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vlocr.config import IoOptions, VlmOptions
from vlocr.fields.from_lines import fields_from_lines, items_from_lines, result_from_fields
from vlocr.fusion import check_consistency
from vlocr.results import ExtractResult, Usage
from vlocr.service.answers import build_answer
from vlocr.service.generation import engine_for, generate, reasker
from vlocr.service.task_page import budgeted, load_task_page, prepare, read_page
from vlocr.service.task_page import options as vlm_options
from vlocr.service.task_requests import EXTRACT_ENGINES, ExtractRequest  # noqa: F401 - old name
from vlocr.tasks import extract_messages, load_schema, resolve_lang, run_extraction
from vlocr.vlm import Generation


def extract(
    image_source: Any,
    schema: str | dict[str, Any] | Path | None = None,
    *,
    request: ExtractRequest | None = None,
    vlm: VlmOptions | None = None,
    model: str | None = None,
    io_options: IoOptions | None = None,
    **options: Any,
) -> ExtractResult:
    """JSON fields for a schema (default receipt), validated.

    ``options`` are the fields of ``ExtractRequest`` (``engine``, ``region``, ``page``,
    ``ocr_engine``, ``max_attempts``, ``role``, ...), or pass a built ``request``.
    ``engine="vlm"``: re-asks with the errors up to ``max_attempts`` times; with OCR checks on,
    receipt and invoice fields are compared with the OCR extractor's, and with ``cross_check``
    each disagreeing field (at most 3) is asked again once on a zoomed crop.
    ``engine="ocr"``: receipt and invoice fields from OCR alone (no model; the VLM options are
    not used), each with its box."""
    if request is None:
        request = ExtractRequest.from_options(schema=schema, **options)
    elif schema is not None or options:
        raise TypeError("pass either request= or the schema and its options, not both")
    if request.engine == "ocr":
        return extract_with_ocr(image_source, request, io_options=io_options)
    return _extract_with_vlm(image_source, request, vlm=vlm, model=model, io_options=io_options)


def extract_with_ocr(
    image_source: Any, request: ExtractRequest, *, io_options: IoOptions | None = None
) -> ExtractResult:
    """The request's page read by OCR (pages after it never decoded), the schema filled from
    its lines (``ExtractRequest`` has checked the schema is one the rules know)."""
    schema = str(request.schema_)
    page_obj = load_task_page(image_source, io_options, request.page)[4]
    result = read_page(page_obj, request)
    lines, width, height = list(result.lines), result.width, result.height
    return result_from_fields(
        schema,
        fields_from_lines(lines, schema, width, height),
        items_from_lines(lines, schema, width, height),
    )


def _extract_with_vlm(
    image_source: Any,
    request: ExtractRequest,
    *,
    vlm: VlmOptions | None,
    model: str | None,
    io_options: IoOptions | None,
) -> ExtractResult:
    opts = vlm_options(vlm, model)
    name, schema_dict = load_schema(request.schema_)
    lng = resolve_lang(request.prompt_lang)
    prep = prepare(image_source, request, io_options=io_options, vlm_pixels=opts.max_pixels)
    opts = budgeted(opts, prep, copies=True)
    messages = extract_messages(schema_dict, name, lang=lng, role=request.role, hints=prep.hints)
    engine = engine_for(opts)
    total_ms = 0.0
    max_new_tokens = request.max_new_tokens

    def call(convo: list[dict[str, Any]]) -> Generation:
        nonlocal total_ms
        gen, ms = generate(
            engine,
            convo,
            [prep.image],
            max_new_tokens=max_new_tokens,
            temperature=request.temperature,
            top_p=request.top_p,
            json_schema=schema_dict,
        )
        total_ms += ms
        return gen

    outcome = run_extraction(
        call, messages, schema_dict, lang=lng, max_attempts=request.max_attempts
    )
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
    answer = build_answer("extract", combined, opts, prep, {"vlm": total_ms})
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
        from vlocr.service.field_recheck import check_extraction

        check_extraction(
            result,
            prep.lines,
            prep.image,
            prep.region,
            reasker(engine, max_new_tokens),
            lng,
            reask=request.cross_check,
        )
    result.issues = check_consistency(name, result.data) if outcome.valid else []
    return result
