import numpy as np
import pytest

from vlocr.eval.synth import pages as synth


@pytest.fixture(scope="session")
def page() -> np.ndarray:
    """Clean, flat, upright page with ~19 px glyphs."""
    return synth.render_text(synth.SAMPLE_LINES * 2, font_px=26)


@pytest.fixture(scope="session")
def photo(page):
    """The page warped onto a dark textured table by a known mild perspective: (image, corners)."""
    ph, pw = page.shape[:2]
    src = np.array([[0, 0], [pw - 1, 0], [pw - 1, ph - 1], [0, ph - 1]], np.float64)
    a = np.deg2rad(6.0)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    c = src.mean(axis=0)
    corners = (src - c) @ rot.T + c + np.array([150.0, 140.0])
    corners[1] += [-12, 10]  # a little keystone
    corners[2] += [-18, -8]
    size = (pw + 320, ph + 300)
    return synth.paste_on_background(page, corners, size), corners
