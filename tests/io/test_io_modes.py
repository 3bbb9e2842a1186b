"""Colour modes and orientation tags all end as upright RGB uint8 with the right colours."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from vlocr.io import load_pages


def _save(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _single(data: bytes) -> np.ndarray:
    [page] = load_pages(data)
    assert page.image.dtype == np.uint8 and page.image.ndim == 3 and page.image.shape[2] == 3
    return page.image


def test_exif_orientation_6_is_applied(quadrants: Image.Image) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored image must be rotated 90 degrees clockwise to display
    image = _single(_save(quadrants, "JPEG", exif=exif.tobytes(), quality=95))
    assert image.shape == (120, 80, 3)  # width and height swapped
    # The stored top-left (red) quadrant ends at the top-right after a clockwise turn.
    assert np.abs(image[20, 60].astype(int) - (255, 0, 0)).max() <= 12
    assert np.abs(image[100, 20].astype(int) - (255, 255, 255)).max() <= 12


def test_exif_orientation_on_pil_input(quadrants: Image.Image) -> None:
    exif = Image.Exif()
    exif[0x0112] = 3  # 180 degrees
    opened = Image.open(io.BytesIO(_save(quadrants, "PNG", exif=exif.tobytes())))
    [page] = load_pages(opened)
    assert page.image.shape == (80, 120, 3)
    assert page.image[70, 110].tolist() == [255, 0, 0]


@pytest.mark.parametrize("fmt", ["TIFF", "JPEG"])
def test_cmyk_becomes_rgb(fmt: str) -> None:
    cmyk = Image.new("CMYK", (16, 16), (0, 255, 255, 0))  # no cyan, full magenta+yellow = red
    cmyk.paste((0, 0, 0, 255), (0, 8, 16, 16))  # pure black ink
    image = _single(_save(cmyk, fmt))
    assert np.abs(image[2, 2].astype(int) - (255, 0, 0)).max() <= 10
    assert image[12, 12].max() <= 10


def test_palette_with_transparency_composites_on_white() -> None:
    pal = Image.new("P", (4, 1))
    pal.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    pal.putdata([0, 1, 0, 1])
    image = _single(_save(pal, "PNG", transparency=0))
    assert image[0].tolist() == [[255, 255, 255], [255, 0, 0], [255, 255, 255], [255, 0, 0]]


def test_palette_without_transparency_keeps_colours() -> None:
    pal = Image.new("P", (2, 1))
    pal.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    pal.putdata([0, 1])
    assert _single(_save(pal, "GIF"))[0].tolist() == [[0, 0, 0], [0, 0, 255]]


def test_16bit_gray_png_is_scaled_not_clipped() -> None:
    arr = np.array([[0, 32768, 65535]], np.uint16)
    data = _save(Image.fromarray(arr), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    assert _single(data)[0, :, 0].tolist() == [0, 128, 255]


def test_mode_i_tiff() -> None:
    image = Image.fromarray(np.array([[0, 1000, 65535]], np.int32), mode="I")
    assert _single(_save(image, "TIFF"))[0, :, 0].tolist() == [0, 4, 255]


def test_la_composites_on_white() -> None:
    la = Image.new("LA", (3, 1))
    la.putdata([(0, 255), (0, 0), (0, 128)])
    assert _single(_save(la, "PNG"))[0, :, 0].tolist() == [0, 255, 127]


def test_rgba_png_composites_on_white() -> None:
    rgba = Image.new("RGBA", (2, 1))
    rgba.putdata([(0, 0, 255, 255), (0, 0, 255, 0)])
    assert _single(_save(rgba, "PNG"))[0].tolist() == [[0, 0, 255], [255, 255, 255]]


@pytest.mark.parametrize("fmt", ["PNG", "BMP", "TIFF"])
def test_one_bit(fmt: str) -> None:
    bw = Image.new("1", (2, 1))
    bw.putdata([0, 255])
    assert _single(_save(bw, fmt))[0].tolist() == [[0, 0, 0], [255, 255, 255]]


def test_gray_l_jpeg() -> None:
    image = _single(_save(Image.new("L", (8, 8), 77), "JPEG", quality=100))
    assert abs(int(image[4, 4, 0]) - 77) <= 1 and len(set(image[4, 4].tolist())) == 1
