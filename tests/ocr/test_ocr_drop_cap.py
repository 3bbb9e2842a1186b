"""A paragraph that opens with a drop cap: the line beside the initial must be read.

On a real old-book scan the detector joined a two-line initial "F" to the first line's
"ROM about 1380 ...", the minimum-area rectangle of that region leaned off the line, its mean
probability fell under the box threshold, and the whole line was dropped."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from vlocr.ocr.ppocr_pipeline import PpOcrPipeline

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
FIRST = "ROM about 1380 to some time afterwards headdresses of most"


def _drop_cap_page(size: int = 22) -> np.ndarray:
    body, initial = ImageFont.truetype(SERIF, size), ImageFont.truetype(SERIF, size * 3)
    img = Image.new("RGB", (1000, 300), "white")
    draw = ImageDraw.Draw(img)
    pitch = int(size * 1.5)
    draw.text((40, 40 - size // 4), "F", font=initial, fill="black")
    indent = 40 + int(draw.textbbox((0, 0), "F", font=initial)[2])  # the initial touches the line
    draw.text((indent, 40), FIRST, font=body, fill="black")
    draw.text(
        (indent, 40 + pitch),
        "singular form of construction were in general wear in",
        font=body,
        fill="black",
    )
    draw.text(
        (40, 40 + 2 * pitch),
        "fashionable circles. One of these, the bonnet",
        font=body,
        fill="black",
    )
    return np.asarray(img)


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return _drop_cap_page()


def test_line_beside_a_drop_cap_is_read(page: np.ndarray) -> None:
    lines, _ = PpOcrPipeline().run(page)
    texts = [line.text for line in lines]
    assert any("about 1380" in t and "headdresses" in t for t in texts), texts
    assert any("singular form" in t for t in texts) and any("fashionable" in t for t in texts)


def test_without_the_leaning_line_rule_that_line_is_lost(page: np.ndarray) -> None:
    # the same page with the rule switched off: proves the page reproduces the failure
    pipeline = PpOcrPipeline()
    pipeline._db.line_ratio = float("inf")
    texts = [line.text for line in pipeline.run(page)[0]]
    assert not any("about 1380" in t for t in texts), texts
    assert any("singular form" in t for t in texts)
