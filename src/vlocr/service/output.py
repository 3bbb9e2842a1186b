"""A read's result rendered in one of the output formats: the bytes ``vlocr read --format F``
writes and the body ``POST /v1/ocr`` answers with ``"format": F`` (media type in
``requests.MEDIA_TYPES``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vlocr.results import PageResult, ReadResult
from vlocr.service.requests import OutputFormat

#: A page image kept for the searchable PDF: (image, its result, whether it came from a PDF).
KeptPage = tuple[np.ndarray, PageResult, bool]


def render(
    result: ReadResult,
    output_format: OutputFormat | str,
    kept: Sequence[KeptPage] = (),
    *,
    pdf_dpi: int = 200,
) -> bytes:
    """``result`` as ``output_format``; ``pdf`` needs the page images in ``kept``."""
    fmt = OutputFormat(output_format)
    if fmt is OutputFormat.pdf:
        from vlocr.export.searchable_pdf import DEFAULT_IMAGE_DPI, to_searchable_pdf

        return to_searchable_pdf(
            [(image, page) for image, page, _ in kept],
            dpi=[pdf_dpi if from_pdf else DEFAULT_IMAGE_DPI for _, _, from_pdf in kept],
        )
    return render_text(result, fmt).encode("utf-8")


def render_text(result: ReadResult, fmt: OutputFormat) -> str:
    from vlocr import render as pages

    if fmt is OutputFormat.json:
        return result.model_dump_json(indent=2) + "\n"
    if fmt is OutputFormat.markdown:
        return pages.to_markdown(result)
    if fmt is OutputFormat.hocr:
        from vlocr.export.hocr import to_hocr

        return to_hocr(result)
    if fmt is OutputFormat.alto:
        from vlocr.export.alto import to_alto

        return to_alto(result)
    if fmt is OutputFormat.pdf:
        raise ValueError("a PDF is bytes: use render()")
    text = pages.to_text(result)
    return text + "\n" if text else ""
