"""A read page's structure in one call: its tables first (a table is one region of the layout),
then its layout regions in reading order, and the page's lines and text put in that order. The page
loop calls this for every page read by OCR or from a PDF's text layer, so every interface (text,
JSON, Markdown, hOCR / ALTO, REST, the page, batch) carries the same ``tables``, ``blocks`` and
order."""

from __future__ import annotations

import time

import numpy as np

from vlocr.layout.order import analyse_layout, apply_reading_order, block_rows, follows_layout
from vlocr.layout.tables import annotate_tables
from vlocr.ocr.layout import group_rows, reading_blocks
from vlocr.results import OcrLine, PageResult


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


def reading_rows(
    lines: list[OcrLine], width: int, height: int, image: np.ndarray | None = None
) -> list[list[OcrLine]]:
    """Loose OCR lines as visual rows in the page's reading order (the VLM's OCR hints): the
    lines analysed as a page (``image``, in the lines' pixels, lets figures cut the columns), the
    engine's XY-cut where the layout does not hold (``apply_reading_order``'s guards)."""
    page = PageResult(source="", width=width, height=height, lines=list(lines))
    analyse_structure(page, image)
    if follows_layout(page):
        return [[page.lines[i] for i in row] for _, rows in block_rows(page) for row in rows]
    return [row for block in reading_blocks(list(lines)) for row in group_rows(block)]
