"""Pure merging of OCR lines and VLM text: prompt hints, number checks, provenance, arithmetic rules."""

from __future__ import annotations

from vlocr.fusion.consistency import check_consistency, check_invoice, check_receipt
from vlocr.fusion.hints import hints_block
from vlocr.fusion.numbers import check_numbers, extract_numbers
from vlocr.fusion.provenance import provenance

__all__ = [
    "check_consistency",
    "check_invoice",
    "check_numbers",
    "check_receipt",
    "extract_numbers",
    "hints_block",
    "provenance",
]
