"""A read page's structure in one call: its tables first (a table is one region of the layout),
then its layout regions in reading order, and the page's lines and text put in that order. The page
loop calls this for every page read by OCR or from a PDF's text layer, so every interface (text,
JSON, Markdown, hOCR / ALTO, REST, the page, batch) carries the same ``tables``, ``blocks`` and
order."""

from __future__ import annotations

import time

import numpy as np

from vlocr.layout.order import analyse_layout, apply_reading_order
from vlocr.layout.tables import annotate_tables
from vlocr.results import PageResult


def analyse_structure(page: PageResult, image: np.ndarray | None = None) -> PageResult:
    """Fill ``page.tables`` and ``page.blocks`` (``image``: the page in its lines' pixels, for
    ruled tables and figures) and put ``page.lines`` / ``page.text`` in the blocks' reading
    order (``apply_reading_order``); the time it took goes to ``timings_ms["structure"]``."""
    if not page.lines or page.error is not None:
        return page
    start = time.perf_counter()
    annotate_tables(page, image)
    analyse_layout(page, image)
    apply_reading_order(page)
    page.timings_ms["structure"] = round((time.perf_counter() - start) * 1000, 2)
    return page
