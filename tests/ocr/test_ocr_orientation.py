"""The default engine turns pages that lie sideways or upside down, and maps boxes back."""

from __future__ import annotations

import numpy as np
import pytest

from vlocr.eval import synth
from vlocr.eval.reading.metrics import cer
from vlocr.ocr import get_engine
from vlocr.ocr.ppocr_pipeline import is_sideways, unturn


@pytest.fixture(scope="module")
def receipt() -> synth.Document:
    return synth.generate("receipt", 3)


@pytest.mark.parametrize("quarter_turns", [1, 2, 3])
def test_turned_page_reads_like_upright(receipt: synth.Document, quarter_turns: int) -> None:
    # np.rot90 turns counter-clockwise; the engine must undo any of the three turns
    turned = np.ascontiguousarray(np.rot90(receipt.image, quarter_turns))
    out = get_engine("rapidocr").recognize(turned)
    assert cer(receipt.text, out.text) < 0.05
    # boxes land on the turned input: the first line (shop name) of a page turned 180 degrees
    # sits near the bottom of the image, not the top
    height, width = turned.shape[:2]
    first = np.asarray(out.lines[0].box)
    assert first[:, 0].min() >= -2 and first[:, 0].max() <= width + 2
    assert first[:, 1].min() >= -2 and first[:, 1].max() <= height + 2
    if quarter_turns == 2:
        assert first[:, 1].mean() > height / 2


def test_upright_page_is_not_turned(receipt: synth.Document) -> None:
    engine = get_engine("rapidocr")
    out = engine.recognize(receipt.image)
    assert engine.pipeline.last_turns == 0
    assert cer(receipt.text, out.text) < 0.02


def test_unturn_inverts_clockwise_turns() -> None:
    import cv2

    img = np.zeros((40, 100, 3), np.uint8)
    img[5, 90] = 255  # a marker near the top-right corner
    codes = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}
    for turns, code in codes.items():
        turned = cv2.rotate(img, code)
        ys, xs = np.nonzero(turned[:, :, 0])
        back = unturn(np.array([[xs[0] + 0.5, ys[0] + 0.5]]), turns, 100, 40)[0]
        assert abs(back[0] - 90.5) < 1e-3 and abs(back[1] - 5.5) < 1e-3


def test_sideways_needs_most_boxes_tall() -> None:
    tall = np.array([[0, 0], [10, 0], [10, 60], [0, 60]], np.float32)
    wide = np.array([[0, 0], [60, 0], [60, 10], [0, 10]], np.float32)
    assert is_sideways(np.stack([tall] * 5 + [wide]))
    assert not is_sideways(np.stack([tall] * 3 + [wide] * 3))
    assert not is_sideways(np.stack([tall] * 2))
