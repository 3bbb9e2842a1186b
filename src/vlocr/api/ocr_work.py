"""The blocking part of ``POST /v1/ocr``, run in a worker thread: decode, OCR, render, keep samples."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from vlocr.api.schemas import OcrOptionsModel, OcrResponse
from vlocr.api.state import AppState

log = logging.getLogger("vlocr.api")


@dataclass
class OcrJob:
    data: bytes
    label: str
    options: OcrOptionsModel


def run_ocr(state: AppState, job: OcrJob) -> OcrResponse:
    from vlocr.io import load_pages, to_base64_png
    from vlocr.render import annotate
    from vlocr.service.reading import ocr_page_with_image, parse_region

    opts = job.options
    pages = load_pages(job.data, options=state.io_options, label=job.label, pdf_dpi=opts.pdf_dpi)
    results = []
    pre_images: list[str] = []
    ann_images: list[str] = []
    region = parse_region(opts.region) if opts.region else None
    for page in pages:
        result, seen = ocr_page_with_image(
            page,
            engine=opts.engine or state.settings.ocr_engine,
            preprocess=opts.preprocess,
            region=region,
        )
        results.append(result)
        if opts.return_preprocessed:
            pre_images.append(to_base64_png(seen))
        if opts.return_annotated:
            ann_images.append(to_base64_png(annotate(page.image, result.lines)))
    response = OcrResponse(
        pages=results,
        preprocessed_images=pre_images if opts.return_preprocessed else None,
        annotated_images=ann_images if opts.return_annotated else None,
    )
    if state.samples is not None:
        reason = state.samples.should_keep(results)
        if reason:
            state.samples.save(
                job.data,
                {
                    "pages": [r.model_dump(mode="json") for r in results],
                    "options": opts.model_dump(),
                },
                reason,
            )
            state.metrics.failed_samples.inc()
    return response
