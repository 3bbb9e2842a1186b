"""Service + fusion with a scripted engine: checks attached to answers, extraction repair and rules."""

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

LINES = [
    OcrLine(text="FRESH MART", box=[(20, 20), (200, 20), (200, 50), (20, 50)], confidence=0.99),
    OcrLine(
        text="TOTAL ¥89.50", box=[(20, 140), (190, 140), (190, 170), (20, 170)], confidence=0.98
    ),
]


class ScriptedEngine:
    name = "scripted"
    model = "scripted"

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.calls: list[list[dict[str, Any]]] = []

    def generate(
        self, messages: list[dict[str, Any]], *, images: list[np.ndarray], **kw: Any
    ) -> Generation:
        self.calls.append(messages)
        return Generation(
            text=self.replies.pop(0), usage=Usage(prompt_tokens=10, completion_tokens=3)
        )


@pytest.fixture()
def scripted(monkeypatch: pytest.MonkeyPatch):
    def install(replies: list[str]) -> ScriptedEngine:
        engine = ScriptedEngine(replies)
        monkeypatch.setattr(generation, "get_engine", lambda opts: engine)
        monkeypatch.setattr(task_page, "run_ocr", lambda page, request, required: list(LINES))
        return engine

    return install


def test_absent_amount_flagged_present_one_linked_to_box(receipt_png: Path, scripted) -> None:
    scripted(["The total is ¥89.50 after a discount of 12.00."])
    answer = q.ask(receipt_png, "Total?", vlm=VlmOptions())
    checks = {c.value: c for c in answer.number_checks}
    assert (
        checks["¥89.50"].found
        and checks["¥89.50"].lines == [1]
        and checks["¥89.50"].boxes == [LINES[1].box]
    )
    assert not checks["12.00"].found
    assert answer.unsupported_numbers == ["12.00"]
    assert [ln.text for ln in answer.provenance] == ["TOTAL ¥89.50"]


def test_extract_repairs_then_checks_invoice_arithmetic(receipt_png: Path, scripted) -> None:
    bad = "Sure! ```json\n{'seller': 'ACME', 'buyer': 'Bob', 'invoice_no': 12345, 'date': '2024-05-12', 'amount': '1,000.00', 'tax_rate': '13%', 'tax': 120, 'total': 1120,}\n```"
    engine = scripted([bad])
    result = q.extract(receipt_png, "invoice", vlm=VlmOptions(), cross_check=False)
    assert result.valid and result.repaired and result.attempts == 1
    assert (
        result.data["amount"] == 1000.0
        and result.data["tax_rate"] == 0.13
        and result.data["invoice_no"] == "12345"
    )
    rules = {i.rule: i for i in result.issues}
    assert (
        rules["amount_x_rate_eq_tax"].expected == 130.0
        and rules["amount_x_rate_eq_tax"].found == 120.0
    )
    assert "amount_plus_tax_eq_total" not in rules
    assert len(engine.calls) == 1


def test_extract_reasks_with_errors_then_succeeds(receipt_png: Path, scripted) -> None:
    good = '{"merchant": "FRESH MART", "date": "2024-05-12", "items": [], "total": 89.5}'
    engine = scripted(['{"merchant": "FRESH MART"}', good])
    result = q.extract(receipt_png, "receipt", vlm=VlmOptions())
    assert result.valid and result.attempts == 2 and result.data["total"] == 89.5
    fix = engine.calls[1][-1]["content"]
    assert "'date' is a required property" in fix and "'total' is a required property" in fix
    assert engine.calls[1][-2] == {"role": "assistant", "content": '{"merchant": "FRESH MART"}'}


def test_extract_never_pretends(receipt_png: Path, scripted) -> None:
    scripted(["no json here", "still none", '{"merchant": 5}'])
    result = q.extract(receipt_png, "receipt", vlm=VlmOptions())
    assert not result.valid and result.attempts == 3
    assert any("required" in e for e in result.validation_errors)
