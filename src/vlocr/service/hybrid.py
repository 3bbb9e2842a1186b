"""Hybrid PDF pages: a page with a text layer *and* pictures gets the text inside its pictures OCRed.

A digital page is read from its own text layer (exact, free), but a pasted receipt photo or a
screenshot on it carries text the layer does not have. Each picture the renderer found
(``Page.pictures``) is OCRed in the page's rendering with the page's engine and preprocessing,
its lines placed in the page's reading order among the layer's lines, each marked by source
(``OcrLine.engine``: ``pdf-text`` for the layer, the engine's name for the OCR), as OCRmyPDF's
``--redo-ocr`` and docling do. A picture the layer already writes on (a scanned page made
searchable) is taken as read; an OCR line over a layer line (a typed caption on a photo) is
dropped, the layer's copy kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from vlocr.io.page import Page
from vlocr.results import OcrLine, PageResult

#: A picture with this many layer characters on it is a scan whose text the layer already holds.
LAYER_CHARS_READ = 20

Box = tuple[float, float, float, float]


def _centre_in(line: OcrLine, box: Box) -> bool:
    x0, y0, x1, y1 = line.bbox
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _layer_chars_in(layer: list[OcrLine], box: Box) -> int:
    return sum(len(ln.text.replace(" ", "")) for ln in layer if _centre_in(ln, box))


def _clip(box: Box, region: tuple[int, int, int, int] | None) -> Box | None:
    if region is None:
        return box
    x, y, w, h = region
    clipped = (max(box[0], x), max(box[1], y), min(box[2], x + w), min(box[3], y + h))
    return clipped if clipped[2] > clipped[0] and clipped[3] > clipped[1] else None


def pictures_to_read(page: Page, layer: list[OcrLine], region: Any = None) -> list[Box]:
    """The page's pictures whose text the layer lacks (inside ``region`` when one is given)."""
    out = []
    for picture in page.pictures:
        box = _clip(tuple(float(v) for v in picture), region)  # type: ignore[arg-type]
        if box is not None and _layer_chars_in(layer, box) < LAYER_CHARS_READ:
            out.append(box)
    return out


def merge_in_reading_order(
    layer: list[OcrLine], blocks: list[tuple[Box, list[OcrLine]]]
) -> list[OcrLine]:
    """The layer's lines in their own order, each picture's lines as one block placed before the
    first layer line that starts below the picture's top (text above a picture comes first)."""
    merged = list(layer)
    for box, lines in sorted(blocks, key=lambda b: (b[0][1], b[0][0]), reverse=True):
        at = next(
            (i for i, ln in enumerate(merged) if ln.engine == "pdf-text" and ln.bbox[1] >= box[1]),
            len(merged),
        )
        merged[at:at] = lines
    return merged


def _over_layer(line: OcrLine, layer: list[OcrLine]) -> bool:
    x0, y0, x1, y1 = line.bbox
    return any(_centre_in(ln, (x0, y0, x1, y1)) for ln in layer)


def read_pictures(
    page: Page,
    result: PageResult,
    *,
    read_region: Callable[[Page, tuple[int, int, int, int]], PageResult],
) -> PageResult:
    """``result`` (a page read from its text layer) with the text of its pictures OCRed and merged
    in; unchanged when the page has no picture left to read. ``read_region(page, box)`` OCRs one
    x, y, w, h box of the page with the page's engine and preprocessing (the page loop's own
    reader, passed in so this module stays below it)."""
    layer = result.lines
    pictures = pictures_to_read(page, layer, result.region)
    if not pictures:
        return result
    start = time.perf_counter()
    bare = Page(
        image=page.image,
        source=page.source,
        page=page.page,
        page_count=page.page_count,
        format=page.format,
    )
    blocks = []
    for x0, y0, x1, y1 in pictures:
        box = (round(x0), round(y0), max(1, round(x1 - x0)), max(1, round(y1 - y0)))
        read = read_region(bare, box)
        lines = [
            ln.model_copy(update={"engine": ln.engine or read.engine})
            for ln in read.lines
            if not _over_layer(ln, layer)
        ]
        if lines:
            blocks.append(((x0, y0, x1, y1), lines))
    if not blocks:
        return result
    lines = merge_in_reading_order(layer, blocks)
    ocr_engine = blocks[0][1][0].engine
    confidences = [ln.confidence for ln in lines]
    return result.model_copy(
        update={
            "engine": f"pdf-text+{ocr_engine}",
            "lines": lines,
            "text": "\n".join(ln.text for ln in lines),
            "mean_confidence": sum(confidences) / len(confidences),
            "timings_ms": {
                **result.timings_ms,
                "ocr_pictures": round((time.perf_counter() - start) * 1000, 2),
            },
        }
    )
