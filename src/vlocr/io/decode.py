"""Decode validated bytes into pages, checking pixel caps before any pixel data is decoded.

Raster formats go through Pillow, restricted to the sniffed format so no other plugin ever parses
the bytes; PDFs are rendered with pypdfium2 (which is not thread-safe, hence the lock).
"""

from __future__ import annotations

import io
import struct
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from vlocr.errors import ImageTooLargeError, InvalidImageError
from vlocr.io.convert import pil_to_rgb
from vlocr.io.page import Page
from vlocr.io.pdf_text import text_layer_lines

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

_pdfium_lock = threading.Lock()
_truncation_lock = threading.Lock()


def decode_raster(
    data: bytes, fmt: str, *, source: str, max_pixels: int, max_pages: int
) -> list[Page]:
    """Decode a JPEG/PNG/BMP/WebP/TIFF/GIF payload; TIFF yields every page, others the first frame."""
    name = fmt.upper()
    try:
        with _strict_pil():
            image = Image.open(io.BytesIO(data), formats=[_PIL_FORMAT[fmt]])
            count = int(getattr(image, "n_frames", 1)) if fmt in _MULTI_PAGE else 1
            if count > max_pages:
                raise ImageTooLargeError(
                    f"{name} has {count} pages, more than the limit of {max_pages}",
                    "split the file or raise VLOCR_IO__MAX_PAGES",
                    source=source,
                )
            pages = []
            for index in range(count):
                if index:
                    image.seek(index)
                _check_pixels(
                    image.size, max_pixels, source=source, what=_page_name(name, index, count)
                )
                image.load()
                pages.append(
                    Page(
                        image=pil_to_rgb(_upright(image)),
                        source=source,
                        page=index + 1,
                        page_count=count,
                        format=fmt,
                    )
                )
            return pages
    except (ImageTooLargeError, InvalidImageError):
        raise
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(
            f"{name} is too large to decode safely (decompression bomb): {_first_line(exc)}",
            "downscale the image",
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


def decode_pdf(
    data: bytes, *, source: str, dpi: int, max_pixels: int, max_pages: int
) -> list[Page]:
    """Render every PDF page at ``dpi``; the page size is checked against the cap before rendering."""
    import pypdfium2 as pdfium

    scale = dpi / 72.0
    with _pdfium_lock:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            text = _first_line(exc)
            if "password" in text.lower():
                raise InvalidImageError(
                    "PDF is password-protected", "remove the password and try again", source=source
                ) from exc
            raise InvalidImageError(
                f"truncated or corrupt PDF: {text}", _REEXPORT, source=source
            ) from exc
        try:
            count = len(document)
            if count == 0:
                raise InvalidImageError("PDF has no pages", _REEXPORT, source=source)
            if count > max_pages:
                raise ImageTooLargeError(
                    f"PDF has {count} pages, more than the limit of {max_pages}",
                    "split the document or raise VLOCR_IO__MAX_PAGES",
                    source=source,
                )
            pages = []
            for index in range(count):
                page = document[index]
                try:
                    width_pt, height_pt = page.get_size()
                    size = (max(1, round(width_pt * scale)), max(1, round(height_pt * scale)))
                    if size[0] * size[1] > max_pixels:
                        raise ImageTooLargeError(
                            f"PDF page {index + 1} is {size[0]}x{size[1]} pixels at {dpi} DPI, "
                            f"over the limit of {max_pixels:,} pixels",
                            "lower --pdf-dpi (VLOCR_IO__PDF_DPI)",
                            source=source,
                        )
                    text_lines = text_layer_lines(page, scale)
                    bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255))
                    try:
                        rgb = np.ascontiguousarray(
                            np.asarray(bitmap.to_pil().convert("RGB"), dtype=np.uint8)
                        )
                    finally:
                        bitmap.close()
                finally:
                    page.close()
                pages.append(
                    Page(
                        image=rgb.copy(),
                        source=source,
                        page=index + 1,
                        page_count=count,
                        format="pdf",
                        text_lines=text_lines,
                    )
                )
            return pages
        except pdfium.PdfiumError as exc:
            raise InvalidImageError(
                f"corrupt PDF: {_first_line(exc)}", _REEXPORT, source=source
            ) from exc
        finally:
            document.close()


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
