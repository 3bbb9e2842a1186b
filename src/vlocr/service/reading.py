"""OCR of pages: load -> crop region -> preprocess -> engine -> boxes mapped back -> result."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from vlocr.config import IoOptions, get_settings
from vlocr.errors import VlocrError
from vlocr.io.page import Page
from vlocr.ocr.registry import get_engine
from vlocr.results import ErrorInfo, OcrLine, PageResult, ReadResult
from vlocr.service.regions import Region, crop_region
from vlocr.service.regions import parse_region as parse_region  # callers import it from here
from vlocr.service.requests import VLM_ENGINE, ReadPlan, ReadRequest

PointMap = Callable[[list[tuple[float, float]]], list[tuple[float, float]]]


def map_lines(lines: list[OcrLine], mapper: PointMap) -> list[OcrLine]:
    """Move every line box *and* its word boxes through ``mapper``: words left in the engine's
    pixel space would drift away from their line after a deskew, warp or crop."""
    out = []
    for ln in lines:
        update: dict[str, Any] = {"box": mapper(list(ln.box))}
        if ln.words:
            update["words"] = [
                w.model_copy(update={"box": mapper(list(w.box))}) if w.box else w for w in ln.words
            ]
        out.append(ln.model_copy(update=update))
    return out


def _shift(lines: list[OcrLine], dx: float, dy: float) -> list[OcrLine]:
    if not dx and not dy:
        return lines
    return map_lines(lines, lambda pts: [(px + dx, py + dy) for px, py in pts])


def engine_settings(engine: str) -> dict[str, Any]:
    """The engine's options from the settings (``VLOCR_TESSERACT__LANG``, ...), only where they
    differ from the defaults, so the engine cache still shares one instance per process."""
    settings = get_settings()
    model: BaseModel | None = {"tesseract": settings.tesseract}.get(engine)
    if model is None and engine.startswith("rapidocr"):
        model = settings.rapidocr
    if model is None:
        return {}
    return {k: v for k, v in model.model_dump(exclude_defaults=True).items() if k != "kind"}


def ocr_page_with_image(
    page: Page,
    *,
    engine: str | None = None,
    preprocess: str | list[str] = "auto",
    region: Region | None = None,
    engine_options: dict[str, Any] | None = None,
    force_ocr: bool = False,
) -> tuple[PageResult, np.ndarray]:
    """OCR one page; return the result and the image the engine actually saw.

    A digital PDF page is read from its own text layer unless ``force_ocr`` is set."""
    engine = engine or get_settings().ocr_engine
    timings: dict[str, float] = {}
    image = crop_region(page.image, region)
    if page.text_lines is not None and not force_ocr:
        from vlocr.service.hybrid import read_pictures  # pictures on the page get OCRed too

        def read_region(picture: Page, box: Region) -> PageResult:
            return ocr_page_with_image(
                picture,
                engine=engine,
                region=box,
                preprocess=preprocess,
                engine_options=engine_options,
            )[0]

        layer = _text_layer_result(page, region)
        return read_pictures(page, layer, read_region=read_region), image
    trace = None
    seen = image
    mapper: PointMap | None = None
    if preprocess not in ("none", [], None):
        from vlocr.preprocess import run as run_preprocess

        start = time.perf_counter()
        pre = run_preprocess(image, preprocess, engine=engine)
        timings["preprocess"] = (time.perf_counter() - start) * 1000
        seen, trace, mapper = pre.image, pre.trace, pre.map_box_to_original
    start = time.perf_counter()
    options = {**engine_settings(engine), **(engine_options or {})}  # explicit ones win
    ocr = get_engine(engine, **options)
    timings["engine_load"] = (time.perf_counter() - start) * 1000
    out = ocr.recognize(seen)
    timings.update({f"ocr_{k}" if k != "total" else "ocr": v for k, v in out.timings_ms.items()})
    if preprocess == "auto" and trace is not None and _cropped(trace):
        start = time.perf_counter()
        alt = _without_crop(image, engine, ocr, out, trace)
        timings["ocr_crop_check"] = (time.perf_counter() - start) * 1000
        if alt is not None:
            pre, out = alt
            seen, trace, mapper = pre.image, pre.trace, pre.map_box_to_original
    lines = out.lines
    if mapper is not None:
        lines = map_lines(lines, mapper)
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


CROPPING_STEPS = frozenset({"perspective"})  # geometric steps that can cut text off the page


def _cropped(trace: Any) -> bool:
    return any(step.name in CROPPING_STEPS for step in trace.steps)


def _read_chars(lines: list[OcrLine]) -> int:
    """Characters read with some confidence: what a crop must not lose."""
    return sum(len(ln.text.strip()) for ln in lines if ln.confidence >= 0.5)


def _without_crop(image: np.ndarray, engine: str, ocr: Any, out: Any, trace: Any) -> Any:
    """``auto`` keeps a page warp only when it does not lose text: read the page once more
    without it and return ``(preprocessed, output)`` when that reads more, else None (and note
    the comparison in the kept step's reason)."""
    from vlocr.preprocess import run as run_preprocess
    from vlocr.results import StepTrace

    pre = run_preprocess(image, "auto", engine=engine, warp_page=False)
    alt = ocr.recognize(pre.image)
    kept, unwarped = _read_chars(out.lines), _read_chars(alt.lines)
    step = next(s for s in trace.steps if s.name in CROPPING_STEPS)
    if unwarped > kept + max(3, 0.02 * kept):
        pre.trace.skipped = [s for s in pre.trace.skipped if s.name != step.name]
        pre.trace.skipped.append(
            StepTrace(
                name=step.name,
                params=step.params,
                reason=f"{step.reason}; dropped: it lost text ({kept} characters read with it, "
                f"{unwarped} without)",
            )
        )
        return pre, alt
    step.reason += f"; kept: it loses no text ({kept} characters read with it, {unwarped} without)"
    return None


def ocr_page(page: Page, **kwargs: Any) -> PageResult:
    return ocr_page_with_image(page, **kwargs)[0]


def _error_page(source: str, err: VlocrError) -> PageResult:
    return PageResult(
        source=source, error=ErrorInfo(**{k: v or "" for k, v in err.to_dict().items()})
    )


def check_options(engine: str, preprocess: str | list[str]) -> None:
    """Refuse an unknown engine or preprocessing spec once, before any input is read (the
    checks ``ReadRequest`` runs, for callers that hold loose values)."""
    from vlocr.service.requests import check_engine

    check_engine(engine)
    if preprocess not in ("none", [], None):
        from vlocr.preprocess import check_pipeline

        check_pipeline(preprocess)


def _single(source: Any) -> bool:
    """An array or PIL image is ONE image (iterating an array would yield its rows)."""
    if isinstance(source, (str, Path, bytes, bytearray, memoryview, np.ndarray)):
        return True
    single = hasattr(source, "getpixel") or hasattr(source, "read")  # PIL image, file object
    return single or not isinstance(source, Iterable)


def _label(source: Any, index: int) -> str:
    if isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source)):
        return str(source)
    if isinstance(source, np.ndarray):
        return f"<array {index + 1}>"
    return f"<input {index + 1}>"


def _looks_like_path(text: str) -> bool:
    """A path label is kept; base64 or a data: URL gets a short label, not megabytes of text."""
    head = text[:16].lower()
    return len(text) < 1024 and not head.startswith("data:") and "\n" not in text


def vlm_page(page: Page, *, region: Region | None, vlm: Any = None) -> PageResult:
    """Transcribe one page with the VLM, shaped like an OCR page (text, no line boxes)."""
    from vlocr.service.questions import transcribe

    answer = transcribe(page.image, vlm=vlm, region=region, ocr_checks=False)
    return PageResult(
        source=page.source,
        page=page.page,
        page_count=page.page_count,
        width=page.width,
        height=page.height,
        engine=f"{VLM_ENGINE}:{answer.model}",
        text=answer.text,
        timings_ms={k: v for k, v in answer.timings_ms.items() if k != "load"},
        region=region,
    )


def read(
    sources: Iterable[str | Path | bytes | Any] | str | Path | bytes | Any,
    *,
    engine: str | None = None,
    preprocess: str | list[str] = "auto",
    region: Region | str | None = None,
    lang: str | list[str] | None = None,
    io_options: IoOptions | None = None,
    pdf_dpi: int | None = None,
    vlm: Any = None,
    on_page: Callable[[PageResult], None] | None = None,
    on_image: Callable[[Page, PageResult, np.ndarray], None] | None = None,
    force_ocr: bool = False,
    engine_options: dict[str, Any] | None = None,
    page: int | None = None,
    request: ReadRequest | None = None,
) -> ReadResult:
    """OCR every page of every source. A bad source becomes a page with ``error`` set; the rest are
    still read, so a batch never loses work because of one file. Pages are decoded one at a time
    under the per-input pixel budget. Digital PDF pages are read from their text layer unless
    ``force_ocr`` is set. ``lang`` (e.g. ``"en,ko"``) routes languages the bundled models cannot
    read to Tesseract; ``engine=None`` lets that choice happen. ``page`` reads only that page of
    a PDF/TIFF. ``engine_options`` (e.g. ``{"threads": 1}``) let parallel workers split the cores
    instead of each taking all of them.

    A numpy array (H x W gray, H x W x 3 RGB, H x W x 4 RGBA) or a PIL image is one image; pass a
    list for several. Defaults come from the settings (``VLOCR_IO__*``, ``VLOCR_OCR_ENGINE``,
    ``VLOCR_TESSERACT__*``), the same object the server and batch use. ``engine="vlm"`` transcribes
    with the VLM (``vlm``: its options) into the same page shape, without line boxes.
    ``on_image(page, result, seen)`` receives each page with the image the engine saw.
    ``request`` (a :class:`~vlocr.service.requests.ReadRequest`) replaces the option keywords.
    """
    if request is None:
        request = ReadRequest(
            engine=engine,
            lang=",".join(lang) if isinstance(lang, list) else lang,
            preprocess=preprocess,
            region=region,
            force_ocr=force_ocr,
            pdf_dpi=pdf_dpi,
            page=page,
        )
    plan = request.plan(io=io_options)
    items: list[Any] = [sources] if _single(sources) else list(sources)  # type: ignore[arg-type]
    result = ReadResult()
    for index, source in enumerate(items):
        for page_result in read_source(
            source,
            plan,
            label=_label(source, index),
            vlm=vlm,
            on_image=on_image,
            engine_options=engine_options,
        ):
            result.pages.append(page_result)
            if on_page:
                on_page(page_result)
    return result


def read_source(
    source: Any,
    plan: ReadPlan,
    *,
    label: str,
    vlm: Any = None,
    on_image: Callable[[Page, PageResult, np.ndarray], None] | None = None,
    engine_options: dict[str, Any] | None = None,
) -> Iterator[PageResult]:
    """The page results of one input, in order, through the one page loop; a page that fails
    (decoding or OCR) is a result with ``error`` set and the input's later pages are still read
    when the failure was the page's own."""
    from vlocr.service.pages import iter_pages

    slots = iter_pages(
        source, io=plan.io, label=label, pdf_dpi=plan.request.pdf_dpi, page=plan.request.page
    )
    for slot in slots:
        if slot.page is None:
            yield slot.error_result()
            continue
        yield read_page(
            slot.page,
            plan,
            vlm=vlm,
            on_image=on_image,
            engine_options=engine_options,
            load_ms=slot.load_ms,
        )
        slot.page = None


def read_page(
    page: Page,
    plan: ReadPlan,
    *,
    vlm: Any = None,
    on_image: Callable[[Page, PageResult, np.ndarray], None] | None = None,
    engine_options: dict[str, Any] | None = None,
    load_ms: float | None = None,
    raise_errors: bool = False,
) -> PageResult:
    """One decoded page read as ``plan`` says (OCR, the text layer or the VLM); an engine error
    becomes the page's ``error`` (or is raised, with ``raise_errors``: one request, one error)."""
    request = plan.request
    try:
        if plan.uses_vlm:
            page_result, seen = vlm_page(page, region=request.region, vlm=vlm), page.image
        else:
            page_result, seen = ocr_page_with_image(
                page,
                engine=plan.engine,
                engine_options={**plan.engine_options, **(engine_options or {})},
                preprocess=request.preprocess,
                region=request.region,
                force_ocr=request.force_ocr,
            )
        if load_ms is not None:
            page_result.timings_ms = {"load": round(load_ms, 2), **page_result.timings_ms}
        if not plan.uses_vlm:  # the VLM's transcription has no line boxes to analyse
            from vlocr.layout.structure import analyse_structure

            analyse_structure(page_result, page.image)
    except VlocrError as err:
        if raise_errors:
            raise
        err.source = err.source or page.label
        page_result = _error_page(page.source, err)
        page_result.page, page_result.page_count = page.page, page.page_count
    else:
        if on_image:
            on_image(page, page_result, seen)
    return page_result
