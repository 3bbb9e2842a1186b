"""``extract --engine ocr``: schema fields from OCR lines, in the same result shape as the VLM's.

``data`` holds the typed values under the schema's own names (so tables, the page and the
cross-checks treat both engines alike), ``fields`` the evidence per field, and ``issues`` the
same arithmetic checks the VLM result gets. The rules themselves are in ``from_lines``; this
module adds reading the page when only an image is given.
"""

from __future__ import annotations

from typing import Any

from vlocr.fields.from_lines import (
    OCR_SCHEMAS,
    fields_from_lines,
    items_from_lines,
    result_from_fields,
)
from vlocr.results import ExtractResult, OcrLine

__all__ = [
    "OCR_SCHEMAS",
    "extract_ocr_fields",
    "fields_from_lines",
    "items_from_lines",
    "result_from_fields",
]


def extract_ocr_fields(
    image_source: Any,
    schema: str = "receipt",
    *,
    ocr_engine: str | None = None,
    preprocess: str = "auto",
    region: Any = None,
    lines: list[OcrLine] | None = None,
) -> ExtractResult:
    """Read the page (or use ``lines`` already read) and fill the schema from OCR alone."""
    if schema not in OCR_SCHEMAS:
        fields_from_lines([], schema)  # raises the typed error
    width = height = 0.0
    if lines is None:
        from vlocr.io.loader import load_pages
        from vlocr.service.reading import ocr_page, parse_region

        page = load_pages(image_source)[0]
        result = ocr_page(
            page, engine=ocr_engine, preprocess=preprocess, region=parse_region(region)
        )
        lines, width, height = list(result.lines), result.width, result.height
    return result_from_fields(
        schema,
        fields_from_lines(lines, schema, width, height),
        items_from_lines(lines, schema, width, height),
    )
