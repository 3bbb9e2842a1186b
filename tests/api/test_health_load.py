"""Health, readiness, metrics, and a 64-request burst against 2 workers + queue 4."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import psutil
from api_helpers import b64, png_bytes, wait_until

from vlocr.api.app import create_app
from vlocr.api.http.background import start_in_thread
from vlocr.config import ServerOptions, Settings


def test_readyz_waits_for_warm_up_and_healthz_never_does(slow) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(ocr_engine="test-slow", server=ServerOptions()), ui=False)
    srv = start_in_thread(app)
    try:
        assert slow.started.acquire(timeout=20)  # warm-up is inside the engine now
        r = httpx.get(f"{srv.url}/readyz")
        assert (
            r.status_code == 503 and r.json()["status"] == "starting" and r.headers["Retry-After"]
        )
        assert httpx.get(f"{srv.url}/healthz").json() == {"status": "ok"}
        busy = httpx.post(f"{srv.url}/v1/ocr", json={"image": "AAAA"})
        assert busy.status_code == 503 and busy.json()["error"]["code"] == "not_ready"
        slow.release()
        body = srv.wait_ready(30)
        assert body["status"] == "ready" and body["warmup_ms"]["ocr"] > 0
    finally:
        slow.release()
        srv.stop()


def test_metrics_expose_requests_errors_latency_and_gate(main_server, receipt_png: bytes) -> None:  # type: ignore[no-untyped-def]
    httpx.post(f"{main_server.url}/v1/ocr", json={"image": "%%"}, timeout=30)
    text = httpx.get(f"{main_server.url}/metrics").text
    assert 'vlocr_requests_total{endpoint="/v1/ocr",method="POST",status="422"}' in text
    assert 'vlocr_errors_total{endpoint="/v1/ocr",status="422"}' in text
    assert 'vlocr_request_duration_seconds_bucket{endpoint="/v1/ocr",le="0.5"}' in text
    assert (
        "vlocr_queue_depth 0.0" in text and "vlocr_in_flight" in text and "vlocr_ready 1.0" in text
    )


def test_burst_of_64_gets_200_or_503_and_health_stays_up(main_server) -> None:  # type: ignore[no-untyped-def]
    image = np.full((60, 220, 3), 255, np.uint8)
    image[20:40, 20:200] = 0
    body = {"image": b64(png_bytes(image))}
    process = psutil.Process()
    rss_before = process.memory_info().rss
    health: list[int] = []
    done = threading.Event()

    def probe() -> None:
        with httpx.Client(timeout=10) as c:
            while not done.is_set() and len(health) < 500:
                health.append(c.get(f"{main_server.url}/healthz").status_code)
                done.wait(0.05)

    prober = threading.Thread(target=probe)
    prober.start()

    def call(_: int) -> int:
        return httpx.post(f"{main_server.url}/v1/ocr", json=body, timeout=120).status_code

    with ThreadPoolExecutor(max_workers=64) as pool:
        statuses = list(pool.map(call, range(64)))
    done.set()
    prober.join(15)
    assert len(statuses) == 64
    assert set(statuses) <= {200, 503}, statuses
    assert statuses.count(200) >= 2  # at least the admitted ones were served
    assert health and set(health) == {200}
    assert httpx.get(f"{main_server.url}/healthz").status_code == 200
    wait_until(lambda: "vlocr_in_flight 0.0" in httpx.get(f"{main_server.url}/metrics").text)
    assert process.memory_info().rss - rss_before < 500 * 1024 * 1024
