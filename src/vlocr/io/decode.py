"""Decode validated bytes into pages, checking pixel caps before any pixel data is decoded.

Raster formats go through Pillow, restricted to the sniffed format so no other plugin ever parses
the bytes; PDFs are rendered in a bounded child process (``io/pdf.py``).
"""

from __future__ import annotations

import io
import re
import struct
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from vlocr.errors import ImageTooLargeError, InvalidImageError
from vlocr.io.budget import PixelBudget
from vlocr.io.convert import pil_to_rgb
from vlocr.io.page import Page, page_out_of_range

_PIL_FORMAT = {
    "jpeg": "JPEG",
    "png": "PNG",
    "bmp": "BMP",
    "webp": "WEBP",
    "tiff": "TIFF",
    "gif": "GIF",
}
_MULTI_PAGE = {"tiff"}
_REEXPORT = "re-export or re-download the file"

_truncation_lock = threading.Lock()


def iter_raster(
    data: bytes,
    fmt: str,
    *,
    source: str,
    max_pixels: int,
    max_pages: int,
    budget: PixelBudget,
    first_pages: int | None = None,
    only_page: int | None = None,
) -> Iterator[Page]:
    """Decode a JPEG/PNG/BMP/WebP/TIFF/GIF payload one page at a time.

    TIFF yields every page (or the first ``first_pages``), others the first frame. ``only_page``
    (1-based) decodes that page alone: the frames before it are skipped by their headers, not
    decoded. Every page's size is checked against ``max_pixels`` and ``budget`` before any pixel
    of it is decoded.
    """
    name = fmt.upper()
    with _mapped_errors(name, source, max_pixels), _strict_pil():
        image = Image.open(io.BytesIO(data), formats=[_PIL_FORMAT[fmt]])
        count = int(getattr(image, "n_frames", 1)) if fmt in _MULTI_PAGE else 1
        if count > max_pages:
            raise ImageTooLargeError(
                f"{name} has {count} pages, more than the limit of {max_pages}",
                "split the file or raise VLOCR_IO__MAX_PAGES",
                source=source,
            )
        if only_page is not None and only_page > count:
            raise page_out_of_range(only_page, count, source)
        used = count if first_pages is None else min(count, first_pages)
        indices = range(used) if only_page is None else range(only_page - 1, only_page)
        if len(indices) > 1:
            sizes = []
            for index in indices:
                image.seek(index)
                _check_pixels(
                    image.size, max_pixels, source=source, what=_page_name(name, index, count)
                )
                sizes.append(image.size[0] * image.size[1])
            budget.check_total(sum(sizes), source=source, what=f"{used} {name} pages")
        for index in indices:
            if count > 1:
                image.seek(index)
            what = _page_name(name, index, count)
            _check_pixels(image.size, max_pixels, source=source, what=what)
            if fmt == "jpeg":
                _check_jpeg_density(image.size, len(data), source)
            budget.take(image.size[0] * image.size[1], source=source, page=what)
            image.load()
            rgb = pil_to_rgb(_upright(image))
            if index == indices[-1]:
                # the last page is copied out: do not hold PIL's copy too while it is read
                # (a 35 MP scan: 104 MB more for the whole OCR of the page)
                image.close()
            yield Page(
                image=rgb,
                source=source,
                page=index + 1,
                page_count=count,
                format=fmt,
            )


def raster_page_count(data: bytes, fmt: str, *, source: str) -> int:
    """Frames of a TIFF (1 for other formats), read from the headers only."""
    if fmt not in _MULTI_PAGE:
        return 1
    with _mapped_errors(fmt.upper(), source, 0), _strict_pil():
        image = Image.open(io.BytesIO(data), formats=[_PIL_FORMAT[fmt]])
        return int(getattr(image, "n_frames", 1))


# A JPEG spends at least one bit on every 8x8 block (its DC code), so one byte covers at most
# 512 pixels; a file claiming far more pixels than that is truncated and would decode to gray.
_JPEG_MAX_PIXELS_PER_BYTE = 1024


def _check_jpeg_density(size: tuple[int, int], nbytes: int, source: str) -> None:
    pixels = size[0] * size[1]
    if pixels > _JPEG_MAX_PIXELS_PER_BYTE * max(nbytes, 1):
        raise InvalidImageError(
            f"JPEG claims {size[0]}x{size[1]} pixels but holds only {nbytes:,} bytes "
            "(truncated, or crafted to decode into a huge blank page)",
            _REEXPORT,
            source=source,
        )


@contextmanager
def _mapped_errors(name: str, source: str, max_pixels: int) -> Iterator[None]:
    """Turn whatever Pillow raises into vlocr's typed errors, quoting vlocr's own pixel cap."""
    try:
        yield
    except (ImageTooLargeError, InvalidImageError):
        raise
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
        raise ImageTooLargeError(
            f"{name} is too large: {size}, over the limit of {max_pixels:,} pixels",
            "downscale the image or raise VLOCR_IO__MAX_PIXELS",
            source=source,
        ) from exc
    except UnidentifiedImageError as exc:
        raise InvalidImageError(
            f"truncated or corrupt {name}: its header cannot be parsed", _REEXPORT, source=source
        ) from exc
    except (
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        IndexError,
        KeyError,
        TypeError,
        struct.error,
    ) as exc:
        raise InvalidImageError(
            f"truncated or corrupt {name}: {_first_line(exc)}", _REEXPORT, source=source
        ) from exc
    except MemoryError as exc:
        raise ImageTooLargeError(
            f"{name} needs more memory than is free", "use a smaller image", source=source
        ) from exc


def check_pixels(
    size: tuple[int, int], max_pixels: int, *, source: str, what: str = "image"
) -> None:
    """Raise ImageTooLargeError when width*height exceeds ``max_pixels``."""
    _check_pixels(size, max_pixels, source=source, what=what)


def _check_pixels(size: tuple[int, int], max_pixels: int, *, source: str, what: str) -> None:
    width, height = size
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"{what} is {width}x{height} = {width * height:,} pixels, over the limit of {max_pixels:,}",
            "downscale the image or raise VLOCR_IO__MAX_PIXELS",
            source=source,
        )
    if width <= 0 or height <= 0:
        raise InvalidImageError(
            f"{what} has no pixels ({width}x{height})", _REEXPORT, source=source
        )


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF/TIFF orientation tag; a broken EXIF block leaves the image as stored."""
    try:
        return ImageOps.exif_transpose(image) or image
    except Exception:  # noqa: BLE001 - bad metadata must not reject good pixels
        return image


@contextmanager
def _strict_pil() -> Iterator[None]:
    """Make truncated data an error even if some other code enabled LOAD_TRUNCATED_IMAGES.

    Pillow's decoder warnings (truncation surfaces as an exception anyway) and its own
    decompression-bomb warning are silenced: our ``max_pixels`` check replaces it
    (its hard error, at twice Pillow's limit, still applies and is mapped to ImageTooLargeError).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.simplefilter("ignore", UserWarning)
        if not ImageFile.LOAD_TRUNCATED_IMAGES:
            yield
            return
        with _truncation_lock:
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            try:
                yield
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = True


def _page_name(name: str, index: int, count: int) -> str:
    return name if count <= 1 else f"{name} page {index + 1}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
