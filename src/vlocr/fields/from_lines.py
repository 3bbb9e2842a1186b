"""Schema fields from one page's OCR lines: the receipt and invoice rules, the typed ``data``
validated against the schema, the evidence per field and the arithmetic checks. Pure: the lines
come from whoever read the page (``service.extract(engine="ocr")``, the benchmark, a test)."""

from __future__ import annotations

from typing import Any

from vlocr.errors import InvalidOptionError
from vlocr.fields.invoice import extract_invoice
from vlocr.fields.page_lines import PageLines
from vlocr.fields.receipt import extract_receipt
from vlocr.fusion.consistency import check_consistency
from vlocr.results import ExtractResult, FieldEvidence, OcrLine

OCR_SCHEMAS = ("receipt", "invoice")


def fields_from_lines(
    lines: list[OcrLine], schema: str, width: float = 0, height: float = 0
) -> dict[str, FieldEvidence | None]:
    """Evidence per field of a built-in schema, from one page's OCR lines."""
    page = PageLines.build(lines, width, height)
    if schema == "receipt":
        return extract_receipt(page)
    if schema == "invoice":
        return extract_invoice(page)
    raise InvalidOptionError(
        f"the OCR extractor has no rules for schema '{schema}'",
        f"use --schema {' or '.join(OCR_SCHEMAS)}, or --engine vlm for other schemas",
    )


# the schema's list of line items and what it calls an item's amount
ITEM_KEYS = {"receipt": ("items", "price"), "invoice": ("items", "amount")}


def items_from_lines(
    lines: list[OcrLine], schema: str, width: float = 0, height: float = 0
) -> list[dict[str, Any]]:
    """The line items of a built-in schema, from one page's OCR lines."""
    from vlocr.fields.line_items import line_items

    if schema not in ITEM_KEYS:
        return []
    return line_items(lines, width, height, amount_key=ITEM_KEYS[schema][1])


def result_from_fields(
    schema: str,
    fields: dict[str, FieldEvidence | None],
    items: list[dict[str, Any]] | None = None,
) -> ExtractResult:
    """Typed ``data`` (validated against the schema) plus evidence and arithmetic checks;
    ``items`` fills the schema's line items."""
    from vlocr.tasks.jsonfix import validate
    from vlocr.tasks.schemas import load_schema

    name, schema_dict = load_schema(schema)
    data: dict[str, Any] = {key: (ev.value if ev else None) for key, ev in fields.items()}
    props = schema_dict.get("properties", {})
    for key, sub in props.items():
        if key not in data:
            data[key] = [] if sub.get("type") == "array" else None
    if items and schema in ITEM_KEYS and ITEM_KEYS[schema][0] in props:
        data[ITEM_KEYS[schema][0]] = items
    data = {k: v for k, v in data.items() if k in props}
    errors = validate(data, schema_dict)
    return ExtractResult(
        schema_name=name,
        data=data,
        valid=not errors,
        validation_errors=errors,
        attempts=0,
        issues=check_consistency(name, data),
        engine="ocr",
        fields={k: v for k, v in fields.items() if k in props},
    )
