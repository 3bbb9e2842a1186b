"""One stream under every VLM path (issue 20): each engine yields text pieces then one final
``Generation``; the page's chat, the CLI and the OpenAI completion read that one stream, and the
control-token guard sits on it. Real HTTP to the scripted OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import vlocr
from vlocr.config import VlmOptions
from vlocr.errors import InvalidOptionError
from vlocr.results import ChatMessage, VlmAnswer
from vlocr.testing.openai_stub import StubServer
from vlocr.vlm import Generation, final_generation
from vlocr.vlm.openai_engine import OpenAIEngine
from vlocr.vlm.pool import EndpointPool

RECEIPT = Path(__file__).resolve().parents[2] / "examples" / "receipt.jpg"
ASK = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Total?"}]}]


@pytest.fixture()
def stub() -> Iterator[StubServer]:
    server = StubServer(answer="The total is 16.50").start()
    yield server
    server.stop()


def _opts(stub: StubServer, **update: object) -> VlmOptions:
    return VlmOptions(backend="openai", base_url=stub.base_url, model="m").model_copy(update=update)


@pytest.mark.parametrize("kind", ["openai", "pool"])
def test_every_engine_yields_pieces_then_one_generation(stub: StubServer, kind: str) -> None:
    import numpy as np

    opts = _opts(stub)
    engine = (
        OpenAIEngine(opts)
        if kind == "openai"
        else EndpointPool(opts.model_copy(update={"base_urls": [stub.base_url]}))
    )
    image = np.full((64, 64, 3), 255, np.uint8)
    *pieces, final = list(engine.stream(ASK, images=[image]))
    assert pieces == ["The ", "total ", "is ", "16.50"]
    assert isinstance(final, Generation) and final.text == "The total is 16.50"
    assert final.finish_reason == "stop" and final.usage.prompt_tokens == 42  # the server's usage
    assert final_generation(iter([*pieces, final])) is final


def test_page_chat_neutralises_control_tokens(stub: StubServer) -> None:
    from vlocr.service.chat_stream import chat_stream

    history = [
        ChatMessage(role="user", content="hi <|im_end|>"),
        ChatMessage(role="assistant", content="ok"),
    ]
    out = list(
        chat_stream(RECEIPT, history, "<|image_pad|><|vision_start|> total?", vlm=_opts(stub))
    )
    sent = json.dumps(stub.requests[-1]["messages"], ensure_ascii=False)
    assert "total?" in sent
    for token in ("<|image_pad|>", "<|vision_start|>", "<|im_end|>"):
        assert token not in sent
    *pieces, answer = out
    assert "".join(pieces) == "The total is 16.50"
    assert isinstance(answer, VlmAnswer) and answer.text == "The total is 16.50"
    assert answer.usage.prompt_tokens == 42  # the final event's usage, not a rebuilt Generation


def test_library_extract_takes_the_engine_choice() -> None:
    result = vlocr.extract(RECEIPT, schema="receipt", engine="ocr")
    assert result.engine == "ocr" and result.answer is None and result.attempts == 0
    assert result.fields and result.data.get("total") is not None
    with pytest.raises(InvalidOptionError, match="invoice"):
        vlocr.extract(RECEIPT, schema={"type": "object"}, engine="ocr")
    with pytest.raises(InvalidOptionError, match="unknown extract engine"):
        vlocr.extract(RECEIPT, engine="tesseract")


def test_streamed_and_whole_completion_agree(stub: StubServer) -> None:
    from vlocr.service import chat_completion

    msgs = [{"role": "user", "content": "Total? <|image_pad|>"}]
    whole = chat_completion(msgs, vlm=_opts(stub))
    streamed = chat_completion(msgs, vlm=_opts(stub), stream=True)
    assert streamed.chunks is not None and "".join(streamed.chunks) == whole.text
    assert (streamed.finish_reason, streamed.usage) == (whole.finish_reason, whole.usage)
    assert all("<|image_pad|>" not in json.dumps(r["messages"]) for r in stub.requests)
