"""Every bad input fails with the right typed error, a one-line message, a hint and a source."""

from __future__ import annotations

import base64
import io
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from vlocr.config import IoOptions
from vlocr.errors import (
    ImageTooLargeError,
    InputNotFoundError,
    InvalidImageError,
    InvalidOptionError,
    UnsupportedFormatError,
    VlocrError,
)
from vlocr.io import load_pages


def _save(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _noise(width: int = 200, height: int = 150) -> Image.Image:
    rng = np.random.default_rng(7)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


def _fail(source: object, error: type[VlocrError], *needles: str, **kwargs: object) -> VlocrError:
    with pytest.raises(error) as info:
        load_pages(source, **kwargs)
    exc = info.value
    text = exc.one_line()
    for needle in needles:
        assert needle.lower() in text.lower(), (needle, text)
    assert "\n" not in text
    assert exc.hint, "every error tells the user what to do"
    assert exc.source, "every error names its input"
    return exc


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    exc = _fail(path, InvalidImageError, "empty file")
    assert exc.source == str(path)
    assert _fail(b"", InvalidImageError, "empty file").source == "<bytes>"


@pytest.mark.parametrize(
    ("fmt", "name"), [("PNG", "PNG"), ("JPEG", "JPEG"), ("WEBP", "WEBP"), ("TIFF", "TIFF")]
)
def test_truncated_files(tmp_path: Path, fmt: str, name: str) -> None:
    data = _save(_noise(), fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(data[: len(data) // 2])
    exc = _fail(path, InvalidImageError, f"truncated or corrupt {name}", "re-download")
    assert exc.source == str(path)


def test_truncation_is_an_error_even_if_pillow_was_told_to_accept_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = _save(_noise(), "JPEG")
    _fail(data[: len(data) // 2], InvalidImageError, "truncated or corrupt JPEG")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # the caller's setting is restored
    assert load_pages(data)[0].image.shape == (150, 200, 3)


def test_png_with_corrupt_pixel_data() -> None:
    data = bytearray(_save(_noise(40, 40), "PNG"))
    start = data.index(b"IDAT") + 40
    data[start : start + 200] = b"\x00" * 200
    _fail(bytes(data), InvalidImageError, "truncated or corrupt PNG")


def test_text_file_named_jpg(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_text("Total 12.50\nThanks for shopping\n")
    exc = _fail(path, UnsupportedFormatError, "text file", "JPEG, PNG", "PDF")
    assert exc.source == str(path)


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
            "SVG",
        ),
        (b"PK\x03\x04" + b"\x00" * 60, "ZIP"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32, "HEIC"),
    ],
)
def test_unsupported_formats_are_named(data: bytes, what: str) -> None:
    exc = _fail(data, UnsupportedFormatError, what, "accepted formats")
    assert "WebP" in exc.hint and "TIFF" in exc.hint


def test_unrecognised_binary_shows_leading_bytes() -> None:
    _fail(
        bytes([0x13, 0x37, 0x00, 0xFF]) * 8, UnsupportedFormatError, "unrecognised", "13 37 00 ff"
    )


def test_huge_png_header_fails_fast_without_allocating(png_header_only) -> None:
    data = png_header_only(100_000, 100_000)
    tracemalloc.start()
    try:
        exc = _fail(data, ImageTooLargeError, "PNG", "10,000,000,000", "50,000,000")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, peak
    assert exc.source == "<bytes>"


def test_png_over_our_pixel_cap_names_its_size(png_header_only) -> None:
    # 8000x8000 passes Pillow's own bomb check but not the 50 MP default cap.
    exc = _fail(png_header_only(8000, 8000), ImageTooLargeError, "8000x8000", "50,000,000")
    assert "MAX_PIXELS" in exc.hint


def test_custom_pixel_cap(quadrants: Image.Image) -> None:
    data = _save(quadrants, "PNG")
    _fail(data, ImageTooLargeError, "120x80", options=IoOptions(max_pixels=5000))
    _fail(quadrants, ImageTooLargeError, "120x80", options=IoOptions(max_pixels=5000))
    _fail(np.asarray(quadrants), ImageTooLargeError, "120x80", options=IoOptions(max_pixels=5000))


def test_byte_cap_applies_to_every_byte_source(tmp_path: Path, quadrants: Image.Image) -> None:
    data = _save(quadrants, "PNG")
    path = tmp_path / "in.png"
    path.write_bytes(data)
    options = IoOptions(max_bytes=100)
    for source in (path, str(path), data, base64.b64encode(data).decode(), io.BytesIO(data)):
        exc = _fail(source, ImageTooLargeError, "over the limit", options=options)
        assert "MAX_BYTES" in exc.hint


def test_pdf_page_over_cap_at_dpi_asks_for_lower_dpi() -> None:
    pdf = _save(Image.new("RGB", (100, 50), "white"), "PDF", resolution=72.0)
    exc = _fail(
        pdf,
        ImageTooLargeError,
        "page 1",
        "600 DPI",
        options=IoOptions(max_pixels=100_000),
        pdf_dpi=600,
    )
    assert "pdf-dpi" in exc.hint
    assert load_pages(pdf, options=IoOptions(max_pixels=100_000), pdf_dpi=72)[0].image.shape == (
        50,
        100,
        3,
    )


def test_page_cap() -> None:
    frames = [Image.new("L", (8, 8), v) for v in (0, 100, 200)]
    tiff = _save(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    _fail(tiff, ImageTooLargeError, "3 pages", options=IoOptions(max_pages=2))
    pdf = _save(frames[0], "PDF", save_all=True, append_images=frames[1:])
    _fail(pdf, ImageTooLargeError, "3 pages", options=IoOptions(max_pages=2))


def test_corrupt_pdf() -> None:
    _fail(b"%PDF-1.7\n this is not really a pdf", InvalidImageError, "corrupt PDF", "re-download")


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "receipt.png"
    for source in (missing, str(missing), "receipt.png", "scans/receipt"):
        exc = _fail(source, InputNotFoundError, "no such file")
        assert str(source) in exc.message


def test_directory(tmp_path: Path) -> None:
    _fail(tmp_path, InvalidOptionError, "is a directory")


@pytest.mark.parametrize(
    "url", ["http://example.com/a.png", "https://example.com/a.png", "  HTTPS://x/y"]
)
def test_urls_are_never_fetched(url: str) -> None:
    exc = _fail(url, InvalidOptionError, "not fetched", "download")
    assert exc.source == url.strip()


def test_bad_data_url() -> None:
    _fail("data:image/png;base64,@@@not base64@@@", InvalidImageError, "not valid base64")
    _fail("data:image/png;base64", InvalidImageError, "malformed data: URL")


def test_base64_of_non_image_is_unsupported() -> None:
    text = base64.b64encode(b"just some words, not a picture at all, sorry" * 3).decode()
    _fail(text, UnsupportedFormatError, "text file")


@pytest.mark.parametrize("dpi", [10, 2000])
def test_bad_pdf_dpi(dpi: int) -> None:
    _fail(b"%PDF-1.4", InvalidOptionError, "pdf_dpi", str(dpi), pdf_dpi=dpi, label="doc.pdf")


@pytest.mark.parametrize(
    ("array", "needle"),
    [
        (np.zeros((4, 4, 5), np.uint8), "not an image"),
        (np.zeros((0, 4), np.uint8), "no pixels"),
        (np.zeros(5, np.uint8), "not an image"),
        (np.full((2, 2), -5, np.int32), "outside 0..65535"),
    ],
)
def test_bad_arrays(array: np.ndarray, needle: str) -> None:
    assert _fail(array, InvalidImageError, needle).source == "<array>"


def test_unknown_input_type() -> None:
    _fail(12345, InvalidOptionError, "cannot read an input of type int", label="field")
