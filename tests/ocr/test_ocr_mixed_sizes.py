"""Pages of mixed text sizes: the small body text must survive the detector's input scale.

The page imitates a printed newspaper scan: four Chinese/English headlines 44-64 px tall over
two columns of dense 9-10 px Chinese body text whose strokes have spread (characters touch, so
the glyph-shaped components that remain are mostly the headlines'). A scale chosen from the
median glyph alone (0.4 here) shrank the body to 4 px and read only the headlines."""

from __future__ import annotations

import numpy as np
import pytest
from layout_pages import columns_page, mixed_size_page

from vlocr.ocr.ppocr_pipeline import merge_scales
from vlocr.ocr.rapidocr_engine import VlocrRapidEngine
from vlocr.ocr.textsize import measure_text


@pytest.fixture(scope="module")
def engine() -> VlocrRapidEngine:
    return VlocrRapidEngine()


def _page() -> tuple[np.ndarray, list[str]]:
    return mixed_size_page(
        line_pitch=1.5, blur=0.7, ink_spread=2, body="zh,zh", headlines=4, body_px=10
    )


def test_mixed_page_reports_its_small_text() -> None:
    image, _ = _page()
    sizes = measure_text(image)
    assert sizes.median is not None and sizes.median > 25  # the headlines dominate the median
    assert sizes.small is not None and 8 <= sizes.small <= 14


def test_single_size_page_has_no_small_class() -> None:
    image, _ = columns_page(2, body_px=20)
    assert measure_text(image).small is None


def test_body_text_of_a_mixed_page_is_read(engine: VlocrRapidEngine) -> None:
    image, truth = _page()
    out = engine.recognize(image)
    text = "".join(out.text.split())
    body = [line for line in truth[4:]]
    found = sum(1 for line in body if line[:8] in text)
    assert found >= 0.8 * len(body), (found, len(body))
    for headline in ("城市新闻头版", "MorningHerald", "HarbourBridgeReopens"):
        assert headline in text


def _quad(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def test_merge_keeps_headlines_and_replaces_blobs() -> None:
    headline = _quad(100, 10, 600, 70)
    blob = _quad(10, 100, 300, 200)  # the coarse pass saw several small lines as one box
    coarse = np.stack([headline, blob])
    fine = np.stack(
        [
            _quad(100, 12, 340, 68),  # the headline split in two by the fine pass
            _quad(350, 12, 600, 68),
            _quad(10, 100, 300, 118),
            _quad(10, 125, 300, 143),
            _quad(10, 150, 300, 168),
        ]
    )
    merged = merge_scales(coarse, fine)
    tops = sorted(float(b[:, 1].min()) for b in merged)
    assert tops == [10.0, 100.0, 125.0, 150.0]
