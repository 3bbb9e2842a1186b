"""Rendered column pages read column by column (the engine end to end, rows-only order
interleaved the columns: order CER ~0.5-0.75 on these pages)."""

from __future__ import annotations

import pytest
from layout_pages import columns_page

from vlocr.eval.reading.metrics import cer
from vlocr.ocr.layout import group_rows
from vlocr.ocr.rapidocr_engine import VlocrRapidEngine


@pytest.fixture(scope="module")
def engine() -> VlocrRapidEngine:
    return VlocrRapidEngine()


def _flat(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize(("columns", "cjk"), [(2, False), (3, True)])
def test_columns_read_in_order(engine: VlocrRapidEngine, columns: int, cjk: bool) -> None:
    image, truth = columns_page(columns, cjk=cjk, seed=columns, body_px=20 if columns == 2 else 16)
    out = engine.recognize(image)
    assert cer(_flat("".join(truth)), _flat(out.text)) < 0.08
    rows_only = "".join(ln.text for row in group_rows(out.lines) for ln in row)
    assert cer(_flat("".join(truth)), _flat(rows_only)) > 0.3  # what the columns cost before


@pytest.mark.parametrize("seed", [0, 1])
def test_narrow_gutter_chinese_columns_read_in_order(engine: VlocrRapidEngine, seed: int) -> None:
    """The benchmark's `columns_zh` page: a gutter about one character wide, which the detector
    bridges (boxes of the left column reach over the first letters of the right one). Those boxes
    are cut at the blank and the repeated letters dropped, so the columns are found."""
    from vlocr.eval.synth.documents import generate

    doc = generate("columns_zh", seed)
    out = engine.recognize(doc.image)
    truth = _flat(doc.reading_text)
    assert cer(truth, _flat(out.text)) < 0.05
    rows_only = "".join(ln.text for row in group_rows(out.lines) for ln in row)
    assert cer(truth, _flat(rows_only)) > 0.3


def test_a_column_line_ending_at_the_gutter_does_not_cross_it(engine: VlocrRapidEngine) -> None:
    """The benchmark's third `newspaper_en` page: one justified line of the second column ends a
    few pixels short of the gutter's middle. Counted as crossing, it made its band a section of
    its own, read in rows across all four columns (order CER 54%)."""
    from vlocr.eval.synth.documents import generate

    doc = generate("newspaper_en", 2)
    out = engine.recognize(doc.image)
    assert cer(_flat(doc.reading_text), _flat(out.text)) < 0.05
