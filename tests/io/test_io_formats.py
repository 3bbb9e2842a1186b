"""Every accepted format decodes to the right pixels, pages and format name."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from vlocr.io import Page, load_pages

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def _save(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _assert_quadrants(page: Page, tolerance: int) -> None:
    img = page.image
    assert img.dtype == np.uint8 and img.shape == (80, 120, 3) and img.flags.c_contiguous
    for (y, x), colour in {(20, 30): RED, (20, 90): GREEN, (60, 30): BLUE, (60, 90): WHITE}.items():
        assert np.abs(img[y, x].astype(int) - colour).max() <= tolerance, (
            page.format,
            (y, x),
            img[y, x],
        )


@pytest.mark.parametrize(
    ("pil_format", "name", "tolerance", "kwargs"),
    [
        ("PNG", "png", 0, {}),
        ("BMP", "bmp", 0, {}),
        ("TIFF", "tiff", 0, {}),
        ("WEBP", "webp", 0, {"lossless": True}),
        ("JPEG", "jpeg", 12, {"quality": 95}),
        ("GIF", "gif", 0, {}),
    ],
)
def test_single_page_formats(
    quadrants: Image.Image, pil_format: str, name: str, tolerance: int, kwargs: dict
) -> None:
    pages = load_pages(_save(quadrants, pil_format, **kwargs))
    assert len(pages) == 1
    page = pages[0]
    assert (page.format, page.page, page.page_count, page.source) == (name, 1, 1, "<bytes>")
    _assert_quadrants(page, tolerance)


def test_format_comes_from_bytes_not_name(tmp_path, quadrants: Image.Image) -> None:
    path = tmp_path / "actually_png.jpg"
    path.write_bytes(_save(quadrants, "PNG"))
    [page] = load_pages(path)
    assert page.format == "png"
    _assert_quadrants(page, 0)


def test_tiff_yields_every_page() -> None:
    frames = [
        Image.new("RGB", (40 + 10 * i, 30), colour) for i, colour in enumerate([RED, GREEN, BLUE])
    ]
    data = _save(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    pages = load_pages(data, label="scan.tif")
    assert [p.page for p in pages] == [1, 2, 3]
    assert all(p.page_count == 3 and p.format == "tiff" and p.source == "scan.tif" for p in pages)
    assert [p.width for p in pages] == [40, 50, 60]
    assert [tuple(p.image[5, 5]) for p in pages] == [RED, GREEN, BLUE]
    assert pages[1].label == "scan.tif [page 2/3]"


def test_gif_yields_first_frame_only() -> None:
    frames = [Image.new("RGB", (20, 20), colour) for colour in (RED, GREEN, BLUE)]
    data = _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    pages = load_pages(data)
    assert len(pages) == 1
    assert tuple(pages[0].image[10, 10]) == RED


def _two_page_pdf() -> bytes:
    first = Image.new("RGB", (100, 50), RED)
    second = Image.new("RGB", (60, 90), BLUE)
    return _save(first, "PDF", save_all=True, append_images=[second], resolution=72.0)


@pytest.mark.parametrize("dpi", [72, 144])
def test_pdf_renders_every_page_at_dpi(dpi: int) -> None:
    pages = load_pages(_two_page_pdf(), pdf_dpi=dpi)
    scale = dpi / 72
    assert [(p.page, p.page_count, p.format) for p in pages] == [(1, 2, "pdf"), (2, 2, "pdf")]
    assert pages[0].image.shape == (round(50 * scale), round(100 * scale), 3)
    assert pages[1].image.shape == (round(90 * scale), round(60 * scale), 3)
    centre = pages[0].image[pages[0].height // 2, pages[0].width // 2]
    assert np.abs(centre.astype(int) - RED).max() <= 3
    centre = pages[1].image[pages[1].height // 2, pages[1].width // 2]
    assert np.abs(centre.astype(int) - BLUE).max() <= 3


def test_pdf_dpi_defaults_to_options() -> None:
    from vlocr.config import IoOptions

    [page, _] = load_pages(_two_page_pdf(), options=IoOptions(pdf_dpi=36))
    assert page.image.shape == (25, 50, 3)


def test_a_decoded_page_is_held_once_while_it_is_read() -> None:
    # the generator used to keep PIL's decoded copy alive next to the RGB array for as long as
    # the page was being read: a 35 MP scan held 104 MB twice through the whole OCR
    from vlocr.testing.hostile import run_measured

    out = run_measured(
        """
import io
import numpy as np
from PIL import Image
from vlocr.io import iter_pages

def rss_mb():
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(l.split()[1]) / 1024 for l in status if l.startswith("VmRSS:"))

ramp = (np.indices((4000, 5000)).sum(axis=0) % 256).astype(np.uint8)
pixels = np.stack([ramp, ramp[::-1], ramp[:, ::-1]], axis=2)  # 20 MP, a small PNG
buf = io.BytesIO()
Image.fromarray(pixels).save(buf, "PNG")
data = buf.getvalue()
del pixels, buf
before = rss_mb()
pages = iter_pages(data)
page = next(pages)
OUT["held_mb"] = rss_mb() - before
OUT["page_mb"] = page.image.nbytes / 2**20
"""
    )
    assert "error" not in out, out
    assert out["held_mb"] < 1.4 * out["page_mb"], out
