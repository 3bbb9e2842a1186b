"""Human-facing renderings of results: plain text, the document as Markdown (its writer is
``vlocr.export.markdown``), the table of OCR lines, and an annotated image."""

from __future__ import annotations

from typing import Any

import numpy as np

from vlocr.results import OcrLine, PageResult, ReadResult


def page_line_table(page: PageResult) -> str:
    """One page as a Markdown table of its OCR lines with confidences (``--format lines``)."""
    head = f"## {page.label}\n"
    if page.error:
        return (
            head
            + f"\n**Error:** {page.error.message}"
            + (f" ({page.error.hint})" if page.error.hint else "")
            + "\n"
        )
    timing = ", ".join(f"{k} {v:.0f} ms" for k, v in page.timings_ms.items())
    if not page.lines and page.text:  # a VLM transcription: text without line boxes
        return head + f"\nengine `{page.engine}`; {timing}\n\n" + page.text + "\n"
    rows = ["| # | text | confidence |", "| ---: | --- | ---: |"]
    for i, line in enumerate(page.lines, 1):
        text = line.text.replace("|", "\\|")
        rows.append(f"| {i} | {text} | {line.confidence:.2f} |")
    return (
        head
        + f"\n{len(page.lines)} lines, engine `{page.engine}`; {timing}\n\n"
        + "\n".join(rows)
        + "\n"
    )


def to_line_table(result: ReadResult) -> str:
    return "\n".join(page_line_table(p) for p in result.pages)


def to_markdown(result: ReadResult) -> str:
    """The document as Markdown: headings, paragraphs, lists, tables in reading order."""
    from vlocr.export.markdown import to_document

    return to_document(result)


def to_text(result: ReadResult) -> str:
    """Plain text; each page gets a ``==> label <==`` header when there is more than one page."""
    many = len(result.pages) > 1
    chunks = []
    for page in result.pages:
        if page.error:
            continue
        chunks.append((f"==> {page.label} <==\n" if many else "") + page.text)
    return "\n\n".join(chunks)


def annotate(image: np.ndarray, lines: list[OcrLine]) -> np.ndarray:
    """Draw each line's box and its 1-based number on a copy of ``image`` (RGB uint8)."""
    from PIL import Image, ImageDraw, ImageFont

    canvas = Image.fromarray(image).convert("RGB")
    draw = ImageDraw.Draw(canvas)
    size = max(12, int(min(canvas.size) / 60))
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        font = ImageFont.load_default()
    width = max(2, int(min(canvas.size) / 400))
    for i, line in enumerate(lines, 1):
        points = [(float(x), float(y)) for x, y in line.box]
        colour = (220, 30, 30) if line.confidence >= 0.8 else (240, 150, 0)
        draw.line(points + [points[0]], fill=colour, width=width)
        x0 = min(p[0] for p in points)
        y0 = min(p[1] for p in points)
        label = str(i)
        bbox = draw.textbbox((0, 0), label, font=font)
        lw, lh = bbox[2] - bbox[0] + 4, bbox[3] - bbox[1] + 4
        lx, ly = max(0.0, x0 - lw), max(0.0, y0)
        draw.rectangle([lx, ly, lx + lw, ly + lh], fill=(30, 90, 220))
        draw.text((lx + 2, ly + 1 - bbox[1]), label, fill=(255, 255, 255), font=font)
    return np.asarray(canvas)


def annotate_evidence(
    image: np.ndarray, support: list[list[tuple[float, float]]], numbers: list[Any]
) -> np.ndarray:
    """Draw an answer's evidence on a copy of ``image``: supporting OCR lines as green boxes and
    the boxes of numbers found in the OCR text as blue ones, so a reader can check the answer."""
    from PIL import Image, ImageDraw

    canvas = Image.fromarray(image).convert("RGB")
    draw = ImageDraw.Draw(canvas)
    width = max(2, int(min(canvas.size) / 300))
    for boxes, colour in ((support, (20, 160, 60)), (numbers, (30, 90, 220))):
        for box in boxes:
            points = [(float(x), float(y)) for x, y in box]
            if len(points) >= 3:
                draw.line(points + [points[0]], fill=colour, width=width)
    return np.asarray(canvas)
