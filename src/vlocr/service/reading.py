"""OCR of pages: load -> crop region -> preprocess -> engine -> boxes mapped back -> result."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vlocr.config import IoOptions
from vlocr.errors import InvalidOptionError, VlocrError
from vlocr.io.page import Page
from vlocr.ocr.registry import DEFAULT_ENGINE, get_engine
from vlocr.results import ErrorInfo, OcrLine, PageResult, ReadResult

Region = tuple[int, int, int, int]


def parse_region(text: str | Sequence[int] | None) -> Region | None:
    """Accept ``"x,y,w,h"`` or a 4-sequence; reject anything else with a clear message."""
    if text is None or text == "":
        return None
    parts: Sequence[Any] = text.replace(" ", "").split(",") if isinstance(text, str) else text
    try:
        x, y, w, h = (int(float(p)) for p in parts)
    except (TypeError, ValueError):
        raise InvalidOptionError(
            f"region '{text}' is not four numbers",
            "write it as x,y,w,h in pixels, e.g. 0,0,400,300",
        ) from None
    if w <= 0 or h <= 0 or x < 0 or y < 0:
        raise InvalidOptionError(
            f"region '{text}' has a negative origin or an empty size", "use x,y >= 0 and w,h > 0"
        )
    return x, y, w, h


def crop_region(image: np.ndarray, region: Region | None) -> np.ndarray:
    if region is None:
        return image
    x, y, w, h = region
    height, width = image.shape[:2]
    if x >= width or y >= height:
        raise InvalidOptionError(
            f"region {region} lies outside the {width}x{height} image",
            "pick x < width and y < height",
        )
    return image[y : min(y + h, height), x : min(x + w, width)]


def _shift(lines: list[OcrLine], dx: float, dy: float) -> list[OcrLine]:
    if not dx and not dy:
        return lines
    return [
        ln.model_copy(update={"box": [(px + dx, py + dy) for px, py in ln.box]}) for ln in lines
    ]


def ocr_page_with_image(
    page: Page,
    *,
    engine: str = DEFAULT_ENGINE,
    preprocess: str | list[str] = "auto",
    region: Region | None = None,
    engine_options: dict[str, Any] | None = None,
    force_ocr: bool = False,
) -> tuple[PageResult, np.ndarray]:
    """OCR one page; return the result and the image the engine actually saw.

    A digital PDF page is read from its own text layer unless ``force_ocr`` is set."""
    timings: dict[str, float] = {}
    image = crop_region(page.image, region)
    if page.text_lines is not None and not force_ocr:
        return _text_layer_result(page, region), image
    trace = None
    seen = image
    mapper: Callable[[list[tuple[float, float]]], list[tuple[float, float]]] | None = None
    if preprocess not in ("none", [], None):
        from vlocr.preprocess import run as run_preprocess

        start = time.perf_counter()
        pre = run_preprocess(image, preprocess, engine=engine)
        timings["preprocess"] = (time.perf_counter() - start) * 1000
        seen, trace, mapper = pre.image, pre.trace, pre.map_box_to_original
    start = time.perf_counter()
    ocr = get_engine(engine, **(engine_options or {}))
    timings["engine_load"] = (time.perf_counter() - start) * 1000
    out = ocr.recognize(seen)
    timings.update({f"ocr_{k}" if k != "total" else "ocr": v for k, v in out.timings_ms.items()})
    lines = out.lines
    if mapper is not None:
        lines = [ln.model_copy(update={"box": mapper(ln.box)}) for ln in lines]
    if region is not None:
        lines = _shift(lines, region[0], region[1])
    confidences = [ln.confidence for ln in lines]
    result = PageResult(
        source=page.source,
        page=page.page,
        page_count=page.page_count,
        width=page.width,
        height=page.height,
        engine=engine,
        lines=lines,
        text=out.text,
        mean_confidence=float(np.mean(confidences)) if confidences else None,
        timings_ms={k: round(v, 2) for k, v in timings.items()},
        preprocess=trace,
        region=region,
    )
    return result, seen


def _text_layer_result(page: Page, region: Region | None) -> PageResult:
    """A page result from a PDF's text layer; a region keeps the lines whose centre lies in it."""
    lines = page.text_lines or []
    if region is not None:
        x, y, w, h = region

        def inside(line: OcrLine) -> bool:
            x0, y0, x1, y1 = line.bbox
            return x <= (x0 + x1) / 2 <= x + w and y <= (y0 + y1) / 2 <= y + h

        lines = [ln for ln in lines if inside(ln)]
    return PageResult(
        source=page.source,
        page=page.page,
        page_count=page.page_count,
        width=page.width,
        height=page.height,
        engine="pdf-text",
        lines=lines,
        text="\n".join(ln.text for ln in lines),
        mean_confidence=1.0 if lines else None,
        region=region,
    )


def ocr_page(page: Page, **kwargs: Any) -> PageResult:
    return ocr_page_with_image(page, **kwargs)[0]


def _error_page(source: str, err: VlocrError) -> PageResult:
    return PageResult(
        source=source, error=ErrorInfo(**{k: v or "" for k, v in err.to_dict().items()})
    )


def read(
    sources: Iterable[str | Path | bytes | Any] | str | Path | bytes,
    *,
    engine: str | None = None,
    preprocess: str | list[str] = "auto",
    region: Region | str | None = None,
    lang: str | list[str] | None = None,
    io_options: IoOptions | None = None,
    pdf_dpi: int | None = None,
    on_page: Callable[[PageResult], None] | None = None,
    force_ocr: bool = False,
    engine_options: dict[str, Any] | None = None,
) -> ReadResult:
    """OCR every page of every source. A bad source becomes a page with ``error`` set; the rest are
    still read, so a batch never loses work because of one file. Digital PDF pages are read from
    their text layer unless ``force_ocr`` is set. ``lang`` (e.g. ``"en,ko"``) routes languages
    the bundled models cannot read to Tesseract; ``engine=None`` lets that choice happen.
    ``engine_options`` (e.g. ``{"threads": 1}``) let parallel workers split the cores instead of
    each taking all of them."""
    from vlocr.io import load_pages
    from vlocr.ocr.languages import choose_engine, parse_langs

    choice = choose_engine(parse_langs(lang), engine)

    if isinstance(sources, (str, Path, bytes)) or not isinstance(sources, Iterable):
        sources = [sources]
    region = parse_region(region) if not isinstance(region, tuple) else region
    result = ReadResult()
    for index, source in enumerate(sources):
        label = str(source) if isinstance(source, (str, Path)) else f"<input {index + 1}>"
        try:
            start = time.perf_counter()
            pages = load_pages(source, options=io_options, label=label, pdf_dpi=pdf_dpi)
            load_ms = (time.perf_counter() - start) * 1000
        except VlocrError as err:
            err.source = err.source or label
            page_result = _error_page(label, err)
            result.pages.append(page_result)
            if on_page:
                on_page(page_result)
            continue
        for page in pages:
            try:
                page_result = ocr_page(
                    page,
                    engine=choice.engine,
                    engine_options={**choice.options, **(engine_options or {})},
                    preprocess=preprocess,
                    region=region,
                    force_ocr=force_ocr,
                )
                page_result.timings_ms = {
                    "load": round(load_ms / len(pages), 2),
                    **page_result.timings_ms,
                }
            except VlocrError as err:
                err.source = err.source or page.label
                page_result = _error_page(page.source, err)
                page_result.page, page_result.page_count = page.page, page.page_count
            result.pages.append(page_result)
            if on_page:
                on_page(page_result)
    return result
