"""VLM fields and answers checked against the OCR extractor: both values and both boxes, and one
re-ask on a zoomed crop of the boxes in doubt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import vlocr.service.generation as generation
import vlocr.service.questions as q
import vlocr.service.task_page as task_page
from vlocr.config import VlmOptions
from vlocr.results import OcrLine, Usage
from vlocr.vlm import Generation


def _line(text: str, y: float, x: float = 20, w: float = 260) -> OcrLine:
    return OcrLine(
        text=text, box=[(x, y), (x + w, y), (x + w, y + 30), (x, y + 30)], confidence=0.97
    )


LINES = [
    _line("FRESH MART SDN BHD", 20),
    _line("12 Jalan Besar, 50000 Kuala Lumpur", 60),
    _line("Tel: 03-12345678", 100),
    _line("2024-05-12 14:32", 140),
    _line("SUBTOTAL", 200, w=120),
    _line("98.50", 200, x=380, w=80),
    _line("ROUNDED TOTAL", 240, w=160),
    _line("89.50", 240, x=380, w=80),
]


class ReplayEngine:
    """Replies in order and remembers the size of every image it was shown."""

    name = model = "replay"

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.shapes: list[tuple[int, ...]] = []
        self.prompts: list[str] = []

    def generate(
        self, messages: list[dict[str, Any]], *, images: list[np.ndarray], **_: Any
    ) -> Generation:
        self.shapes.append(images[0].shape)
        self.prompts.append(str(messages[-1]["content"]))
        return Generation(text=self.replies.pop(0), usage=Usage())


@pytest.fixture()
def replay(monkeypatch: pytest.MonkeyPatch):
    def install(replies: list[str]) -> ReplayEngine:
        engine = ReplayEngine(replies)
        monkeypatch.setattr(generation, "get_engine", lambda opts: engine)
        monkeypatch.setattr(task_page, "run_ocr", lambda page, request, required: list(LINES))
        return engine

    return install


VLM_RECEIPT = '{"merchant": "FRESH MART SDN BHD", "date": "2024-05-12", "items": [], "total": 98.5}'


def test_extract_disagreement_lists_both_values_and_boxes_then_reasks_on_a_zoom(
    receipt_png: Path, replay
) -> None:
    engine = replay([VLM_RECEIPT, "89.50"])
    result = q.extract(receipt_png, "receipt", vlm=VlmOptions())
    assert result.valid
    [d] = result.disagreements
    assert (d.field, d.vlm_value, d.ocr_value) == ("total", 98.5, 89.5)
    assert d.ocr_box == LINES[7].box  # where OCR read the total
    assert d.vlm_boxes == [LINES[5].box]  # where the VLM's number is printed: the subtotal
    assert d.reasked and d.reask_value == "89.50" and d.resolved == "ocr"
    assert result.data is not None and result.data["total"] == 89.5
    # the re-ask saw a zoomed crop, not the whole page, and asked about the total
    assert len(engine.shapes) == 2 and engine.shapes[1] != engine.shapes[0]
    assert "total" in engine.prompts[1]
    assert result.fields["merchant"] is not None and result.fields["merchant"].lines == [0]


def test_extract_agreeing_fields_are_not_reasked(receipt_png: Path, replay) -> None:
    agreeing = VLM_RECEIPT.replace("98.5", "89.5")
    engine = replay([agreeing])
    result = q.extract(receipt_png, "receipt", vlm=VlmOptions())
    assert result.disagreements == [] and len(engine.shapes) == 1


def test_answer_about_a_field_is_checked_against_ocr(receipt_png: Path, replay) -> None:
    replay(["The total is RM 98.50.", "98.50"])
    answer = q.ask(receipt_png, "What is the total?", vlm=VlmOptions())
    [d] = answer.disagreements
    assert d.field == "total" and d.vlm_value == "RM 98.50" and d.ocr_value == 89.5
    assert d.ocr_box == LINES[7].box and d.vlm_boxes == [LINES[5].box]
    assert (
        d.reasked and d.resolved == "vlm"
    )  # the zoom repeated the VLM's value: kept, still listed


def test_no_reask_when_cross_check_is_off(receipt_png: Path, replay) -> None:
    engine = replay(["The total is 98.50."])
    answer = q.ask(receipt_png, "What is the total?", vlm=VlmOptions(), cross_check=False)
    assert answer.disagreements[0].reasked is False and len(engine.shapes) == 1
