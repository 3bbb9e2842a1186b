"""The one page loop: every task and interface walks an input's pages through here.

Pages are decoded lazily, one at a time, under the I/O budgets (``VLOCR_IO__MAX_PIXELS``,
``__MAX_TOTAL_PIXELS``, ``__MAX_PAGES``, ``__PDF_DPI``); ``page=N`` stops after page N and skips
the ones before it; a page that cannot be decoded is yielded as a failed slot (the pages read
before it are kept) instead of stopping a batch; cancellation is checked between pages.
``read`` OCRs each page, ``vlocr batch --task ask|extract`` asks about each page, and the REST
and page handlers call the same loop.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vlocr.config import IoOptions, get_settings
from vlocr.errors import VlocrError
from vlocr.io.page import Page
from vlocr.results import ErrorInfo, PageResult

if TYPE_CHECKING:
    from vlocr.service.requests import ReadRequest


@dataclass
class PageSlot:
    """One page of an input, or the error that stopped the input at this point."""

    label: str
    number: int  # 1-based page number (of the failed page, for an error)
    page: Page | None = None
    error: VlocrError | None = None
    load_ms: float = 0.0

    def error_result(self) -> PageResult:
        """The failed page in the result shape every interface reports."""
        assert self.error is not None
        err = self.error
        err.source = err.source or self.label
        info = ErrorInfo(**{k: v or "" for k, v in err.to_dict().items()})
        return PageResult(source=self.label, page=self.number, error=info)


def iter_pages(
    source: Any,
    request: ReadRequest | None = None,
    *,
    io: IoOptions | None = None,
    label: str | None = None,
    pdf_dpi: int | None = None,
    page: int | None = None,
) -> Iterator[PageSlot]:
    """Yield the pages of ``source`` one at a time (one page decoded in memory at once).

    ``page`` (1-based) yields that page alone; asking for a page past the end yields an error
    slot that names the page count. Errors never escape: the caller decides whether a failed
    page fails the whole request (REST) or is recorded and the next input read (batch, CLI).
    ``request`` (a ``ReadRequest``) supplies ``page`` and ``pdf_dpi`` where they are not given.
    """
    if request is not None:
        page = page if page is not None else request.page
        pdf_dpi = pdf_dpi if pdf_dpi is not None else request.pdf_dpi
    from vlocr import cancel
    from vlocr.io import iter_pages as decode_pages
    from vlocr.io.page import page_out_of_range

    io = io or get_settings().io
    name = label or "<input>"
    number = 0
    found = False
    pages = decode_pages(
        source, options=io, label=label, pdf_dpi=pdf_dpi, first_pages=page, only_page=page
    )
    try:
        while True:
            cancel.check()
            start = time.perf_counter()
            try:
                current = next(pages)
            except StopIteration:
                break
            except VlocrError as err:
                # with ``page``, a PDF renders page N first: a failure before any page is N's
                failed = number + 1 if number else (page or 1)
                yield PageSlot(label=name, number=failed, error=err)
                return
            number = current.page
            if page is not None and current.page < page:
                del current  # a page before the one asked for: decoded, never kept
                continue
            found = True
            yield PageSlot(
                label=current.source,
                number=current.page,
                page=current,
                load_ms=(time.perf_counter() - start) * 1000,
            )
            del current
    finally:
        pages.close()
    if page is not None and not found:
        yield PageSlot(label=name, number=page, error=page_out_of_range(page, number, name))
