"""The blocking part of ``POST /v1/ocr``, run in a worker thread: the service's page loop, the
chosen output format, kept samples."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import Response

from vlocr.api.schemas import OcrOptionsModel, OcrResponse
from vlocr.api.state import AppState

log = logging.getLogger("vlocr.api")


@dataclass
class OcrJob:
    data: bytes
    label: str
    options: OcrOptionsModel


def run_ocr(state: AppState, job: OcrJob) -> OcrResponse | Response:
    """Read the job's pages as ``vlocr read`` does; the first failed page fails the request
    (its status: 413, 415, 422, ...). JSON unless ``format`` asks for another body."""
    from vlocr.io import to_base64_png
    from vlocr.render import annotate
    from vlocr.results import ReadResult
    from vlocr.service.output import render
    from vlocr.service.pages import iter_pages
    from vlocr.service.reading import read_page
    from vlocr.service.requests import MEDIA_TYPES, OutputFormat

    opts = job.options
    plan = opts.plan(state.settings, io=state.io_options)
    results = []
    pre_images: list[str] = []
    ann_images: list[str] = []

    def keep(page: Any, result: Any, seen: Any) -> None:
        if opts.return_preprocessed:
            pre_images.append(to_base64_png(seen))
        if opts.return_annotated:
            ann_images.append(to_base64_png(annotate(page.image, result.lines)))

    slots = iter_pages(job.data, io=plan.io, label=job.label, pdf_dpi=opts.pdf_dpi, page=opts.page)
    for slot in slots:  # one page in memory at a time; stops when the request is given up
        if slot.error is not None:
            raise slot.error
        assert slot.page is not None
        result = read_page(
            slot.page,
            plan,
            vlm=state.vlm,
            on_image=keep if plan.keeps_images else None,
            load_ms=slot.load_ms,
            raise_errors=True,
        )
        slot.page = None
        results.append(result)
    _keep_sample(state, job, results)
    if opts.format is not OutputFormat.json:
        body = render(
            ReadResult(pages=results),
            opts.format,
            [job.data],
            pdf_dpi=plan.pdf_dpi,
            force_ocr=opts.force_ocr,
        )
        return Response(content=body, media_type=MEDIA_TYPES[opts.format])
    return OcrResponse(
        pages=results,
        preprocessed_images=pre_images if opts.return_preprocessed else None,
        annotated_images=ann_images if opts.return_annotated else None,
    )


def _keep_sample(state: AppState, job: OcrJob, results: list[Any]) -> None:
    if state.samples is None:
        return
    reason = state.samples.should_keep(results)
    if reason:
        state.samples.save(
            job.data,
            {
                "pages": [r.model_dump(mode="json") for r in results],
                "options": job.options.model_dump(mode="json"),
            },
            reason,
        )
        state.metrics.failed_samples.inc()
