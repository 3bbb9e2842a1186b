"""Focus on the rows a question names: which lines, which band, and what the answer says was sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from vlocr.config import VlmOptions
from vlocr.results import OcrLine
from vlocr.service.focus import focus_box, lines_named_by, question_terms


def _line(text: str, y: int, x0: int = 20, x1: int = 300) -> OcrLine:
    return OcrLine(text=text, box=[(x0, y), (x1, y), (x1, y + 20), (x0, y + 20)], confidence=0.9)


PAGE = [
    _line("FRESH MART", 20),
    *[_line(f"Item {i} 1.00", 100 + 30 * i) for i in range(30)],
    _line("Subtotal 30.00", 1100),
    _line("TOTAL 30.00", 1130),
    _line("2024-05-12", 1300),
]


def test_terms_drop_question_words_and_split_cjk() -> None:
    assert question_terms("What is the TOTAL amount on this receipt?") == ["total"]
    assert question_terms("实付金额") == ["实付", "付金", "金额"]


def test_the_band_covers_the_named_rows_with_a_margin() -> None:
    named = lines_named_by("What is the total?", PAGE)
    assert [ln.text for ln in named] == ["Subtotal 30.00", "TOTAL 30.00"]
    x, y, w, h = focus_box("What is the total?", PAGE, 400, 1400)  # type: ignore[misc]
    assert (x, w) == (0, 400)  # full width: the amount sits on the label's row
    assert y <= 1100 - 40 and y + h >= 1150 + 40  # two line heights above and below
    assert h < 0.2 * 1400


def test_no_focus_when_nothing_is_named_or_the_rows_span_the_page() -> None:
    assert focus_box("Who is it for?", PAGE, 400, 1400) is None
    assert focus_box("List every item", PAGE, 400, 1400) is None  # 30 rows: most of the page


@pytest.mark.slow
def test_ask_with_hints_sends_the_named_rows_and_says_so(
    receipt_png: Path, tiny_opts: VlmOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vlocr.service.questions as q
    import vlocr.service.task_page as task_page

    lines = [
        _line("FRESH MART", 20, x1=200),
        _line("Milk 2 x 4.50 9.00", 80, x1=300),
        _line("TOTAL 89.50", 140, x1=190),
        _line("2024-05-12 14:32", 200, x1=260),
    ]
    monkeypatch.setattr(task_page, "run_ocr", lambda page, request, required: list(lines))
    opts = tiny_opts.model_copy(update={"min_pixels": 32 * 32})
    page = q.ask(receipt_png, "What is the total?", vlm=opts, ocr_hints=True, focus="page")
    crop = q.ask(receipt_png, "What is the total?", vlm=opts, ocr_hints=True)
    assert page.visual_input is not None and crop.visual_input is not None
    assert page.visual_input.sent == "page" and page.visual_input.box is None
    assert crop.visual_input.sent == "lines" and crop.visual_input.lines == ["TOTAL 89.50"]
    assert crop.visual_input.box is not None and crop.visual_input.box[1] < 140
    assert 0 < crop.visual_input.visual_tokens < page.visual_input.visual_tokens
    assert crop.visual_input.visual_tokens == crop.usage.image_tokens
    assert page.visual_input.budget_tokens == opts.hints_max_pixels // 1024  # hints budget
    from vlocr.vlm.dtypes import choose_dtype

    # dtype auto follows this CPU: float32, or bfloat16 where it computes bfloat16 natively
    assert crop.engine["dtype"] == choose_dtype("auto", "cpu").dtype
    assert "dtype_reason" in crop.engine
    with pytest.raises(Exception, match="unknown focus"):
        q.ask(receipt_png, "What is the total?", vlm=opts, ocr_hints=True, focus="zoom")
