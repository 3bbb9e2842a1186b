"""Every kind of input a caller can pass reaches the same decoded page."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vlocr.io import load_pages


@pytest.fixture
def png_bytes(quadrants: Image.Image) -> bytes:
    buffer = io.BytesIO()
    quadrants.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def expected(quadrants: Image.Image) -> np.ndarray:
    return np.asarray(quadrants)


def test_path_as_str_and_path(tmp_path: Path, png_bytes: bytes, expected: np.ndarray) -> None:
    path = tmp_path / "in.png"
    path.write_bytes(png_bytes)
    for source in (str(path), path):
        [page] = load_pages(source)
        assert page.source == str(path)
        np.testing.assert_array_equal(page.image, expected)


def test_label_overrides_source_name(tmp_path: Path, png_bytes: bytes) -> None:
    path = tmp_path / "in.png"
    path.write_bytes(png_bytes)
    assert load_pages(path, label="upload.png")[0].source == "upload.png"
    assert load_pages(png_bytes, label="form field")[0].source == "form field"


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_bytes_like(png_bytes: bytes, expected: np.ndarray, kind: type) -> None:
    [page] = load_pages(kind(png_bytes))
    assert page.source == "<bytes>"
    np.testing.assert_array_equal(page.image, expected)


def test_binary_file_object(png_bytes: bytes, expected: np.ndarray) -> None:
    [page] = load_pages(io.BytesIO(png_bytes))
    np.testing.assert_array_equal(page.image, expected)


def test_base64_text(png_bytes: bytes, expected: np.ndarray) -> None:
    text = base64.b64encode(png_bytes).decode()
    [page] = load_pages(text)
    assert page.source == "<base64>"
    np.testing.assert_array_equal(page.image, expected)
    wrapped = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))  # MIME-style lines
    np.testing.assert_array_equal(load_pages(wrapped)[0].image, expected)
    urlsafe = base64.urlsafe_b64encode(png_bytes).decode().rstrip("=")
    np.testing.assert_array_equal(load_pages(urlsafe)[0].image, expected)


def test_data_url(png_bytes: bytes, expected: np.ndarray) -> None:
    url = "data:image/png;base64," + base64.b64encode(png_bytes).decode()
    [page] = load_pages(url)
    assert page.source == "<data-url>"
    assert page.format == "png"
    np.testing.assert_array_equal(page.image, expected)


def test_data_url_mime_type_is_not_trusted(png_bytes: bytes) -> None:
    url = "data:image/jpeg;base64," + base64.b64encode(png_bytes).decode()
    assert load_pages(url)[0].format == "png"


def test_pil_image(quadrants: Image.Image, expected: np.ndarray) -> None:
    [page] = load_pages(quadrants)
    assert page.source == "<PIL image>"
    np.testing.assert_array_equal(page.image, expected)
    [page] = load_pages(quadrants.convert("L"), label="gray")
    assert page.image.shape == (80, 120, 3) and page.source == "gray"


def test_lazy_pil_image_from_open(png_bytes: bytes, expected: np.ndarray) -> None:
    image = Image.open(io.BytesIO(png_bytes))
    [page] = load_pages(image)
    assert page.format == "png"
    np.testing.assert_array_equal(page.image, expected)


def test_numpy_rgb_is_copied(expected: np.ndarray) -> None:
    source = expected.copy()
    [page] = load_pages(source)
    assert page.source == "<array>" and page.format == "array"
    np.testing.assert_array_equal(page.image, expected)
    source[:] = 0
    assert page.image.max() == 255  # later edits by the caller do not leak into the page


def test_numpy_gray() -> None:
    gray = np.array([[0, 128], [200, 255]], np.uint8)
    [page] = load_pages(gray)
    assert page.image.shape == (2, 2, 3)
    assert page.image[1, 0].tolist() == [200, 200, 200]
    assert load_pages(gray[..., None])[0].image[0, 1].tolist() == [128, 128, 128]


def test_numpy_rgba_composites_on_white() -> None:
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[0, 0] = (255, 0, 0, 255)  # opaque red
    rgba[0, 1] = (255, 0, 0, 0)  # fully transparent
    rgba[1, 0] = (0, 0, 0, 128)  # half-transparent black
    image = load_pages(rgba)[0].image
    assert image[0, 0].tolist() == [255, 0, 0]
    assert image[0, 1].tolist() == [255, 255, 255]
    assert image[1, 0].tolist() == [127, 127, 127]


def test_numpy_uint16_is_scaled() -> None:
    arr = np.array([[0, 257 * 100], [32768, 65535]], np.uint16)
    image = load_pages(arr)[0].image
    assert image[..., 0].tolist() == [[0, 100], [128, 255]]
    rgb16 = np.full((2, 2, 3), 65535, np.uint16)
    assert load_pages(rgb16)[0].image.min() == 255


def test_numpy_float_and_bool() -> None:
    assert load_pages(np.full((2, 2), 0.5, np.float32))[0].image[0, 0, 0] == 128
    assert load_pages(np.array([[True, False]]))[0].image[0].tolist() == [[255] * 3, [0] * 3]
