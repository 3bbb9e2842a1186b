"""/v1/chat/completions says the same thing streamed and not: finish reason, real token usage,
and ``response_format`` (json_object, json_schema) honoured both ways. Real uvicorn; the tiny
Qwen3-VL (local transformers) and a scripted OpenAI-compatible backend."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_helpers import b64

from vlocr.api.app import create_app
from vlocr.api.http.background import BackgroundServer, start_in_thread
from vlocr.config import Settings, VlmOptions
from vlocr.testing.openai_stub import StubServer


def _body(png: bytes, **extra: Any) -> dict[str, Any]:
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64(png)}}
    message = {"role": "user", "content": [image, {"type": "text", "text": "Total?"}]}
    return {"messages": [message], "temperature": 0, **extra}


def _stream(url: str, body: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The streamed text and every SSE event (JSON) before [DONE]."""
    events: list[dict[str, Any]] = []
    with httpx.stream(
        "POST", f"{url}/v1/chat/completions", json={**body, "stream": True}, timeout=120
    ) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                events.append(json.loads(line[6:]))
    text = "".join(
        e["choices"][0]["delta"].get("content") or "" for e in events if e.get("choices")
    )
    return text, events


def _finish(events: list[dict[str, Any]]) -> str:
    reasons = [e["choices"][0]["finish_reason"] for e in events if e.get("choices")]
    assert reasons[:-1] == [None] * (len(reasons) - 1)
    return str(reasons[-1])


def test_local_model_stream_matches_plain(vlm_server: BackgroundServer, receipt_png: bytes) -> None:
    body = _body(receipt_png, max_tokens=3)
    plain = httpx.post(f"{vlm_server.url}/v1/chat/completions", json=body, timeout=120).json()
    text, events = _stream(vlm_server.url, {**body, "stream_options": {"include_usage": True}})
    assert text.strip() == plain["choices"][0]["message"]["content"]
    assert _finish(events) == plain["choices"][0]["finish_reason"]
    usage = events[-1]["usage"]
    assert usage["prompt_tokens"] == plain["usage"]["prompt_tokens"] > 0
    assert usage["completion_tokens"] == plain["usage"]["completion_tokens"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


@pytest.fixture(scope="module")
def stub_server() -> Iterator[tuple[BackgroundServer, StubServer]]:
    stub = StubServer().start()
    vlm = VlmOptions(backend="openai", model="stub-vl", base_url=stub.base_url, retries=0)
    srv = start_in_thread(create_app(Settings(), vlm=vlm, ui=False))
    srv.wait_ready()
    yield srv, stub
    srv.stop()
    stub.stop()


def test_length_is_reported_when_streaming(
    stub_server: tuple[BackgroundServer, StubServer], receipt_png: bytes
) -> None:
    srv, stub = stub_server
    stub.answer, stub.finish_reason = "TOTAL 16.50 and", "length"
    try:
        body = _body(receipt_png, max_tokens=3)
        plain = httpx.post(f"{srv.url}/v1/chat/completions", json=body, timeout=60).json()
        text, events = _stream(srv.url, {**body, "stream_options": {"include_usage": True}})
    finally:
        stub.finish_reason = "stop"
    assert plain["choices"][0]["finish_reason"] == "length" == _finish(events)
    assert text == "TOTAL 16.50 and"
    assert events[-1]["usage"] == {"prompt_tokens": 42, "completion_tokens": 3, "total_tokens": 45}


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    "response_format",
    [
        {"type": "json_object"},
        {
            "type": "json_schema",
            "json_schema": {
                "name": "total",
                "schema": {
                    "type": "object",
                    "properties": {"total": {"type": "number"}},
                    "required": ["total"],
                },
            },
        },
    ],
)
def test_response_format_is_honoured(
    stub_server: tuple[BackgroundServer, StubServer],
    receipt_png: bytes,
    stream: bool,
    response_format: dict[str, Any],
) -> None:
    srv, stub = stub_server
    stub.answer = 'Sure! Here it is:\n```json\n{"total": "16.50",}\n```'
    body = _body(receipt_png, response_format=response_format)
    try:
        if stream:
            text, _events = _stream(srv.url, body)
        else:
            reply = httpx.post(f"{srv.url}/v1/chat/completions", json=body, timeout=60).json()
            text = reply["choices"][0]["message"]["content"]
    finally:
        stub.answer = "TOTAL 16.50"
    data = json.loads(text)
    expected = 16.5 if response_format["type"] == "json_schema" else "16.50"
    assert data == {"total": expected}
    sent = stub.requests[-1]
    assert "JSON" in json.dumps(sent["messages"][0])  # the model was asked for JSON
    if response_format["type"] == "json_schema":
        assert sent["response_format"]["json_schema"]["schema"]["required"] == ["total"]
