"""The page a VLM task looks at: page N loaded, the region cropped, OCR run when it can, the OCR
hints written, the image budget chosen and (for ``ask``) the crop to the rows a question names.

OCR comes from the read path (``service/reading.py``), and the read path's ``--engine vlm`` calls
the tasks back (``transcribe``). So that the two do not import each other, the page OCR reaches
this module through ``use_page_ocr``: ``vlocr.service`` (the package, which imports both) plugs
``reading.ocr_page`` in when it is first imported, before any task can run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from vlocr.config import IoOptions, VlmOptions, get_settings
from vlocr.errors import InvalidOptionError, VlocrError
from vlocr.results import OcrLine, PageResult, VisualInput
from vlocr.service.regions import Region, crop_region
from vlocr.service.vlm_inputs import prepare_vlm_image

if TYPE_CHECKING:
    from vlocr.service.task_requests import TaskRequest

PageOcr = Callable[..., PageResult]  # ocr_page(page, engine=..., region=..., preprocess=...)
_page_ocr: PageOcr | None = None


def use_page_ocr(ocr: PageOcr) -> None:
    """Plug in the page OCR the tasks run (``vlocr.service`` plugs in ``reading.ocr_page``)."""
    global _page_ocr
    _page_ocr = ocr


@dataclass
class TaskPage:
    source: str
    image: np.ndarray  # the (cropped) image the model sees
    region: Region | None
    lines: list[OcrLine] | None  # OCR lines in original-page pixels; None when OCR did not run
    hints: str | None
    timings_ms: dict[str, float] = field(default_factory=dict)
    visual: VisualInput = field(default_factory=VisualInput)


def options(vlm: VlmOptions | None, model: str | None = None) -> VlmOptions:
    """The VLM options: ``vlm`` or the settings (``VLOCR_VLM__*``), with ``model`` on top."""
    opts = vlm if vlm is not None else get_settings().vlm
    return opts.model_copy(update={"model": model}) if model else opts


def load_task_page(
    image_source: Any, io_options: IoOptions | None = None, page_no: int = 1
) -> tuple[np.ndarray, str, int, int, Any]:
    """Page ``page_no`` (1-based) of a PDF/TIFF, or the image; pages after it are never decoded."""
    from contextlib import closing

    from vlocr.io.loader import iter_pages

    if page_no < 1:
        raise InvalidOptionError(f"page {page_no} does not exist", "pages count from 1")
    page = None
    pages = iter_pages(image_source, options=io_options or get_settings().io, first_pages=page_no)
    with closing(pages):
        for page in pages:  # noqa: B007 - the last one read is the one asked for
            pass
    if page is None or page.page != page_no:
        count = page.page_count if page is not None else 0
        raise InvalidOptionError(
            f"page {page_no} asked for, but the input has {count} page(s)",
            f"pick a page from 1 to {count}",
        )
    return page.image, page.label, page.width, page.height, page


def prepare(
    image_source: Any,
    request: TaskRequest,
    *,
    io_options: IoOptions | None = None,
    vlm_pixels: int = VlmOptions().max_pixels,
) -> TaskPage:
    """Load the request's page, crop its region, run OCR for hints or checks, size the image."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    image, label, _width, _height, page_obj = load_task_page(image_source, io_options, request.page)
    timings["load"] = (time.perf_counter() - start) * 1000
    reg = request.region
    cropped = crop_region(image, reg)
    lines: list[OcrLine] | None = None
    hints: str | None = None
    if request.uses_ocr:
        start = time.perf_counter()
        lines = run_ocr(page_obj, request, required=request.ocr_hints)
        timings["ocr"] = (time.perf_counter() - start) * 1000
    if request.ocr_hints and lines:
        dx, dy = (reg[0], reg[1]) if reg else (0, 0)
        local = [
            ln.model_copy(update={"box": [(x - dx, y - dy) for x, y in ln.box]}) for ln in lines
        ]
        hints = ocr_hints(local, cropped)
    return TaskPage(
        source=label,
        image=prepare_vlm_image(cropped, vlm_pixels, source=label),
        region=reg,
        lines=lines,
        hints=hints,
        timings_ms=timings,
        visual=VisualInput(sent="region", box=reg) if reg else VisualInput(),
    )


def ocr_hints(lines: list[OcrLine], image: np.ndarray) -> str:
    """The OCR hint block for the prompt: ``lines`` (in ``image``'s pixels) as rows in the
    page's layout reading order (the order ``page.text`` has), written by ``fusion.hints``."""
    from vlocr.fusion import hints_block  # imported here: vlocr.service stays light
    from vlocr.layout.structure import reading_rows

    height, width = image.shape[:2]
    kept = [ln for ln in lines if ln.text.strip()]
    return hints_block(reading_rows(kept, width, height, image) if kept else [], height)


def run_ocr(page: Any, request: TaskRequest, *, required: bool) -> list[OcrLine] | None:
    """OCR lines, or None when OCR cannot run here (then checks are skipped, hints must not be)."""
    try:
        return list(read_page(page, request).lines)
    except VlocrError:
        if required:
            raise
        return None


def read_page(page: Any, request: TaskRequest) -> PageResult:
    """The page's OCR result (its text layer for a digital PDF page unless ``force_ocr``), lines
    in page pixels, with the request's OCR engine (or the one its languages pick), region and
    preprocessing."""
    if _page_ocr is None:  # only when this module is imported without its package: a bug
        raise RuntimeError("no page OCR plugged in: import vlocr.service first")
    engine, engine_options = request.ocr_choice()
    return _page_ocr(
        page,
        engine=engine,
        engine_options=engine_options or None,
        region=request.region,
        preprocess=request.preprocess,
        force_ocr=request.force_ocr,
    )


def budgeted(opts: VlmOptions, prep: TaskPage, *, copies: bool = False) -> VlmOptions:
    """Per-task engine settings: the smaller image budget when OCR hints carry the text, and
    prompt-lookup drafts only for tasks whose answer copies the hints (transcribe, extract).

    Drafts cost a verification of every drafted token when they miss, which on a CPU slows a
    short free-form answer down (measured in docs/vlm-speed.md), so ask and chat go without.
    """
    update: dict[str, Any] = {}
    if prep.hints is not None and opts.hints_max_pixels < opts.max_pixels:
        update["max_pixels"] = max(opts.hints_max_pixels, opts.min_pixels)
    if not (copies and prep.hints is not None) and opts.prompt_lookup_tokens:
        update["prompt_lookup_tokens"] = 0
    return opts.model_copy(update=update) if update else opts


def focus_rows(prep: TaskPage, question: str, how: str) -> None:
    """Crop to the rows the question names (``focus`` auto/lines, with hints, without --region;
    ``AskRequest`` has checked ``how``)."""
    from vlocr.service.focus import focus_box, lines_named_by

    if how == "page" or prep.hints is None or prep.region is not None or not prep.lines:
        return
    height, width = prep.image.shape[:2]
    box = focus_box(question, prep.lines, width, height)
    if box is None:
        return
    x, y, w, h = box
    prep.image = np.ascontiguousarray(prep.image[y : y + h, x : x + w])
    named = [ln.text for ln in lines_named_by(question, prep.lines)]
    prep.visual = VisualInput(sent="lines", box=box, lines=named[:10])
