"""A scripted OpenAI-compatible chat server on loopback, for tests of everything that talks to
one (``--vlm openai``, the server's late-backend warm-up). Real HTTP, canned answers."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def completion_body(
    text: str, *, finish_reason: str = "stop", usage: dict[str, int] | None = None
) -> dict[str, Any]:
    """A chat-completions response body answering ``text`` (for every scripted server in tests)."""
    return {
        "id": "stub",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish_reason,
            }
        ],
        "usage": usage or {"prompt_tokens": 42, "completion_tokens": 3, "total_tokens": 45},
    }


@dataclass
class StubServer:
    """``answer`` is returned for every request; ``requests`` records their JSON bodies."""

    answer: str = "TOTAL 16.50"
    finish_reason: str = "stop"
    usage: dict[str, int] = field(
        default_factory=lambda: {"prompt_tokens": 42, "completion_tokens": 3, "total_tokens": 45}
    )
    requests: list[dict[str, Any]] = field(default_factory=list)
    httpd: ThreadingHTTPServer | None = None
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, port: int = 0) -> StubServer:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append(request)
                if request.get("stream"):
                    self._stream()
                    return
                body = json.dumps(
                    completion_body(stub.answer, finish_reason=stub.finish_reason, usage=stub.usage)
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _stream(self) -> None:
                """The answer word by word as SSE, then the finish reason and the usage."""
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                words = stub.answer.split(" ")
                pieces = [w + " " for w in words[:-1]] + words[-1:]
                events: list[dict[str, Any]] = [
                    {"choices": [{"index": 0, "delta": {"content": piece}}]} for piece in pieces
                ]
                events.append(
                    {"choices": [{"index": 0, "delta": {}, "finish_reason": stub.finish_reason}]}
                )
                events.append({"choices": [], "usage": stub.usage})
                for event in events:
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = int(self.httpd.server_address[1])
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
