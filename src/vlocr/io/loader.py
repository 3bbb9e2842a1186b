"""``load_pages``: the single entry point from "whatever the user passed" to validated pages."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from typing import Any, BinaryIO

import numpy as np
from PIL import Image, ImageOps

from vlocr.config import IoOptions
from vlocr.errors import InvalidImageError, InvalidOptionError, UnsupportedFormatError
from vlocr.io.budget import PixelBudget
from vlocr.io.convert import array_to_rgb, pil_to_rgb
from vlocr.io.decode import check_pixels, iter_raster, raster_page_count
from vlocr.io.page import Page
from vlocr.io.pdf import iter_pdf, pdf_page_count
from vlocr.io.sniff import ACCEPTED_LABEL, describe_content, sniff_format
from vlocr.io.source import read_source

_MIN_DPI, _MAX_DPI = 36, 600


def load_pages(
    source: str
    | os.PathLike[str]
    | bytes
    | bytearray
    | memoryview
    | BinaryIO
    | Image.Image
    | np.ndarray
    | Any,
    *,
    options: IoOptions | None = None,
    label: str | None = None,
    pdf_dpi: int | None = None,
) -> list[Page]:
    """Decode ``source`` into RGB pages, enforcing the caps in ``options`` before full decode.

    ``source`` may be a path (str or Path), bytes, a base64 string or ``data:`` URL, a binary file
    object, a PIL image or a numpy array. The format is sniffed from the bytes. TIFF and PDF give
    one page per page; GIF and animated WebP give their first frame. URLs are never fetched.
    Prefer ``iter_pages`` where pages can be handled one at a time: it holds one page in memory.
    """
    return list(iter_pages(source, options=options, label=label, pdf_dpi=pdf_dpi))


def first_page(source: Any, **kwargs: Any) -> Page:
    """Only the first page (what the VLM tasks read): later pages are never decoded."""
    pages = iter_pages(source, first_pages=1, **kwargs)
    try:
        return next(pages)
    finally:
        pages.close()


def count_pages(source: Any, *, options: IoOptions | None = None, label: str | None = None) -> int:
    """Pages in a PDF/TIFF (1 for other images), without decoding any page's pixels."""
    opts = options or IoOptions()
    if isinstance(source, (np.ndarray, Image.Image)):
        return 1
    raw = read_source(source, max_bytes=opts.max_bytes, label=label)
    fmt = sniff_format(raw.data)
    if fmt is None:
        raise _unsupported(raw.data, raw.label)
    if fmt == "pdf":
        return pdf_page_count(raw.data, source=raw.label, timeout_s=opts.pdf_timeout_s)
    return raster_page_count(raw.data, fmt, source=raw.label)


def iter_pages(
    source: Any,
    *,
    options: IoOptions | None = None,
    label: str | None = None,
    pdf_dpi: int | None = None,
    budget: PixelBudget | None = None,
    first_pages: int | None = None,
    only_page: int | None = None,
) -> Generator[Page, None, None]:
    """Like ``load_pages`` but lazy: each page is decoded when asked for, under a pixel budget.

    ``budget`` defaults to ``options.max_total_pixels`` for this input; pass one shared budget to
    bound a whole request. ``first_pages`` stops after that many pages. ``only_page`` decodes that
    page alone (a PDF renders only it, a TIFF skips the frames before it).
    """
    opts = options or IoOptions()
    dpi = _resolve_dpi(pdf_dpi, opts, label)
    budget = budget or PixelBudget(opts.max_total_pixels)
    if isinstance(source, np.ndarray):
        name = label or "<array>"
        size = _array_size(source, name)
        check_pixels(size, opts.max_pixels, source=name)
        budget.take(size[0] * size[1], source=name, page="image")
        yield Page(image=array_to_rgb(source, source=name), source=name, format="array")
        return
    if isinstance(source, Image.Image):
        budget.take(source.size[0] * source.size[1], source=label, page="image")
        yield _page_from_pil(source, opts, label)
        return
    raw = read_source(source, max_bytes=opts.max_bytes, label=label)
    yield from _iter_bytes(
        raw.data,
        source=raw.label,
        options=opts,
        pdf_dpi=dpi,
        budget=budget,
        first_pages=first_pages,
        only_page=only_page,
    )


def decode_bytes(data: bytes, *, source: str, options: IoOptions, pdf_dpi: int) -> list[Page]:
    """Sniff ``data`` and decode every page with the matching decoder."""
    budget = PixelBudget(options.max_total_pixels)
    return list(_iter_bytes(data, source=source, options=options, pdf_dpi=pdf_dpi, budget=budget))


def _iter_bytes(
    data: bytes,
    *,
    source: str,
    options: IoOptions,
    pdf_dpi: int,
    budget: PixelBudget,
    first_pages: int | None = None,
    only_page: int | None = None,
) -> Iterator[Page]:
    if not data:
        raise InvalidImageError(
            "empty file (0 bytes)", "re-export or re-download the file", source=source
        )
    fmt = sniff_format(data)
    if fmt is None:
        raise _unsupported(data, source)
    if fmt == "pdf":
        return iter_pdf(
            data,
            source=source,
            dpi=pdf_dpi,
            max_pixels=options.max_pixels,
            max_pages=options.max_pages,
            budget=budget,
            first_pages=first_pages,
            only_page=only_page,
            timeout_s=options.pdf_timeout_s,
            memory_mb=options.pdf_memory_mb,
        )
    return iter_raster(
        data,
        fmt,
        source=source,
        max_pixels=options.max_pixels,
        max_pages=options.max_pages,
        budget=budget,
        first_pages=first_pages,
        only_page=only_page,
    )


def _unsupported(data: bytes, source: str) -> UnsupportedFormatError:
    what = describe_content(data)
    hint = f"accepted formats: {ACCEPTED_LABEL}; convert it to PNG or JPEG first"
    if what is None:
        head = " ".join(f"{b:02x}" for b in data[:8])
        return UnsupportedFormatError(
            f"unrecognised file format (starts with {head})", hint, source=source
        )
    if what.startswith("HEIC"):
        hint = f"accepted formats: {ACCEPTED_LABEL}; export HEIC photos as JPEG (iPhone: Settings > Camera > Formats > Most Compatible)"
    return UnsupportedFormatError(f"unsupported format: detected {what}", hint, source=source)


def _page_from_pil(image: Image.Image, opts: IoOptions, label: str | None) -> Page:
    name = label or "<PIL image>"
    check_pixels(image.size, opts.max_pixels, source=name)
    try:
        image.load()
        upright = ImageOps.exif_transpose(image) or image
    except Exception as exc:  # noqa: BLE001 - any decode failure of a lazy PIL image
        raise InvalidImageError(
            f"PIL image cannot be decoded: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
            "re-export or re-download the file",
            source=name,
        ) from exc
    fmt = (image.format or "pil").lower()
    return Page(image=pil_to_rgb(upright), source=name, format=fmt)


def _array_size(array: np.ndarray, name: str) -> tuple[int, int]:
    if array.ndim < 2:
        raise InvalidImageError(
            f"array of shape {tuple(array.shape)} is not an image",
            "pass (H, W) gray, (H, W, 3) RGB or (H, W, 4) RGBA",
            source=name,
        )
    return int(array.shape[1]), int(array.shape[0])


def _resolve_dpi(pdf_dpi: int | None, opts: IoOptions, label: str | None) -> int:
    dpi = opts.pdf_dpi if pdf_dpi is None else pdf_dpi
    if not isinstance(dpi, int) or isinstance(dpi, bool) or not _MIN_DPI <= dpi <= _MAX_DPI:
        raise InvalidOptionError(
            f"pdf_dpi must be an integer from {_MIN_DPI} to {_MAX_DPI}, got {dpi!r}",
            "pick a value such as 150 or 200",
            source=label,
        )
    return dpi
