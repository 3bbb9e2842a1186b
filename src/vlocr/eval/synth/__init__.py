"""The one generator of synthetic pages: benchmark documents with exact boxed truth
(``documents``: receipts, invoices, forms, tables, notices ...; ``layouts``: mixed text sizes and
multi-column pages in reading order; ``receipts_caps``: long all-caps till receipts) and plain
rendered pages and lines with known geometry for the preprocessing and engine tests (``pages``),
pages in every script (``script_pages``) and the seeded degradations of a clean page
(``degrade``)."""

from vlocr.eval.synth.documents import (
    ALL_KINDS,
    EXTRA_KINDS,
    KINDS,
    Document,
    boxes_overlap,
    generate,
    generate_set,
    long_receipt,
    rows_text,
)
from vlocr.eval.synth.layouts import LAYOUT_KINDS

__all__ = [
    "ALL_KINDS",
    "EXTRA_KINDS",
    "KINDS",
    "LAYOUT_KINDS",
    "Document",
    "boxes_overlap",
    "generate",
    "generate_set",
    "long_receipt",
    "rows_text",
]
