"""The concurrency gate frees a finished call's or stream's worker slot before it returns, on any loop."""

from __future__ import annotations

import asyncio
import threading
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


def test_a_finished_call_frees_its_slot_before_it_returns() -> None:
    gate = Gate(workers=1, queue=0, timeout_s=5)
    gate.executor.shutdown()
    gate.executor = _LingeringThreads(max_workers=1)
    # each call on its own event loop, closed right after (the page's handlers under a test, a CLI)
    assert asyncio.run(gate.run(lambda: 1)) == 1
    assert asyncio.run(gate.run(lambda: 2)) == 2  # the one slot came back with the first result
    gate.shutdown()


def test_a_slot_freed_on_one_loop_reaches_a_waiter_on_another() -> None:
    gate = Gate(workers=1, queue=1, timeout_s=5)
    started = threading.Event()
    finish = threading.Event()

    def hold() -> str:
        started.set()
        finish.wait(5)
        return "held"

    holder = threading.Thread(target=lambda: results.append(asyncio.run(gate.run(hold))))
    results: list[str] = []
    holder.start()
    assert started.wait(5)

    async def wait_then_run() -> str:
        task = asyncio.ensure_future(gate.run(lambda: "next"))
        await asyncio.sleep(0.2)
        assert gate.waiting == 1
        finish.set()
        return await task

    assert asyncio.run(wait_then_run()) == "next"
    holder.join(5)
    assert results == ["held"] and gate.running == 0
    gate.shutdown()
