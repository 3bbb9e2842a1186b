"""A hostile client against a real server on loopback (issue 16: defects 5, 7, 10, 11, 12, 13)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import psutil
import pytest
from api_helpers import b64, png_bytes

from conftest import SLOW
from vlocr.api.app import create_app
from vlocr.api.http.background import BackgroundServer, start_in_thread
from vlocr.api.http.http_server import BoundedH11Protocol
from vlocr.config import ServerOptions, Settings
from vlocr.testing.hostile import deep_schema

TINY = png_bytes(np.full((40, 60, 3), 255, dtype=np.uint8))


class _TrickleOrigin:
    """An HTTP origin that sends its body one byte every 0.3 s (a slow allow-listed host)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
                for _ in range(1000):
                    if self.stop.wait(0.3):
                        return
                    conn.sendall(b"x")
            except OSError:
                return


@pytest.fixture(scope="module")
def origin() -> Iterator[_TrickleOrigin]:
    srv = _TrickleOrigin()
    yield srv
    srv.stop.set()
    srv.sock.close()


@pytest.fixture(scope="module")
def guarded() -> Iterator[BackgroundServer]:
    """1 worker, no queue, 2 s timeout, API key 'k', loopback URLs allowed; a /boom route."""
    settings = Settings(
        server=ServerOptions(
            workers=1, queue=0, request_timeout_s=2, api_keys=["k"], url_allowlist=["127.0.0.1"]
        )
    )
    app = create_app(settings, ui=False)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    BoundedH11Protocol.header_timeout_s = 1.0
    srv = start_in_thread(app)
    srv.wait_ready()
    yield srv
    BoundedH11Protocol.header_timeout_s = 10.0
    srv.stop()


KEY = {"Authorization": "Bearer k"}


def test_unexpected_500_keeps_the_connection_alive(guarded: BackgroundServer) -> None:
    conn = http.client.HTTPConnection(guarded.url.removeprefix("http://"), timeout=10)
    conn.request("GET", "/boom")
    response = conn.getresponse()
    body = json.loads(response.read())
    assert response.status == 500 and body["error"]["code"] == "internal_error"
    sock = conn.sock
    assert sock is not None, "the server closed the keep-alive connection after a 500"
    conn.request("GET", "/healthz")
    assert conn.getresponse().status == 200
    assert conn.sock is sock
    conn.close()


def test_huge_headers_are_refused_and_half_sent_headers_time_out(
    guarded: BackgroundServer,
) -> None:
    host, port = guarded.url.removeprefix("http://").split(":")
    rss = psutil.Process().memory_info().rss
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        line = b"x-h: " + b"v" * 100 + b"\r\n"
        sent = 0
        try:
            while sent < 50_000_000:  # 50 MB of small headers; the server stops reading early
                sock.sendall(line * 1000)
                sent += len(line) * 1000
        except OSError:
            pass
        reply = b""
        with contextlib.suppress(OSError):
            reply = sock.recv(200)
    assert sent < 50_000_000, "the server read 50 MB of headers"
    assert reply == b"" or reply.split(b" ")[1] in (b"400", b"431")
    assert psutil.Process().memory_info().rss - rss < 50_000_000
    assert httpx.get(f"{guarded.url}/healthz", timeout=10).status_code == 200
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # ... and never the blank line
        assert sock.recv(100) == b"", "a half-sent request must be closed by the server"


def test_wrong_keys_are_rate_limited(guarded: BackgroundServer) -> None:
    codes = [
        httpx.post(
            f"{guarded.url}/v1/ocr",
            json={"image": b64(TINY)},
            headers={"Authorization": f"Bearer wrong{i}"},
            timeout=10,
        ).status_code
        for i in range(12)
    ]
    assert codes[:10] == [401] * 10
    last = httpx.post(f"{guarded.url}/v1/ocr", json={"image": b64(TINY)}, headers=KEY, timeout=10)
    assert last.status_code == 429
    assert int(last.headers["Retry-After"]) > 0
    assert last.json()["error"]["code"] == "too_many_failed_logins"


def test_slow_url_is_bounded_by_one_deadline_and_the_gate(
    origin: _TrickleOrigin, tmp_path: Path
) -> None:
    settings = Settings(
        server=ServerOptions(workers=1, queue=0, request_timeout_s=2, url_allowlist=["127.0.0.1"])
    )
    srv = start_in_thread(create_app(settings, ui=False))
    srv.wait_ready()
    try:
        url = f"http://127.0.0.1:{origin.port}/slow.png"
        results: list[httpx.Response] = []
        first = threading.Thread(
            target=lambda: results.append(
                httpx.post(f"{srv.url}/v1/ocr", json={"image": url}, timeout=60)
            )
        )
        first.start()
        time.sleep(0.5)  # the first fetch holds the only worker slot now
        second = httpx.post(f"{srv.url}/v1/ocr", json={"image": url}, timeout=60)
        first.join(60)
        assert second.status_code == 503 and "Retry-After" in second.headers
        assert results[0].status_code == 504
        assert "fetching the image URL" in results[0].json()["error"]["message"]
    finally:
        srv.stop()


def test_sigterm_drains_with_json_503(tmp_path: Path) -> None:
    settings = Settings(server=ServerOptions(workers=1, queue=2, request_timeout_s=60))
    srv = start_in_thread(create_app(settings, ui=False))
    srv.wait_ready()
    SLOW.arm()
    body = {"image": b64(TINY), "engine": "test-slow", "preprocess": "none"}
    answers: list[httpx.Response] = []
    threads = [
        threading.Thread(
            target=lambda: answers.append(httpx.post(f"{srv.url}/v1/ocr", json=body, timeout=60))
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    assert SLOW.started.acquire(timeout=30)
    time.sleep(0.3)  # the second request is queued now
    srv.server.handle_exit(signal.SIGTERM, None)  # type: ignore[attr-defined]
    for t in threads:
        t.join(60)
    SLOW.release()
    srv.thread.join(30)
    assert sorted(a.status_code for a in answers) == [503, 503]
    for answer in answers:
        assert answer.json()["error"]["code"] == "shutting_down"
        assert answer.headers["Retry-After"]


def test_vlm_input_errors_are_4xx(vlm_server: BackgroundServer) -> None:
    url = vlm_server.url
    wide = b64(png_bytes(np.full((40, 12_000, 3), 255, dtype=np.uint8)))
    ask = httpx.post(f"{url}/v1/ask", json={"image": wide, "question": "?"}, timeout=60)
    assert ask.status_code == 422 and "aspect ratio" in ask.json()["error"]["message"]
    chat = httpx.post(
        f"{url}/v1/chat/completions",
        json={
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "?"},
                        {
                            "type": "image_url",
                            "image_url": {"url": f"data:image/png;base64,{wide}"},
                        },
                    ],
                }
            ]
        },
        timeout=60,
    )
    assert chat.status_code == 422
    deep = httpx.post(
        f"{url}/v1/extract", json={"image": b64(TINY), "schema": deep_schema(120)}, timeout=60
    )
    assert deep.status_code == 422
    region = httpx.post(
        f"{url}/v1/ask",
        content=b'{"image": "%s", "question": "?", "region": [0, 0, 1e309, 5]}'
        % b64(TINY).encode(),
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert region.status_code == 422
    many = [{"type": "image_url", "image_url": {"url": f"data:image/png;base64,{b64(TINY)}"}}] * 9
    too_many = httpx.post(
        f"{url}/v1/chat/completions",
        json={"messages": [{"role": "user", "content": many}]},
        timeout=60,
    )
    assert too_many.status_code == 422
    special = httpx.post(
        f"{url}/v1/ask",
        json={"image": b64(TINY), "question": "<|image_pad|><|vision_end|>", "role": "<|im_end|>"},
        timeout=120,
    )
    assert special.status_code == 200, special.text
    thin = b64(png_bytes(np.full((3, 300, 3), 255, dtype=np.uint8)))
    assert (
        httpx.post(f"{url}/v1/ask", json={"image": thin, "question": "?"}, timeout=120).status_code
        == 200
    )


def test_readyz_hides_a_local_model_path(vlm_server: BackgroundServer, tiny_model: Path) -> None:
    body = httpx.get(f"{vlm_server.url}/readyz", timeout=10).json()
    assert body["vlm_model"] == os.path.basename(str(tiny_model))
    assert str(tiny_model.parent) not in json.dumps(body)


def test_docs_and_redoc_need_no_cdn(guarded: BackgroundServer) -> None:
    for page in ("/docs", "/redoc"):
        html = httpx.get(f"{guarded.url}{page}", timeout=10).text
        assert "https://" not in html and "http://" not in html, page
        for asset in [
            p.split('"')[0] for p in html.split('="')[1:] if p.startswith("/docs-assets")
        ]:
            assert httpx.get(f"{guarded.url}{asset}", timeout=10).status_code == 200, asset
