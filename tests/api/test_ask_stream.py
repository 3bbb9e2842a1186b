"""``/v1/ask`` with ``stream: true``: SSE frames from the service's one stream — the reply's
pieces, then the same checked VlmAnswer the plain request returns. Real uvicorn, a scripted
OpenAI-compatible backend on loopback."""

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


@pytest.fixture(scope="module")
def stub_server() -> Iterator[tuple[BackgroundServer, StubServer]]:
    stub = StubServer(answer="The total is 16.50").start()
    vlm = VlmOptions(backend="openai", model="stub-vl", base_url=stub.base_url, retries=0)
    srv = start_in_thread(create_app(Settings(), vlm=vlm, ui=False))
    srv.wait_ready()
    yield srv, stub
    srv.stop()
    stub.stop()


def _frames(url: str, body: dict[str, Any]) -> list[Any]:
    frames: list[Any] = []
    with httpx.stream("POST", f"{url}/v1/ask", json=body, timeout=120) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                frames.append(line[6:] if line == "data: [DONE]" else json.loads(line[6:]))
    return frames


def test_ask_streams_pieces_then_the_checked_answer(
    stub_server: tuple[BackgroundServer, StubServer], receipt_png: bytes
) -> None:
    srv, stub = stub_server
    body = {"image": b64(receipt_png), "question": "What is the total? <|image_pad|>"}
    plain = httpx.post(f"{srv.url}/v1/ask", json=body, timeout=120).json()
    frames = _frames(srv.url, {**body, "stream": True})
    assert frames[-1] == "[DONE]"
    deltas = [f["delta"] for f in frames[:-2]]
    assert deltas == ["The ", "total ", "is ", "16.50"] and stub.requests[-1]["stream"] is True
    answer = frames[-2]["answer"]
    assert answer["text"] == plain["text"] == "The total is 16.50"
    assert answer["usage"] == plain["usage"] and answer["number_checks"] == plain["number_checks"]
    assert all("<|image_pad|>" not in json.dumps(r["messages"]) for r in stub.requests)


def test_a_bad_request_still_gets_its_status_code(
    stub_server: tuple[BackgroundServer, StubServer], receipt_png: bytes
) -> None:
    srv, _stub = stub_server
    body = {"image": b64(receipt_png), "question": "Total?", "page": 3, "stream": True}
    r = httpx.post(f"{srv.url}/v1/ask", json=body, timeout=60)
    assert r.status_code == 422 and "page" in r.json()["error"]["message"]
