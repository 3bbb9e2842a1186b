"""Prometheus metrics: requests and errors by endpoint and status, latency, queue depth, in-flight.

Each app gets its own registry, so several apps (tests) can live in one process.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from vlocr.service.gate import Gate

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class Metrics:
    def __init__(self) -> None:
        disable_created_metrics()  # the *_created series only add noise to scrapes
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "vlocr_requests",
            "HTTP requests by endpoint, method and status",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.errors = Counter(
            "vlocr_errors",
            "HTTP error responses (status >= 400)",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "vlocr_request_duration_seconds",
            "Request latency by endpoint",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "vlocr_queue_depth", "Requests waiting for a worker", registry=self.registry
        )
        self.in_flight = Gauge(
            "vlocr_in_flight", "Requests running inference now", registry=self.registry
        )
        self.workers = Gauge(
            "vlocr_workers", "Worker slots (requests processed at once)", registry=self.registry
        )
        self.ready = Gauge(
            "vlocr_ready", "1 once engines are loaded and warmed up", registry=self.registry
        )
        self.failed_samples = Counter(
            "vlocr_failed_samples", "Inputs saved for review", registry=self.registry
        )

    def bind_gate(self, gate: Gate) -> None:
        self.queue_depth.set_function(lambda: gate.waiting)
        self.in_flight.set_function(lambda: gate.running)
        self.workers.set(gate.workers)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def endpoint_label(scope: Scope, known: frozenset[str] = frozenset()) -> str:
    """The route template (``/v1/ocr``), never an unknown raw path, so labels stay few."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str) and path:
        return path
    raw = scope.get("path", "")
    if raw in known:
        return raw
    if raw.startswith("/ui"):
        return "/ui"
    return "other"


class MetricsMiddleware:
    def __init__(
        self, app: ASGIApp, metrics: Metrics, known_paths: frozenset[str] = frozenset()
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.known = known_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        start = time.perf_counter()

        async def record_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_send)
        finally:
            endpoint = endpoint_label(scope, self.known)
            self.metrics.requests.labels(endpoint, scope.get("method", ""), str(status)).inc()
            if status >= 400:
                self.metrics.errors.labels(endpoint, str(status)).inc()
            self.metrics.latency.labels(endpoint).observe(time.perf_counter() - start)
