"""The one page loop (service/pages.py): lazy, page N only, errors as slots, budgets."""

from __future__ import annotations

from pathlib import Path

from vlocr.config import IoOptions
from vlocr.service.pages import iter_pages
from vlocr.service.requests import ReadRequest


def test_page_n_alone_and_past_the_end(pdf_two_pages: Path) -> None:
    slots = list(iter_pages(pdf_two_pages, ReadRequest(page=2, pdf_dpi=72)))
    assert [(s.number, s.page is not None) for s in slots] == [(2, True)]
    assert slots[0].page is not None and slots[0].page.page_count == 2
    past = list(iter_pages(pdf_two_pages, page=5, pdf_dpi=72))
    assert len(past) == 1 and past[0].error is not None
    assert "has 2 page(s)" in past[0].error.message
    assert past[0].error_result().error is not None


def test_budgets_come_from_the_io_options(text_png: Path) -> None:
    slots = list(iter_pages(text_png, io=IoOptions(max_pixels=1000)))
    assert len(slots) == 1 and slots[0].error is not None
    assert slots[0].error.code == "image_too_large"
    assert slots[0].error_result().error.source == str(text_png)  # type: ignore[union-attr]
