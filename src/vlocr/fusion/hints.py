"""OCR lines as a compact, numbered block for the VLM prompt (``--ocr-hints``)."""

from __future__ import annotations

from vlocr.results import OcrLine


def coarse_position(line: OcrLine, width: int, height: int) -> str:
    """``top-left`` ... ``bottom-right`` from the box centre in thirds; the centre cell is ``middle``."""
    x0, y0, x1, y1 = line.bbox
    cx = (x0 + x1) / 2 / max(width, 1)
    cy = (y0 + y1) / 2 / max(height, 1)
    row = "top" if cy < 1 / 3 else ("middle" if cy < 2 / 3 else "bottom")
    col = "left" if cx < 1 / 3 else ("center" if cx < 2 / 3 else "right")
    if row == "middle" and col == "center":
        return "middle"
    return f"{row}-{col}"


def hints_block(lines: list[OcrLine], width: int, height: int, max_lines: int = 80) -> str:
    """``1. [top-left] FRESH MART`` per line, at most ``max_lines``, then a count of the rest."""
    kept = [ln for ln in lines if ln.text.strip()]
    out = [
        f"{i}. [{coarse_position(ln, width, height)}] {ln.text.strip()}"
        for i, ln in enumerate(kept[:max_lines], 1)
    ]
    if len(kept) > max_lines:
        out.append(f"... ({len(kept) - max_lines} more lines not shown)")
    return "\n".join(out)
