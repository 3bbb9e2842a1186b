"""``extract``: a page's fields as JSON validated against a schema, by either engine.

The ``engine`` choice is made here once for every interface (library, CLI, REST, batch):
``vlm`` asks the model (re-asking with the validation errors, fields cross-checked against OCR);
``ocr`` fills the receipt/invoice schema from OCR lines and layout alone (``vlocr.fields``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vlocr.config import IoOptions, VlmOptions
from vlocr.errors import InvalidOptionError
from vlocr.fields.from_lines import (
    OCR_SCHEMAS,
    fields_from_lines,
    items_from_lines,
    result_from_fields,
)
from vlocr.fusion import check_consistency
from vlocr.results import ExtractResult, Usage
from vlocr.service.answers import build_answer
from vlocr.service.generation import engine_for, generate, reasker
from vlocr.service.regions import Region, parse_region
from vlocr.service.task_page import budgeted, load_task_page, options, prepare, read_page
from vlocr.tasks import extract_messages, load_schema, resolve_lang, run_extraction
from vlocr.vlm import Generation

EXTRACT_ENGINES = ("vlm", "ocr")


def extract(
    image_source: Any,
    schema: str | dict[str, Any] | Path = "receipt",
    *,
    engine: str = "vlm",
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
    """JSON fields for a schema, validated.

    ``engine="vlm"``: re-asks with the errors up to ``max_attempts`` times; with OCR checks on,
    receipt and invoice fields are compared with the OCR extractor's, and with ``cross_check``
    each disagreeing field (at most 3) is asked again once on a zoomed crop.
    ``engine="ocr"``: receipt and invoice fields from OCR alone (no model; the VLM options are
    not used), each with its box."""
    if engine not in EXTRACT_ENGINES:
        raise InvalidOptionError(f"unknown extract engine '{engine}'", "use vlm or ocr")
    if engine == "ocr":
        return extract_with_ocr(
            image_source,
            schema,
            ocr_engine=ocr_engine,
            region=region,
            page=page,
            io_options=io_options,
        )
    return _extract_with_vlm(
        image_source,
        schema,
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
        max_attempts=max_attempts,
        cross_check=cross_check,
    )


def extract_with_ocr(
    image_source: Any,
    schema: str | dict[str, Any] | Path = "receipt",
    *,
    ocr_engine: str | None = None,
    region: Region | str | None = None,
    page: int = 1,
    io_options: IoOptions | None = None,
) -> ExtractResult:
    """Page ``page`` read by OCR (pages after it never decoded), the schema filled from its lines."""
    if not isinstance(schema, str) or schema not in OCR_SCHEMAS:
        shown = schema if isinstance(schema, str) else "a custom schema"
        raise InvalidOptionError(
            f"engine ocr has rules for the receipt and invoice schemas only, not {shown}",
            "use the receipt or invoice schema, or engine vlm for your own schema",
        )
    page_obj = load_task_page(image_source, io_options, page)[4]
    result = read_page(page_obj, ocr_engine, parse_region(region))
    lines, width, height = list(result.lines), result.width, result.height
    return result_from_fields(
        schema,
        fields_from_lines(lines, schema, width, height),
        items_from_lines(lines, schema, width, height),
    )


def _extract_with_vlm(
    image_source: Any,
    schema: str | dict[str, Any] | Path,
    *,
    vlm: VlmOptions | None,
    model: str | None,
    io_options: IoOptions | None,
    ocr_hints: bool,
    ocr_checks: bool,
    ocr_engine: str | None,
    region: Region | str | None,
    page: int,
    role: str | None,
    lang: str | None,
    temperature: float | None,
    top_p: float | None,
    max_new_tokens: int | None,
    max_attempts: int,
    cross_check: bool,
) -> ExtractResult:
    opts = options(vlm, model)
    name, schema_dict = load_schema(schema)
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
    messages = extract_messages(schema_dict, name, lang=lng, role=role, hints=prep.hints)
    engine = engine_for(opts)
    total_ms = 0.0

    def call(convo: list[dict[str, Any]]) -> Generation:
        nonlocal total_ms
        gen, ms = generate(
            engine,
            convo,
            [prep.image],
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_p=top_p,
            json_schema=schema_dict,
        )
        total_ms += ms
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
            reask=cross_check,
        )
    result.issues = check_consistency(name, result.data) if outcome.valid else []
    return result
