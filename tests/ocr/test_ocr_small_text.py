"""Small text: a receipt stored at a 400 px long side, a page of small text too big for one
detector input, and a clean page whose detector scale must not move."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vlocr.eval.reading.metrics import score_text
from vlocr.eval.synth.documents import long_receipt, rows_text
from vlocr.eval.synth.pages import big_page, render_text
from vlocr.ocr.ppocr_pipeline import PipelineConfig, PpOcrPipeline
from vlocr.ocr.rapidocr_engine import VlocrRapidEngine
from vlocr.ocr.textsize import measure_text


@pytest.fixture(scope="module")
def engine() -> VlocrRapidEngine:
    return VlocrRapidEngine()


def test_receipt_at_400_px_keeps_its_words(engine: VlocrRapidEngine) -> None:
    """Two 26-item till receipts shrunk to 400 px tall (5-6 px letters): cutting each tiny line
    out enlarged keeps words that a crop rounded to whole pixels lost (word F1 0.54 -> 0.63)."""
    scores = []
    for seed in (0, 1):
        doc = long_receipt(seed)
        h, w = doc.image.shape[:2]
        size = (round(w * 400 / h), 400)
        image = cv2.resize(doc.image, size, interpolation=cv2.INTER_AREA)
        out = engine.recognize(image)
        hyp = "\n".join(line.text for line in out.lines)
        scores.append(score_text(rows_text(doc.lines), hyp).word_f1)
    assert float(np.mean(scores)) >= 0.6, scores


def test_tiny_lines_are_cut_out_enlarged() -> None:
    pipe = PpOcrPipeline(PipelineConfig(auto_orient=False))
    page = render_text(["TOTAL 12.50"], font_px=8, margin=10)
    box = np.array([[8, 8], [70, 8], [70, 17], [8, 17]], np.float32)
    assert pipe.crop(page, box).shape[0] >= 20
    big = render_text(["TOTAL 12.50"], font_px=40, margin=20)
    big_box = np.array([[10, 10], [300, 10], [300, 60], [10, 60]], np.float32)
    assert pipe.crop(big, big_box).shape[0] == 50  # a normal line is cut at its own size


def _dense_page() -> np.ndarray:
    # 8-9 px letters on a 1800 x 2600 page: 4 px on the 1200 px measuring copy
    return big_page(1800, 2600, 11)


def test_small_text_of_a_large_page_is_measured() -> None:
    """8 px letters in the top half of a 3000 x 4000 page are 2.4 px on the 1200 px measuring
    copy; measured there, blobs of merged letters gave 13 px (a detector scale too small)."""
    sizes = measure_text(big_page(3000, 4000, 11))
    assert sizes.median is not None and 6 <= sizes.median <= 10


def test_small_text_of_a_large_page_is_detected_in_strips() -> None:
    pipe = PpOcrPipeline(PipelineConfig(auto_orient=False))
    page = _dense_page()
    scale, text_h, _ = pipe.det_scale(page)
    # the text's own scale (12 px letters), beyond what one 2400 px input holds
    assert text_h is not None and scale == pytest.approx(12.0 / text_h, rel=0.01)
    assert page.shape[0] * scale > pipe.config.det_max_side
    boxes = pipe.detect(page, scale)
    lines = int(2600 / (1.6 * 11)) - 2
    heights = boxes[:, :, 1].max(axis=1) - boxes[:, :, 1].min(axis=1)
    assert len(boxes) >= 0.7 * lines
    assert float(np.max(heights)) < 3 * float(np.median(heights))  # no line doubled at a seam
    centres = boxes.mean(axis=1)
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2) + 1e9 * np.eye(len(boxes))
    assert float(gaps.min()) > 3  # no line found twice where the strips overlap


def test_clean_page_keeps_its_detector_scale() -> None:
    """A clean 1000 px page: measured as before (one pass over the whole page) and detected
    in one input at 12 px letters."""
    pipe = PpOcrPipeline(PipelineConfig(auto_orient=False))
    page = render_text(font_px=28)
    scale, text_h, small = pipe.det_scale(page)
    assert text_h is not None and 18 <= text_h <= 24
    assert scale == pytest.approx(12.0 / text_h)
    assert small is None
    assert max(page.shape[:2]) * scale <= pipe.config.det_max_side
