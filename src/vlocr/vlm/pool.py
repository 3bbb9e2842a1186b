"""Several OpenAI-compatible servers (vLLM, Ollama, ``vlocr serve`` nodes) behind one engine.

A batch of thousands of pages keeps every server busy but none overloaded: each endpoint takes at
most ``max_concurrency`` requests at once; a request that meets a dead server, a 429/5xx or a
timeout is sent to another endpoint after a backoff, and the failing endpoint rests (1 s, doubling
to 30 s) before it is tried again. A refusal (other 4xx) is final: asking elsewhere would not help.

It lives in ``vlm/`` rather than ``batch/`` because the factory builds it from ``VlmOptions`` like
any engine, so ``service.ask``/``extract`` (and the server) use it without knowing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from vlocr.config import VlmOptions
from vlocr.errors import EngineTimeoutError, EngineUnavailableError, VlocrError
from vlocr.vlm.base import Generation, StreamEvent
from vlocr.vlm.openai_engine import OpenAIEngine

MAX_REST_S = 30.0


@dataclass
class Endpoint:
    url: str
    engine: OpenAIEngine
    limit: int
    inflight: int = 0
    failures: int = 0  # consecutive
    down_until: float = 0.0
    answered: int = 0
    failed: int = 0


def _retryable(err: VlocrError) -> bool:
    if isinstance(err, EngineTimeoutError):
        return True
    status = getattr(err, "status_code", None)
    return isinstance(err, EngineUnavailableError) and (status is None or status == 429)


class EndpointPool:
    """A ``VlmEngine`` that spreads requests over ``options.base_urls`` with failover."""

    name = "openai"

    def __init__(self, options: VlmOptions, *, backoff_s: float = 0.5) -> None:
        urls = list(dict.fromkeys(options.base_urls or [options.base_url]))
        single = {"base_urls": [], "retries": 0}  # the pool retries, across endpoints
        self.endpoints = [
            Endpoint(
                url,
                OpenAIEngine(options.model_copy(update={**single, "base_url": url})),
                options.max_concurrency,
            )
            for url in urls
        ]
        self.model = options.model
        self.options = options
        self.backoff_s = backoff_s
        self.attempts = max(options.retries + 1, len(urls) + 1)
        self._cond = threading.Condition()

    def close(self) -> None:
        for ep in self.endpoints:
            ep.engine.close()

    def stats(self) -> dict[str, dict[str, int]]:
        return {ep.url: {"answered": ep.answered, "failed": ep.failed} for ep in self.endpoints}

    # ---- choosing an endpoint ----------------------------------------------------------------

    def _acquire(self) -> Endpoint:
        """The least busy endpoint that is up and has a free slot; waits while there is none."""
        with self._cond:
            while True:
                now = time.monotonic()
                up = [ep for ep in self.endpoints if ep.down_until <= now]
                free = [ep for ep in up if ep.inflight < ep.limit]
                if free:
                    chosen = min(free, key=lambda ep: (ep.inflight, ep.failures))
                    chosen.inflight += 1
                    return chosen
                wake = min((ep.down_until for ep in self.endpoints), default=now) - now
                self._cond.wait(timeout=min(max(wake, 0.01), 1.0) if not up else 1.0)

    def _release(self, ep: Endpoint, error: VlocrError | None) -> None:
        with self._cond:
            ep.inflight -= 1
            if error is None:
                ep.failures, ep.down_until = 0, 0.0
                ep.answered += 1
            else:
                ep.failures += 1
                ep.failed += 1
                rest = min(MAX_REST_S, self.backoff_s * 2 ** (ep.failures - 1) * 2)
                ep.down_until = time.monotonic() + rest
            self._cond.notify_all()

    def _call(self, fn: Any) -> Any:
        last: VlocrError | None = None
        for attempt in range(self.attempts):
            if attempt and all(ep.failures for ep in self.endpoints):
                time.sleep(min(MAX_REST_S, self.backoff_s * 2 ** (attempt - 1)))
            ep = self._acquire()
            try:
                result = fn(ep.engine)
            except VlocrError as err:
                self._release(ep, err)
                if not _retryable(err):
                    raise
                last = err
                continue
            self._release(ep, None)
            return result
        urls = ", ".join(ep.url for ep in self.endpoints)
        raise EngineUnavailableError(
            f"no VLM server answered after {self.attempts} attempts ({urls}); last: "
            f"{last.message if last else 'no attempt'}",
            "start the servers or fix --base-url",
        )

    # ---- VlmEngine ---------------------------------------------------------------------------

    def generate(
        self,
        messages: list[dict[str, Any]],
        *,
        images: list[np.ndarray],
        max_new_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        json_schema: dict[str, Any] | None = None,
        stop_on_loop: bool = True,
    ) -> Generation:
        result: Generation = self._call(
            lambda engine: engine.generate(
                messages,
                images=images,
                max_new_tokens=max_new_tokens,
                temperature=temperature,
                top_p=top_p,
                json_schema=json_schema,
                stop_on_loop=stop_on_loop,
            )
        )
        return result

    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        images: list[np.ndarray],
        max_new_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        stop_on_loop: bool = True,
    ) -> Iterator[StreamEvent]:
        """Fails over until the first event arrives; after that the stream stays where it is.
        The endpoint's final ``Generation`` (usage, finish reason) ends the stream as always."""

        def opened(engine: OpenAIEngine) -> tuple[StreamEvent, Iterator[StreamEvent]]:
            events = engine.stream(
                messages,
                images=images,
                max_new_tokens=max_new_tokens,
                temperature=temperature,
                top_p=top_p,
                stop_on_loop=stop_on_loop,
            )
            return next(events), events  # an empty answer's first event is its Generation

        first, rest = self._call(opened)
        yield first
        yield from rest
