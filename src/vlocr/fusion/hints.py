"""OCR text as a compact block for the VLM prompt (``--ocr-hints``).

The page's rows in reading order (a receipt's label and its amount on one row, a page in columns
one column after the other), under a ``[top]`` / ``[middle]`` / ``[bottom]`` marker where the
text passes into the next third of the image. On a CPU every prompt token costs prefill time,
and numbering each detected box with its own position tag cost about seven tokens a box; the rows
carry the same text and keep what belongs together on one line. The caller orders the rows
(``layout.structure.reading_rows``: the page's layout reading order, the order ``page.text``
has); this module only writes them, so the checks below the layout never import it.
"""

from __future__ import annotations

from vlocr.results import OcrLine


def _third(row: list[OcrLine], height: int) -> str:
    top = min(ln.bbox[1] for ln in row)
    bottom = max(ln.bbox[3] for ln in row)
    cy = (top + bottom) / 2 / max(height, 1)
    return "top" if cy < 1 / 3 else ("middle" if cy < 2 / 3 else "bottom")


def hints_block(rows: list[list[OcrLine]], height: int, max_lines: int = 80) -> str:
    """``rows`` (visual rows of OCR lines, in reading order) as the prompt's hint block: at most
    ``max_lines`` rows, each third of the image (``height``) introduced once (``[top]``), then a
    count of the rows left out."""
    rows = [kept for row in rows if (kept := [ln for ln in row if ln.text.strip()])]
    out: list[str] = []
    third = ""
    for row in rows[:max_lines]:
        here = _third(row, height)
        if here != third:
            out.append(f"[{here}]")
            third = here
        out.append(" ".join(ln.text.strip() for ln in row))
    if len(rows) > max_lines:
        out.append(f"... ({len(rows) - max_lines} more lines not shown)")
    return "\n".join(out)
