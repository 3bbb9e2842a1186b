"""OpenAIEngine against a real HTTP server on loopback that speaks the chat-completions protocol."""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest
from PIL import Image

from vlocr.config import VlmOptions
from vlocr.errors import EngineTimeoutError, EngineUnavailableError, ModelOutputError
from vlocr.testing.openai_stub import completion_body
from vlocr.vlm import Generation
from vlocr.vlm.openai_engine import OpenAIEngine

ASK = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Total?"}]}]


def completion(text: str) -> dict[str, Any]:
    return completion_body(
        text, usage={"prompt_tokens": 100, "completion_tokens": 5, "total_tokens": 105}
    )


class Script:
    """Replies served in order: (status, body) or ("sleep", seconds) or ("sse", [pieces])."""

    def __init__(self) -> None:
        self.replies: list[tuple[Any, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []


@pytest.fixture()
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            script.requests.append(json.loads(self.rfile.read(length)))
            script.headers.append(dict(self.headers))
            assert self.path == "/v1/chat/completions"
            status, body = script.replies.pop(0) if script.replies else (200, completion("ok"))
            if status == "sleep":
                time.sleep(body)
                status, body = 200, completion("late")
            if status == "sse":
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in body:
                    event = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                return
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", script
    httpd.shutdown()
    httpd.server_close()


def engine(base_url: str, **kw: Any) -> OpenAIEngine:
    opts = VlmOptions(
        backend="openai", model="qwen3-vl", base_url=base_url, api_key="sk-test", retries=2, **kw
    )
    return OpenAIEngine(opts, backoff_s=0.01)


def image() -> np.ndarray:
    img = np.zeros((40, 60, 3), dtype=np.uint8)
    img[:, :30] = (255, 0, 0)
    return img


def test_request_carries_png_data_url_key_and_schema(server: tuple[str, Script]) -> None:
    url, script = server
    schema = {"title": "receipt", "type": "object", "properties": {"total": {"type": "number"}}}
    gen = engine(url).generate(
        ASK, images=[image()], json_schema=schema, max_new_tokens=7, temperature=0.2
    )
    assert gen.text == "ok" and gen.usage.prompt_tokens == 100 and gen.usage.completion_tokens == 5
    body = script.requests[0]
    assert body["model"] == "qwen3-vl" and body["max_tokens"] == 7 and body["temperature"] == 0.2
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == schema
    part = body["messages"][0]["content"][0]
    assert part["type"] == "image_url"
    data_url = part["image_url"]["url"]
    assert data_url.startswith("data:image/png;base64,")
    decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))))
    assert np.array_equal(decoded, image())  # lossless
    assert body["messages"][0]["content"][1] == {"type": "text", "text": "Total?"}
    assert script.headers[0]["Authorization"] == "Bearer sk-test"


def test_500_then_success_is_retried(server: tuple[str, Script]) -> None:
    url, script = server
    script.replies = [(500, {"error": "boom"}), (503, {"error": "busy"}), (200, completion("fine"))]
    assert engine(url).generate(ASK, images=[image()]).text == "fine"
    assert len(script.requests) == 3


def test_4xx_is_not_retried(server: tuple[str, Script]) -> None:
    url, script = server
    script.replies = [(401, {"error": "bad key"})]
    with pytest.raises(EngineUnavailableError) as info:
        engine(url).generate(ASK, images=[image()])
    assert "401" in info.value.message and "api-key" in info.value.hint
    assert len(script.requests) == 1


def test_server_without_json_schema_support_is_asked_again_without_it(
    server: tuple[str, Script],
) -> None:
    url, script = server
    script.replies = [
        (400, {"error": {"message": "response_format json_schema is not supported"}}),
        (200, completion("{}")),
    ]
    gen = engine(url).generate(ASK, images=[image()], json_schema={"type": "object"})
    assert gen.text == "{}"
    assert "response_format" in script.requests[0] and "response_format" not in script.requests[1]


def test_timeout_raises_engine_timeout(server: tuple[str, Script]) -> None:
    url, script = server
    script.replies = [("sleep", 1.5)]
    with pytest.raises(EngineTimeoutError):
        engine(url, timeout_s=0.3).generate(ASK, images=[image()])
    assert len(script.requests) == 1  # a slow server is not asked again


@pytest.mark.parametrize(
    "body", [b"not json", {"choices": []}, {"choices": [{"message": {"content": 5}}]}, {"id": 1}]
)
def test_malformed_reply_is_model_output_error(server: tuple[str, Script], body: Any) -> None:
    url, script = server
    script.replies = [(200, body)]
    with pytest.raises(ModelOutputError):
        engine(url).generate(ASK, images=[image()])


def test_unreachable_server_after_retries() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(EngineUnavailableError) as info:
        engine(f"http://127.0.0.1:{port}/v1").generate(ASK, images=[image()])
    assert "3 attempt" in info.value.message and "--base-url" in info.value.hint


def test_streaming_yields_sse_deltas(server: tuple[str, Script]) -> None:
    url, script = server
    script.replies = [("sse", ["The ", "total ", "is 89.50"])]
    *pieces, final = list(engine(url).stream(ASK, images=[image()]))
    assert pieces == ["The ", "total ", "is 89.50"]
    assert isinstance(final, Generation) and final.text == "The total is 89.50"
    assert script.requests[0]["stream"] is True


def test_looping_reply_is_cut(server: tuple[str, Script]) -> None:
    url, script = server
    script.replies = [(200, completion("Total 89.50" + " 89.50" * 50))]
    gen = engine(url).generate(ASK, images=[image()])
    assert (
        gen.loop_cut and gen.text == "Total 89.50" and gen.finish_reason == "loop"
    )  # one copy kept
