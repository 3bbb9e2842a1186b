"""The gate cancels what it gave up on: a 504 or a closed stream frees the worker (issue 16.5)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from vlocr import cancel
from vlocr.api.http.errors import ApiError
from vlocr.errors import EngineTimeoutError
from vlocr.service.gate import Gate


def _busy_until_cancelled(seen: list[str]) -> str:
    token = cancel.current()
    assert token is not None, "work in the gate runs under a cancel token"
    for _ in range(600):  # at most ~60 s if cancelling were broken
        if token.cancelled:
            seen.append(token.reason)
            return "stopped"
        time.sleep(0.1)
    return "ran to the end"


def test_timeout_cancels_the_work_and_frees_the_worker() -> None:
    async def main() -> tuple[int, list[str]]:
        gate = Gate(workers=1, queue=0, timeout_s=0.5)
        seen: list[str] = []
        with pytest.raises(EngineTimeoutError):
            await gate.run(_busy_until_cancelled, seen)
        for _ in range(100):
            if gate.running == 0:
                break
            await asyncio.sleep(0.05)
        gate.shutdown()
        return gate.running, seen

    running, seen = asyncio.run(main())
    assert running == 0
    assert seen and "longer than 0.5 s" in seen[0]


class _GoneClient:
    async def is_disconnected(self) -> bool:
        return True


def test_a_disconnected_client_cancels_its_work() -> None:
    async def main() -> list[str]:
        gate = Gate(workers=1, queue=0, timeout_s=30)
        seen: list[str] = []
        with pytest.raises(ApiError) as info:
            await gate.run(_busy_until_cancelled, seen, watch=_GoneClient())
        assert info.value.http_status == 499
        gate.shutdown()
        return seen

    seen = asyncio.run(main())
    deadline = time.monotonic() + 10
    while not seen and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen == ["the client closed the connection"]


def test_closing_a_stream_cancels_its_producer() -> None:
    stopped = threading.Event()

    def pieces() -> Iterator[str]:
        token = cancel.current()
        assert token is not None
        try:
            while not token.cancelled:
                yield "x"
                time.sleep(0.01)
        finally:  # cancelled, or closed by the producer (as engines' streams are)
            stopped.set()

    async def main() -> int:
        gate = Gate(workers=1, queue=0, timeout_s=30)
        stream = gate.stream(pieces)
        assert await stream.__anext__() == "x"
        await stream.aclose()  # what StreamingResponse does when the client goes away
        for _ in range(200):
            if gate.running == 0:
                break
            await asyncio.sleep(0.05)
        gate.shutdown()
        return gate.running

    assert asyncio.run(main()) == 0
    assert stopped.wait(5)


def test_draining_refuses_new_work_with_retry_after() -> None:
    async def main() -> ApiError:
        gate = Gate(workers=1, queue=1, timeout_s=30)
        gate.begin_drain(1.0)
        try:
            await gate.run(lambda: None)
        except ApiError as err:
            return err
        finally:
            gate.shutdown()
        raise AssertionError("a draining gate admitted work")

    err = asyncio.run(main())
    assert err.http_status == 503 and err.headers["Retry-After"]
