"""Engines on rendered lines: vlocr's rapidocr, Tesseract, and the registry."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from vlocr.config import RapidOcrOptions
from vlocr.errors import InvalidOptionError
from vlocr.eval.synth.pages import render_line
from vlocr.ocr.registry import engine_names, get_engine


@pytest.fixture(scope="module")
def engine():  # noqa: ANN201
    from vlocr.ocr.rapidocr_engine import VlocrRapidEngine

    return VlocrRapidEngine(RapidOcrOptions(threads=2))


@pytest.fixture(scope="module")
def raw_engine():  # noqa: ANN201
    from vlocr.ocr.rapidocr_engine import VlocrRapidEngine

    return VlocrRapidEngine(RapidOcrOptions(threads=2, postprocess=False))


def _page(*lines: np.ndarray, width: int = 640) -> np.ndarray:
    """Stack rendered lines on one white page, left-aligned."""
    height = sum(ln.shape[0] + 20 for ln in lines) + 40
    page = np.full((height, width, 3), 255, np.uint8)
    y = 20
    for ln in lines:
        page[y : y + ln.shape[0], 20 : 20 + ln.shape[1]] = ln
        y += ln.shape[0] + 20
    return page


def test_english_line_is_properly_spaced(engine) -> None:  # noqa: ANN001
    out = engine.recognize(_page(render_line("TOTAL AMOUNT DUE RM 45.60")))
    assert [ln.text for ln in out.lines] == ["TOTAL AMOUNT DUE RM 45.60"]
    words = out.lines[0].words
    assert words is not None and [w.text for w in words] == [
        "TOTAL",
        "AMOUNT",
        "DUE",
        "RM",
        "45.60",
    ]
    xs = [min(p[0] for p in w.box) for w in words if w.box]
    assert xs == sorted(xs)


def test_chinese_line_gains_no_spaces(engine) -> None:  # noqa: ANN001
    img = render_line("增值税普通发票北京市朝阳区", font="NotoSansCJK-Regular.ttc", size=30)
    out = engine.recognize(_page(img))
    text = "".join(ln.text for ln in out.lines)
    assert " " not in text
    assert "增值税普通发票" in text


def test_timings_keys(engine) -> None:  # noqa: ANN001
    out = engine.recognize(_page(render_line("DATE: 15/01/2019 TIME: 14:35")))
    assert {"det", "cls", "rec", "post", "total"} <= set(out.timings_ms)
    assert out.timings_ms["total"] >= out.timings_ms["rec"] > 0


def test_blank_and_gray_pages(engine) -> None:  # noqa: ANN001
    out = engine.recognize(np.full((300, 400, 3), 255, np.uint8))
    assert out.lines == []
    assert {"det", "rec", "total"} <= set(out.timings_ms)
    gray = _page(render_line("GRAY PAGE 42"))[:, :, 0]
    assert [ln.text for ln in engine.recognize(gray).lines] == ["GRAY PAGE 42"]


def test_reading_order_top_to_bottom(engine) -> None:  # noqa: ANN001
    page = _page(
        render_line("FIRST LINE HERE"), render_line("SECOND LINE 42"), render_line("THIRD 7.50")
    )
    texts = [ln.text for ln in engine.recognize(page).lines]
    assert texts == ["FIRST LINE HERE", "SECOND LINE 42", "THIRD 7.50"]


def test_corrections_recorded_and_switchable(engine, raw_engine) -> None:  # noqa: ANN001
    # a full-width colon (CJK font) in Latin text: the recogniser glues the date to it, the
    # ink gap shows the space; the edit is recorded, and postprocess=False keeps the raw read
    page = _page(
        render_line("DATE：15/01/2019", font="NotoSansCJK-Regular.ttc"),
        render_line("1 X TEH O ICE 2.50"),
    )
    fixed = engine.recognize(page)
    plain = raw_engine.recognize(page)
    assert [ln.text for ln in plain.lines] == ["DATE:15/01/2019", "1 X TEH O ICE 2.50"]
    assert all(ln.corrections == [] and ln.raw_text is None for ln in plain.lines)
    assert [ln.text for ln in fixed.lines] == ["DATE: 15/01/2019", "1 X TEH O ICE 2.50"]
    first = fixed.lines[0]
    assert first.raw_text == "DATE:15/01/2019"
    assert [(c.kind, c.original, c.corrected) for c in first.corrections] == [
        ("spacing", "DATE:15/01/2019", "DATE: 15/01/2019")
    ]
    assert fixed.lines[1].corrections == [] and fixed.lines[1].raw_text is None


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr not installed")
def test_tesseract_reads_a_line() -> None:
    out = get_engine("tesseract").recognize(_page(render_line("INVOICE NUMBER 12345")))
    assert "INVOICE NUMBER 12345" in out.text
    assert "total" in out.timings_ms


def test_registry_unknown_engine() -> None:
    with pytest.raises(InvalidOptionError) as info:
        get_engine("no-such-engine")
    assert "no-such-engine" in info.value.message
    assert "rapidocr" in info.value.hint


def test_registry_names() -> None:
    assert {"rapidocr", "rapidocr-v6", "rapidocr-v4", "tesseract"} <= set(engine_names())
