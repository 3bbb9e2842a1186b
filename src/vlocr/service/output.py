"""A read's result rendered in one of the output formats: the bytes ``vlocr read --format F``
writes and the body ``POST /v1/ocr`` answers with ``"format": F`` (media type in
``requests.MEDIA_TYPES``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from vlocr.results import ReadResult
from vlocr.service.requests import OutputFormat


def render(
    result: ReadResult,
    output_format: OutputFormat | str,
    sources: Sequence[bytes | str | Path] = (),
    *,
    pdf_dpi: int = 200,
    force_ocr: bool = False,
    pdfa: bool = False,
) -> bytes:
    """``result`` as ``output_format``. ``pdf`` is the searchable PDF of the inputs that were
    read (``sources``, in order: images embedded as they came, PDF pages kept with a text layer
    added), read at ``pdf_dpi``; ``force_ocr`` and ``pdfa`` as for ``vlocr pdf``."""
    fmt = OutputFormat(output_format)
    if fmt is OutputFormat.pdf:
        from vlocr.export.searchable_pdf import searchable_pdf

        return searchable_pdf(sources, result, pdf_dpi=pdf_dpi, force_ocr=force_ocr, pdfa=pdfa)
    return render_text(result, fmt).encode("utf-8")


def render_text(result: ReadResult, fmt: OutputFormat) -> str:
    from vlocr import render as pages

    if fmt is OutputFormat.json:
        return result.model_dump_json(indent=2) + "\n"
    if fmt is OutputFormat.markdown:
        return pages.to_markdown(result)
    if fmt is OutputFormat.lines:
        return pages.to_line_table(result)
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
