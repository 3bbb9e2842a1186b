"""Pipeline pieces that need no model: text-height estimate, model files, CTC decoding."""

from __future__ import annotations

import numpy as np
import pytest

from vlocr.errors import EngineUnavailableError
from vlocr.eval.synth.pages import render_line
from vlocr.ocr.models import model_path
from vlocr.ocr.textsize import estimate_text_height


def _page(line: np.ndarray, h: int = 400, w: int = 900) -> np.ndarray:
    page = np.full((h, w, 3), 255, np.uint8)
    page[50 : 50 + line.shape[0], 30 : 30 + line.shape[1]] = line
    return page


def test_text_height_follows_font_size() -> None:
    small = estimate_text_height(_page(render_line("TOTAL AMOUNT 45.60", size=20)))
    large = estimate_text_height(_page(render_line("TOTAL AMOUNT 45.60", size=40)))
    assert small is not None and large is not None
    assert 11 <= small <= 18  # DejaVu capitals are ~0.73 em tall
    assert 1.7 <= large / small <= 2.3


def test_text_height_of_blank_page_is_none() -> None:
    assert estimate_text_height(np.full((200, 200, 3), 255, np.uint8)) is None


def test_bundled_models_found_and_unknown_release_rejected() -> None:
    assert model_path("rec", "v6").name == "PP-OCRv6_rec_small.onnx"
    assert model_path("det", "v4").is_file()
    with pytest.raises(EngineUnavailableError) as info:
        model_path("rec", "v9")
    assert "v6" in info.value.hint


def test_ctc_decode_keeps_character_columns() -> None:
    from vlocr.ocr.ppocr_pipeline import PpOcrPipeline

    pipe = PpOcrPipeline.__new__(PpOcrPipeline)  # decoding needs only the alphabet
    pipe.alphabet = ["<blank>", "A", "B", " "]
    ids = [0, 1, 1, 0, 0, 3, 2, 2, 2, 0]
    pred = np.full((len(ids), 4), 0.01, np.float32)
    for t, k in enumerate(ids):
        pred[t, k] = 0.97
    text, conf, chars = pipe._decode(pred, col_px=4.0)
    assert text == "A B"
    assert [(c.char, c.x0, c.x1) for c in chars] == [
        ("A", 4.0, 12.0),
        (" ", 20.0, 24.0),
        ("B", 24.0, 36.0),
    ]
    assert conf == pytest.approx(0.97)
