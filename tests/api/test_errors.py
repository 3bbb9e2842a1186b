"""Every error status over real HTTP, always as {error: {type, code, message, hint}}."""

from __future__ import annotations

import threading

import httpx
import numpy as np
import pytest
from api_helpers import b64, png_bytes, wait_until


def _error(r: httpx.Response, status: int, code: str) -> dict[str, str]:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code
    assert err["message"] and set(err) >= {"type", "code", "message", "hint"}
    assert "Traceback" not in r.text
    return err


def test_413_from_content_length(main_server) -> None:
    big = b"x" * (3 * 1024 * 1024 + 10)
    r = httpx.post(
        f"{main_server.url}/v1/ocr",
        content=big,
        headers={"content-type": "application/json"},
        timeout=30,
    )
    err = _error(r, 413, "body_too_large")
    assert "max_body_bytes" in err["hint"]


def test_413_counted_while_streaming_without_length(main_server) -> None:
    def chunks():  # chunked transfer: no Content-Length header to check
        yield b'{"image": "'
        for _ in range(40):
            yield b"A" * (100 * 1024)
        yield b'"}'

    r = httpx.post(
        f"{main_server.url}/v1/ocr",
        content=chunks(),
        headers={"content-type": "application/json"},
        timeout=30,
    )
    _error(r, 413, "body_too_large")


def test_415_for_bytes_that_are_no_image(main_server) -> None:
    err = _error(
        httpx.post(
            f"{main_server.url}/v1/ocr",
            json={"image": b64(b"hello, this is plain text\n" * 4)},
            timeout=30,
        ),
        415,
        "unsupported_format",
    )
    assert "PNG" in err["hint"]
    r = httpx.post(
        f"{main_server.url}/v1/ocr",
        files={"file": ("notes.txt", b"just text", "text/plain")},
        timeout=30,
    )
    _error(r, 415, "unsupported_format")
    _error(
        httpx.post(
            f"{main_server.url}/v1/ocr", content=b"abc", headers={"content-type": "text/plain"}
        ),
        415,
        "unsupported_media_type",
    )


@pytest.mark.parametrize(
    ("payload", "code", "needle"),
    [
        ({"image": "%%% not base64 %%%"}, "invalid_image", "base64"),
        ({"image": b64(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)}, "invalid_image", ""),
        ({"image": "http://example.com/receipt.png"}, "invalid_option", "url_allowlist"),
        (
            {"image": "AAAA", "region": [0, 0, -5, 10]},
            "invalid_option",
            "region",
        ),  # as the CLI says it
        ({"image": "AAAA", "pdf_dpi": 5}, "invalid_request", "pdf_dpi"),
        ({"image": "AAAA", "bogus": 1}, "invalid_request", "bogus"),
        ({}, "invalid_request", "image"),
    ],
)
def test_422_for_bad_input(main_server, payload: dict, code: str, needle: str) -> None:
    r = httpx.post(f"{main_server.url}/v1/ocr", json=payload, timeout=30)
    err = _error(r, 422, code)
    assert needle in err["message"] + err["hint"]


def test_a_path_string_is_never_read_from_the_server_disk(main_server) -> None:
    r = httpx.post(f"{main_server.url}/v1/ocr", json={"image": "/etc/passwd"}, timeout=30)
    _error(r, 415, "unsupported_format")  # decoded as (garbage) base64, never opened as a file
    assert "root:" not in r.text


def test_422_for_region_outside_image_and_unknown_engine(main_server, receipt_png: bytes) -> None:
    err = _error(
        httpx.post(
            f"{main_server.url}/v1/ocr",
            json={"image": b64(receipt_png), "region": [5000, 0, 10, 10]},
            timeout=30,
        ),
        422,
        "invalid_option",
    )
    assert "outside" in err["message"]
    err = _error(
        httpx.post(
            f"{main_server.url}/v1/ocr",
            json={"image": b64(receipt_png), "engine": "nope"},
            timeout=30,
        ),
        422,
        "invalid_option",
    )
    assert "rapidocr" in err["hint"]


def test_500_is_generic_and_leaks_nothing(main_server, receipt_png: bytes) -> None:
    r = httpx.post(
        f"{main_server.url}/v1/ocr",
        json={"image": b64(receipt_png), "engine": "test-boom"},
        timeout=30,
    )
    err = _error(r, 500, "internal_error")
    assert "secret" not in r.text and "/etc" not in r.text
    assert err["message"] == "internal server error"


def test_404_and_vlm_not_configured(main_server) -> None:
    _error(httpx.get(f"{main_server.url}/v1/nothing-here"), 404, "not_found")
    err = _error(
        httpx.post(f"{main_server.url}/v1/ask", json={"image": "AAAA", "question": "total?"}),
        501,
        "vlm_not_configured",
    )
    assert "--vlm" in err["hint"]


def test_401_without_or_with_wrong_key(tight_server, receipt_png: bytes) -> None:
    url = f"{tight_server.url}/v1/ocr"
    err = _error(httpx.post(url, json={"image": b64(receipt_png)}), 401, "unauthorized")
    assert "Bearer" in err["hint"]
    _error(
        httpx.post(
            url, json={"image": b64(receipt_png)}, headers={"Authorization": "Bearer wrong"}
        ),
        401,
        "unauthorized",
    )
    ok = httpx.post(
        url,
        json={"image": b64(receipt_png)},
        headers={"Authorization": "Bearer secret"},
        timeout=60,
    )
    assert ok.status_code == 200 and "TOTAL" in ok.json()["pages"][0]["text"]
    assert httpx.get(f"{tight_server.url}/healthz").status_code == 200  # never behind the key


def test_503_with_retry_after_when_gate_is_full(tight_server, slow) -> None:
    """1 worker + 1 queue slot: the third concurrent request is turned away at once."""
    auth = {"Authorization": "Bearer secret"}
    body = {"image": b64(png_bytes(np.full((40, 40, 3), 255, np.uint8))), "engine": "test-slow"}
    results: list[httpx.Response] = []

    def call() -> None:
        results.append(
            httpx.post(f"{tight_server.url}/v1/ocr", json=body, headers=auth, timeout=30)
        )

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    assert slow.started.acquire(timeout=10)  # one request is running in the engine

    def queued() -> bool:
        text = httpx.get(f"{tight_server.url}/metrics").text
        return "vlocr_queue_depth 1.0" in text and "vlocr_in_flight 1.0" in text

    wait_until(queued)
    r = httpx.post(f"{tight_server.url}/v1/ocr", json=body, headers=auth, timeout=30)
    err = _error(r, 503, "server_busy")
    assert r.headers["Retry-After"].isdigit()
    assert "--workers" in err["hint"]
    slow.release()
    for t in threads:
        t.join(30)
    assert sorted(x.status_code for x in results) == [200, 200]


def test_504_when_the_work_outlasts_the_timeout(timeout_server, slow) -> None:
    body = {"image": b64(png_bytes(np.full((40, 40, 3), 255, np.uint8))), "engine": "test-slow"}
    r = httpx.post(f"{timeout_server.url}/v1/ocr", json=body, timeout=30)
    err = _error(r, 504, "timeout")
    assert "--timeout" in err["hint"]
    assert httpx.get(f"{timeout_server.url}/healthz").status_code == 200
    metrics = httpx.get(f"{timeout_server.url}/metrics").text
    assert 'vlocr_errors_total{endpoint="/v1/ocr",status="504"} 1.0' in metrics
