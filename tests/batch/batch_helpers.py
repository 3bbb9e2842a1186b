"""Helpers for batch tests: small generated pages (good and bad), and scripted OpenAI-compatible
servers on loopback that can be stopped mid-run."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from vlocr.testing.openai_stub import completion_body

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def make_page(path: Path, text: str) -> Path:
    """A small white page with one line of text: quick to OCR, distinct per input."""
    font = ImageFont.truetype(DEJAVU, 26)
    img = Image.new("RGB", (420, 70), "white")
    ImageDraw.Draw(img).text((14, 18), text, font=font, fill="black")
    img.save(path)
    return path


def make_pages(folder: Path, n: int, prefix: str = "page") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        make_page(folder / f"{prefix}{i:02d}.png", f"INVOICE {i:04d} TOTAL {i}.50")
        for i in range(n)
    ]


def add_bad_files(folder: Path) -> list[Path]:
    """Inputs that must each be reported as failed: truncated, empty, and a text file named .png."""
    bad = [folder / "truncated.png", folder / "empty.jpg", folder / "letter.png"]
    bad[0].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    bad[1].write_bytes(b"")
    bad[2].write_text("Dear customer, this is not an image.")
    return bad


def completion(text: str) -> dict[str, Any]:
    return completion_body(
        text, usage={"prompt_tokens": 50, "completion_tokens": 5, "total_tokens": 55}
    )


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout test) is expected; no traceback on stderr."""


class ScriptedServer:
    """A loopback chat-completions server named ``name``. ``failures`` holds status codes to send
    before answering; ``delay_s`` slows each answer; it records the most requests it had at once."""

    def __init__(self, name: str, delay_s: float = 0.0) -> None:
        self.name = name
        self.delay_s = delay_s
        self.failures: list[int] = []
        self.answered = 0
        self.statuses: list[int] = []
        self.inflight = 0
        self.max_inflight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                status, payload = server._reply(body)
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _reply(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
            status = self.failures.pop(0) if self.failures else 200
        try:
            time.sleep(self.delay_s)
            if status != 200:
                return status, {"error": {"message": f"scripted {status}"}}
            if "response_format" in body:
                text = json.dumps({"number": self.name, "total": 12.5})
            else:
                text = f"answer from {self.name}"
            with self._lock:
                self.answered += 1
            return 200, completion(text)
        finally:
            with self._lock:
                self.inflight -= 1
                self.statuses.append(status)

    def stop(self) -> None:
        """Stop listening: later connections are refused, as when a server goes down."""
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.httpd.server_close()
