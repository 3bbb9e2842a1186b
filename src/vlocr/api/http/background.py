"""Run an app with uvicorn in a background thread on a free loopback port (tests, notebooks)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class BackgroundServer:
    url: str
    server: object
    thread: threading.Thread

    def wait_ready(self, timeout_s: float = 120.0) -> dict[str, object]:
        """Poll ``/readyz`` until 200; raise with the last body when it fails or times out."""
        deadline = time.monotonic() + timeout_s
        body: dict[str, object] = {}
        while time.monotonic() < deadline:
            response = httpx.get(f"{self.url}/readyz", timeout=5)
            body = response.json()
            if response.status_code == 200:
                return body
            if body.get("status") == "failed":
                break
            time.sleep(0.1)
        raise RuntimeError(f"server at {self.url} not ready: {body}")

    def stop(self) -> None:
        self.server.should_exit = True  # type: ignore[attr-defined]
        self.thread.join(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_in_thread(
    app: Any, *, port: int | None = None, log_level: str = "warning"
) -> BackgroundServer:
    from vlocr.api.http.http_server import DrainingServer, server_config

    port = port or free_port()
    config = server_config(app, host="127.0.0.1", port=port, log_level=log_level)
    config.timeout_graceful_shutdown = 2
    server = DrainingServer(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.02)
    return BackgroundServer(url=f"http://127.0.0.1:{port}", server=server, thread=thread)
