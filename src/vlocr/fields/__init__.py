"""Fields from OCR alone: receipt and invoice fields read from OCR lines, their layout and value
patterns, each with its box, its lines and a confidence. No VLM, so it runs anywhere ``vlocr
read`` runs, and it gives the VLM's fields something independent to be checked against."""

from __future__ import annotations

from vlocr.fields.ocr_extraction import OCR_SCHEMAS, extract_ocr_fields, fields_from_lines

__all__ = ["OCR_SCHEMAS", "extract_ocr_fields", "fields_from_lines"]
