"""ask / chat / extract / transcribe through the real TransformersEngine (tiny random model, CPU)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import vlocr.service.questions as q
import vlocr.service.task_page as task_page
from vlocr.config import VlmOptions
from vlocr.results import ChatMessage, OcrLine
from vlocr.vlm import Generation
from vlocr.vlm.transformers_engine import IMAGE_PAD, TransformersEngine

pytestmark = pytest.mark.slow

OCR_LINES = [
    OcrLine(text="FRESH MART", box=[(20, 20), (200, 20), (200, 50), (20, 50)], confidence=0.99),
    OcrLine(
        text="TOTAL 89.50", box=[(20, 140), (190, 140), (190, 170), (20, 170)], confidence=0.98
    ),
]


@pytest.fixture()
def prompts(monkeypatch: pytest.MonkeyPatch) -> list[Generation]:
    """Record every Generation (with its rendered prompt) the real engine produces."""
    seen: list[Generation] = []
    original = TransformersEngine.generate

    def spy(self: TransformersEngine, *args: Any, **kwargs: Any) -> Generation:
        gen = original(self, *args, **kwargs)
        seen.append(gen)
        return gen

    monkeypatch.setattr(TransformersEngine, "generate", spy)
    return seen


@pytest.fixture()
def fake_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(task_page, "run_ocr", lambda page, request, required: list(OCR_LINES))


def test_ask_without_hints(
    receipt_png: Path, tiny_opts: VlmOptions, prompts: list[Generation], fake_ocr: None
) -> None:
    answer = q.ask(receipt_png, "What is the total?", vlm=tiny_opts)
    prompt = prompts[-1].prompt
    assert "What is the total?" in prompt and "FRESH MART" not in prompt and "OCR" not in prompt
    assert prompt.count(IMAGE_PAD) == answer.usage.image_tokens == (480 // 32) * (320 // 32)
    assert not answer.ocr_hints_used and answer.task == "ask" and answer.prompt_version == "ask-1"
    assert (
        answer.backend == "transformers"
        and answer.model == tiny_opts.model
        and answer.source.endswith("receipt.png")
    )


def test_ask_with_hints_puts_the_rows_under_their_third_in_prompt(
    receipt_png: Path, tiny_opts: VlmOptions, prompts: list[Generation], fake_ocr: None
) -> None:
    answer = q.ask(receipt_png, "实付金额是多少?", vlm=tiny_opts, ocr_hints=True)
    prompt = prompts[-1].prompt
    assert "[top]\nFRESH MART\n[middle]\nTOTAL 89.50" in prompt
    assert "OCR 引擎" in prompt  # Chinese question -> Chinese prompt
    assert answer.ocr_hints_used


def test_region_crops_the_image(receipt_png: Path, tiny_opts: VlmOptions, fake_ocr: None) -> None:
    opts = tiny_opts.model_copy(update={"min_pixels": 32 * 32})  # no upscaling of the small crop
    answer = q.ask(receipt_png, "What is the total?", vlm=opts, region="0,0,320,160")
    assert answer.region == (0, 0, 320, 160)
    assert answer.usage.image_tokens == 10 * 5


def test_chat_keeps_history_and_the_image_in_turn_one(
    receipt_png: Path, tiny_opts: VlmOptions, prompts: list[Generation], fake_ocr: None
) -> None:
    first = q.chat(
        receipt_png, [], "Who is the merchant?", vlm=tiny_opts, role="You are an accountant."
    )
    history = [
        ChatMessage(role="user", content="Who is the merchant?"),
        ChatMessage(role="assistant", content="FRESH MART"),
    ]
    second = q.chat(
        receipt_png, history, "And the total?", vlm=tiny_opts, role="You are an accountant."
    )
    p1, p2 = prompts[-2].prompt, prompts[-1].prompt
    assert p1.count("<|vision_start|>") == 1 and p2.count("<|vision_start|>") == 1
    assert (
        p2.index("<|vision_start|>")
        < p2.index("Who is the merchant?")
        < p2.index("<|im_start|>assistant\nFRESH MART")
        < p2.index("And the total?")
    )
    assert "<|im_start|>system\nYou are an accountant." in p2
    assert second.usage.prompt_tokens > first.usage.prompt_tokens


def test_transcribe_structured_prompt(
    receipt_png: Path, tiny_opts: VlmOptions, prompts: list[Generation]
) -> None:
    answer = q.transcribe(receipt_png, structured=True, lang="zh", vlm=tiny_opts, ocr_checks=False)
    assert "【识别文字】" in prompts[-1].prompt and "【位置信息】" in prompts[-1].prompt
    assert answer.task == "transcribe" and answer.number_checks == []


def test_extract_with_random_model_is_reasked_and_reported_invalid(
    receipt_png: Path, tiny_opts: VlmOptions, prompts: list[Generation]
) -> None:
    result = q.extract(receipt_png, "invoice", vlm=tiny_opts, ocr_checks=False, max_attempts=2)
    assert result.valid is False and result.attempts == 2 and result.validation_errors
    assert result.schema_name == "invoice" and result.issues == []
    assert "seller_tax_id" in prompts[-2].prompt  # the schema is in the prompt
    assert "Your reply is not valid for the schema" in prompts[-1].prompt  # the re-ask
    assert result.answer is not None and result.answer.usage.completion_tokens == sum(
        g.usage.completion_tokens for g in prompts[-2:]
    )


def test_chat_completion_decodes_data_urls(
    receipt_png: Path, tiny_opts: VlmOptions, prompts: list[Generation]
) -> None:
    import base64

    url = "data:image/png;base64," + base64.b64encode(receipt_png.read_bytes()).decode()
    msgs = [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": url}},
                {"type": "text", "text": "Hi"},
            ],
        }
    ]
    result = q.chat_completion(msgs, vlm=tiny_opts)
    assert result.chunks is None and result.usage.image_tokens == 150
    streamed = q.chat_completion(msgs, vlm=tiny_opts, stream=True)
    assert streamed.chunks is not None and "".join(streamed.chunks).strip() == result.text


def test_chat_completion_refuses_remote_urls(tiny_opts: VlmOptions) -> None:
    from vlocr.errors import InvalidOptionError

    msgs = [
        {
            "role": "user",
            "content": [{"type": "image_url", "image_url": {"url": "http://example.com/a.png"}}],
        }
    ]
    with pytest.raises(InvalidOptionError, match="data: URL"):
        q.chat_completion(msgs, vlm=tiny_opts)


def test_real_ocr_hints_end_to_end(
    receipt_png: Path, tiny_opts: VlmOptions, prompts: list[Generation]
) -> None:
    answer = q.ask(receipt_png, "What is the total?", vlm=tiny_opts, ocr_hints=True)
    assert answer.ocr_hints_used
    assert "89.50" in prompts[-1].prompt and "[top]\n" in prompts[-1].prompt
    assert json.loads(answer.model_dump_json())["task"] == "ask"
