"""The one page loop (service/pages.py): lazy, page N only, errors as slots, budgets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

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


def test_page_n_of_a_pdf_renders_that_page_alone(
    pdf_two_pages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`vlocr read --page 150` of a long PDF must not render pages 1-149 first."""
    from vlocr.io import pdf

    rendered: list[int] = []
    real = pdf._next_page

    def counted(child: Any, index: int, *args: Any) -> Any:
        rendered.append(index + 1)
        return real(child, index, *args)

    monkeypatch.setattr(pdf, "_next_page", counted)
    slots = list(iter_pages(pdf_two_pages, page=2, pdf_dpi=72))
    assert [s.number for s in slots] == [2] and slots[0].page is not None
    assert slots[0].page.page == 2 and slots[0].page.page_count == 2
    assert rendered == [2]
