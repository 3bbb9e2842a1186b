"""Tiny files that claim huge pages: each gives a typed error or a bounded, lazy read.

Memory is measured in a fresh interpreter (``run_measured``): its peak, and that of the PDF render
child it waited for, must stay under 1.5 GB (issue 16, defects 2, 3 and 13).
"""

from __future__ import annotations

import threading
import time

import psutil
import pytest

from vlocr import cancel
from vlocr.config import IoOptions
from vlocr.errors import (
    EngineTimeoutError,
    ImageTooLargeError,
    InvalidImageError,
    InvalidOptionError,
)
from vlocr.io import count_pages, first_page, iter_pages, load_pages
from vlocr.testing.hostile import (
    content_bomb_pdf,
    flat_png,
    lying_jpeg,
    many_page_pdf,
    many_page_tiff,
    run_measured,
)

LIMIT_MB = 1536


def _render_children() -> list[psutil.Process]:
    return [
        p
        for p in psutil.Process().children(recursive=True)
        if any("_pdf_child.py" in part for part in (p.cmdline() if p.is_running() else []))
    ]


def test_200_page_pdf_of_49_mp_pages_is_refused_before_rendering() -> None:
    out = run_measured(
        "from vlocr.io import load_pages\n"
        "from vlocr.testing.hostile import many_page_pdf\n"
        "data = many_page_pdf(200)\n"
        "OUT['bytes'] = len(data)\n"
        "load_pages(data)\n"
    )
    assert out["bytes"] < 30_000
    assert out["error"] == "ImageTooLargeError"
    assert "1,000,000,000 pixels per input" in out["message"]
    assert out["peak_mb"] < LIMIT_MB


def test_tiff_of_many_49_mp_pages_is_refused_from_its_headers() -> None:
    out = run_measured(
        "from vlocr.io import load_pages\n"
        "from vlocr.testing.hostile import many_page_tiff\n"
        "data = many_page_tiff(30, 7000, 7000)\n"
        "OUT['bytes'] = len(data)\n"
        "load_pages(data)\n"
    )
    assert out["bytes"] < 200_000
    assert out["error"] == "ImageTooLargeError"
    assert "30 TIFF pages total" in out["message"]
    assert out["peak_mb"] < LIMIT_MB


def test_content_stream_bomb_is_stopped_by_the_renderer_limits() -> None:
    out = run_measured(
        "from vlocr.config import IoOptions\n"
        "from vlocr.io import load_pages\n"
        "from vlocr.testing.hostile import content_bomb_pdf\n"
        "data = content_bomb_pdf(60)\n"
        "OUT['bytes'] = len(data)\n"
        "load_pages(data, options=IoOptions(max_pixels=5_000_000, pdf_memory_mb=400))\n"
    )
    assert out["bytes"] < 200_000
    assert out["error"] == "ImageTooLargeError", out
    assert "too complex" in out["message"]
    assert out["peak_mb"] < LIMIT_MB


def test_cancelling_kills_the_pdf_renderer() -> None:
    token = cancel.CancelToken()
    errors: list[BaseException] = []

    def read() -> None:
        with cancel.scope(token):
            try:
                load_pages(content_bomb_pdf(60))
            except BaseException as exc:  # noqa: BLE001 - inspected below
                errors.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    deadline = time.monotonic() + 30
    while not _render_children() and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    token.cancel("test cancels")
    thread.join(60)
    assert not thread.is_alive()
    assert errors and isinstance(errors[0], EngineTimeoutError), errors
    assert not _render_children(), "the render child must be gone after a cancel"


def test_pdf_pages_are_rendered_lazily_under_one_budget() -> None:
    data = many_page_pdf(10, 720, 720)  # 2000x2000 px per page at 200 DPI
    options = IoOptions(max_total_pixels=10_000_000)
    with pytest.raises(ImageTooLargeError, match="10,000,000 pixels per input"):
        load_pages(data, options=options)
    page = first_page(data, options=options)  # only page 1 is rendered and charged
    assert (page.width, page.height, page.page, page.page_count) == (2000, 2000, 1, 10)
    assert count_pages(data) == 10
    pages = iter_pages(data, options=IoOptions(), first_pages=2)
    assert [p.page for p in pages] == [1, 2]
    assert not _render_children()


def test_tiff_pages_are_decoded_one_at_a_time() -> None:
    data = many_page_tiff(3, 3000, 2000)
    pages = iter_pages(data)
    first = next(pages)
    assert (first.width, first.height, first.page_count) == (3000, 2000, 3)
    assert sum(1 for _ in pages) == 2
    with pytest.raises(ImageTooLargeError, match="per input"):
        load_pages(data, options=IoOptions(max_total_pixels=12_000_000))


def test_tiff_page_n_decodes_that_page_alone() -> None:
    # three 6 MP pages under a 7 MP budget per input: page 3 fits only if pages 1-2 are not decoded
    data = many_page_tiff(3, 3000, 2000)
    options = IoOptions(max_total_pixels=7_000_000)
    pages = list(iter_pages(data, options=options, first_pages=3, only_page=3))
    assert [(p.page, p.page_count, p.width) for p in pages] == [(3, 3, 3000)]
    with pytest.raises(InvalidOptionError, match="page 4 asked for, but the input has 3 page"):
        list(iter_pages(data, only_page=4))


def test_flat_and_tall_images_load_at_their_size() -> None:
    flat = load_pages(flat_png(100_000, 1))[0]
    tall = load_pages(flat_png(1, 100_000))[0]
    assert flat.image.shape == (1, 100_000, 3)
    assert tall.image.shape == (100_000, 1, 3)


def test_tiny_jpeg_claiming_49_mp_is_refused() -> None:
    data = lying_jpeg(7000, 7000)
    assert len(data) < 2000
    with pytest.raises(InvalidImageError, match="claims 7000x7000"):
        load_pages(data)


def test_bomb_errors_quote_vlocrs_own_cap() -> None:
    data = flat_png(20_000, 20_000)  # 400 MP: past Pillow's own bomb limit
    with pytest.raises(ImageTooLargeError) as info:
        load_pages(data)
    assert "50,000,000" in info.value.message
    assert "178,956,970" not in info.value.message


def test_unparsable_pdf_never_says_success() -> None:
    with pytest.raises(InvalidImageError) as info:
        load_pages(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    assert "Success" not in info.value.one_line()
    assert "corrupt PDF" in info.value.message


def test_byte_limit_message_never_prints_the_same_size_twice() -> None:
    limit = 26_200_000
    with pytest.raises(ImageTooLargeError) as info:
        load_pages(b"\x89PNG" + b"\x00" * limit, options=IoOptions(max_bytes=limit))
    assert "26,200,004 bytes, over the limit of 26,200,000 bytes" in info.value.message
