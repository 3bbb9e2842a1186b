"""The concurrency gate frees a finished stream's worker slot before the stream returns."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from vlocr.service.gate import Gate


class _LingeringThreads(ThreadPoolExecutor):
    """Worker threads that stay busy a moment after their function returned (a loaded machine
    schedules them late): the stream's last piece arrives before its thread is done."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        def then_linger() -> Any:
            result = fn(*args, **kwargs)
            time.sleep(0.3)
            return result

        return super().submit(then_linger)


def test_a_finished_stream_frees_its_slot_before_it_returns() -> None:
    gate = Gate(workers=1, queue=0, timeout_s=5)
    gate.executor.shutdown()
    gate.executor = _LingeringThreads(max_workers=1)

    async def consume() -> tuple[list[str], int]:
        pieces = [piece async for piece in gate.stream(lambda: iter(["a", "b"]))]
        return pieces, gate.running  # the loop closes right after (asyncio.run, a test, a CLI)

    pieces, running = asyncio.run(consume())
    assert pieces == ["a", "b"] and running == 0
    assert asyncio.run(gate.run(lambda: 42)) == 42  # the one slot is free again
    gate.shutdown()
