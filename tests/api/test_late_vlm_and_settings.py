"""A VLM backend that starts after the server, a server without a VLM, and the ``io`` settings
on every route (real uvicorn + a scripted OpenAI-compatible backend on loopback)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from api_helpers import b64, wait_until

from vlocr.api.app import create_app
from vlocr.api.http.background import BackgroundServer, free_port, start_in_thread
from vlocr.config import IoOptions, ServerOptions, Settings, VlmOptions
from vlocr.testing.openai_stub import StubServer


def _ask(url: str, png: bytes) -> httpx.Response:
    return httpx.post(f"{url}/v1/ask", json={"image": b64(png), "question": "Total?"}, timeout=60)


def _chat(url: str, png: bytes) -> httpx.Response:
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64(png)}}
    message = {"role": "user", "content": [image, {"type": "text", "text": "Total?"}]}
    return httpx.post(f"{url}/v1/chat/completions", json={"messages": [message]}, timeout=60)


def test_a_late_vlm_backend_is_picked_up_and_ocr_serves_meanwhile(receipt_png: bytes) -> None:
    port = free_port()
    vlm = VlmOptions(
        backend="openai", model="stub-vl", base_url=f"http://127.0.0.1:{port}/v1", retries=0
    )
    srv = start_in_thread(create_app(Settings(), vlm=vlm, ui=False))
    stub = StubServer(answer="TOTAL 16.50")
    try:

        def vlm_retrying() -> bool:
            body = httpx.get(f"{srv.url}/readyz").json()
            return body["engines"]["vlm"]["status"] == "retrying"

        wait_until(vlm_retrying, 60)
        ready = httpx.get(f"{srv.url}/readyz")
        body = ready.json()
        assert ready.status_code == 503 and ready.headers["Retry-After"]
        assert body["status"] == "starting" and body["engines"]["ocr"]["status"] == "ready"
        assert body["detail"].startswith("vlm: ")
        ocr = httpx.post(f"{srv.url}/v1/ocr", json={"image": b64(receipt_png)}, timeout=60)
        assert ocr.status_code == 200 and "TOTAL" in ocr.json()["pages"][0]["text"]
        early = _ask(srv.url, receipt_png)
        assert early.status_code == 503 and early.headers["Retry-After"]
        assert early.json()["error"]["code"] == "not_ready"

        stub.start(port)  # the backend comes up after the server
        assert srv.wait_ready(60)["engines"]["vlm"]["status"] == "ready"
        answer = _ask(srv.url, receipt_png)
        assert answer.status_code == 200 and answer.json()["text"] == "TOTAL 16.50"
    finally:
        stub.stop()
        srv.stop()


@pytest.fixture(scope="module")
def no_vlm_server() -> Iterator[BackgroundServer]:
    srv = start_in_thread(create_app(Settings(server=ServerOptions()), ui=False))
    srv.wait_ready()
    yield srv
    srv.stop()


def test_no_vlm_configured_is_a_permanent_501_that_says_how(
    no_vlm_server: BackgroundServer, receipt_png: bytes
) -> None:
    """Issue 20: 503 + Retry-After made clients retry forever; nothing changes until restart."""
    extract = httpx.post(
        f"{no_vlm_server.url}/v1/extract", json={"image": b64(receipt_png)}, timeout=30
    )
    for response in (
        _ask(no_vlm_server.url, receipt_png),
        _chat(no_vlm_server.url, receipt_png),
        extract,
    ):
        assert response.status_code == 501, response.text
        assert "Retry-After" not in response.headers
        error = response.json()["error"]
        assert error["code"] == "vlm_not_configured"
        assert "--vlm" in error["hint"] and "VLOCR_VLM__" in error["hint"]
    ready = httpx.get(f"{no_vlm_server.url}/readyz", timeout=10)
    assert ready.status_code == 200 and "vlm" not in ready.json()["engines"]


@pytest.fixture(scope="module")
def small_io_server() -> Iterator[tuple[BackgroundServer, StubServer]]:
    stub = StubServer().start()
    vlm = VlmOptions(backend="openai", model="stub-vl", base_url=stub.base_url, retries=0)
    settings = Settings(io=IoOptions(max_pixels=10_000))
    srv = start_in_thread(create_app(settings, vlm=vlm, ui=False))
    srv.wait_ready()
    yield srv, stub
    srv.stop()
    stub.stop()


@pytest.mark.parametrize("route", [_ask, _chat])
def test_io_limits_apply_to_the_vlm_routes(
    small_io_server: tuple[BackgroundServer, StubServer], receipt_png: bytes, route
) -> None:  # type: ignore[no-untyped-def]
    srv, stub = small_io_server
    before = len(stub.requests)
    response = route(srv.url, receipt_png)
    assert response.status_code == 413, response.text
    assert "VLOCR_IO__MAX_PIXELS" in response.json()["error"]["hint"]
    assert len(stub.requests) == before, "the model is not asked about a refused image"
