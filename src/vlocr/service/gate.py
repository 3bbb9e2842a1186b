"""The concurrency gate shared by the REST API and the web page: N requests run in worker threads, Q wait, the rest get 503 at once.

Blocking inference runs in a thread pool so the event loop keeps answering ``/healthz``. A request
that times out gets 504 right away and its work is cancelled (``vlocr.cancel``: PDF renders are
killed, generation stops at the next token); its worker slot stays taken until the thread really
finishes, so a burst of timeouts can never pile up more than N inference threads. A client that
disconnects cancels its work the same way. ``begin_drain`` (SIGTERM) refuses new and queued work
with a JSON 503 + Retry-After and gives running work a grace period before it answers 503 too.

A slot is given back by the worker thread itself when its function ends, under a lock, and a
waiter is woken on its own event loop. So no slot depends on a loop callback that a closing loop
never runs (``asyncio.run`` per call, a consumer that stops a stream early), and callers on
different loops (the page's handlers, the API's) share one gate safely.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from vlocr import cancel
from vlocr.errors import EngineTimeoutError, StatusError

T = TypeVar("T")
_TICK_S = 0.5  # how often a waiting request checks for a gone client or a shutdown


class Watchable(Protocol):
    """What the gate needs of a request: Starlette's ``Request`` has it."""

    async def is_disconnected(self) -> bool: ...


class Gate:
    """Admission control plus a thread pool; the slot counters are guarded by one lock."""

    def __init__(self, workers: int, queue: int, timeout_s: float, retry_after_s: int = 2) -> None:
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self.timeout_s = timeout_s
        self.retry_after_s = retry_after_s
        self.running = 0
        self.waiting = 0
        self._free = self.workers
        self._waiters: list[asyncio.Future[None]] = []
        self._lock = threading.Lock()
        self.draining = False
        self._drain_deadline = float("inf")
        self.executor = ThreadPoolExecutor(
            max_workers=self.workers, thread_name_prefix="vlocr-worker"
        )

    def _busy(self) -> StatusError:
        return StatusError(
            503,
            "server_busy",
            f"server is busy: {self.running} requests running and {self.waiting} waiting",
            f"retry after {self.retry_after_s} s, or start the server with more --workers/--queue",
            headers={"Retry-After": str(self.retry_after_s)},
        )

    def _shutting_down(self) -> StatusError:
        return StatusError(
            503,
            "shutting_down",
            "the server is shutting down",
            f"retry after {self.retry_after_s} s (another instance may take over)",
            headers={"Retry-After": str(self.retry_after_s)},
        )

    def begin_drain(self, grace_s: float) -> None:
        """Stop admitting work (503), fail queued requests now, running ones after ``grace_s``."""
        self.draining = True
        self._drain_deadline = time.monotonic() + grace_s
        with self._lock:
            waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            with contextlib.suppress(RuntimeError):  # its loop is gone: nobody waits there
                waiter.get_loop().call_soon_threadsafe(self._refuse, waiter)

    def _refuse(self, waiter: asyncio.Future[None]) -> None:
        if not waiter.done():
            waiter.set_exception(self._shutting_down())

    async def _acquire(self, deadline: float) -> None:
        if self.draining:
            raise self._shutting_down()
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._lock:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return
            if self.waiting >= self.queue:
                raise self._busy()
            self._waiters.append(waiter)
            self.waiting += 1
        try:
            await asyncio.wait_for(asyncio.shield(waiter), max(0.0, deadline - time.monotonic()))
        except (asyncio.TimeoutError, asyncio.CancelledError) as exc:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release()  # the slot arrived together with the timeout: pass it on
            else:
                waiter.cancel()  # a slot handed to it later is passed on by _hand
                with self._lock, contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise self._timeout("waiting in the queue") from None
        finally:
            with self._lock:
                self.waiting -= 1

    def _release(self) -> None:
        """Give one slot to the oldest live waiter, or back to the pool; safe from any thread."""
        with self._lock:
            while self._waiters:
                waiter = self._waiters.pop(0)
                if waiter.done():
                    continue
                try:
                    waiter.get_loop().call_soon_threadsafe(self._hand, waiter)
                except RuntimeError:  # its event loop is closed: nobody waits there any more
                    continue
                return
            self._free += 1

    def _hand(self, waiter: asyncio.Future[None]) -> None:
        """On the waiter's loop: wake it, or pass the slot on when it gave up meanwhile."""
        if waiter.done():
            self._release()
        else:
            waiter.set_result(None)

    def _started(self) -> None:
        with self._lock:
            self.running += 1

    def _finished(self) -> None:
        """A worker's function ended (or never started): its slot is free for the next request."""
        with self._lock:
            self.running -= 1
        self._release()

    def _timeout(self, where: str) -> EngineTimeoutError:
        return EngineTimeoutError(
            f"request took longer than {self.timeout_s:g} s ({where})",
            "send a smaller image or fewer pages, or raise the server's request timeout (--timeout)",
        )

    async def run(
        self, fn: Callable[..., T], *args: Any, watch: Watchable | None = None, **kwargs: Any
    ) -> T:
        """Run ``fn`` in a worker thread once admitted; 503 when full, 504 past the deadline.

        With ``watch`` (the request), a client that disconnects cancels the work.
        """
        deadline = time.monotonic() + self.timeout_s
        await self._acquire(deadline)
        loop = asyncio.get_running_loop()
        token = cancel.CancelToken()

        def call() -> T:
            try:
                with cancel.scope(token):
                    return fn(*args, **kwargs)
            finally:
                self._finished()  # from this thread: the slot is free once the work really ended

        self._started()
        try:
            future = loop.run_in_executor(self.executor, call)
        except BaseException:
            self._finished()
            raise
        return await self._wait(future, deadline, token, watch)

    async def _wait(
        self,
        future: asyncio.Future[T],
        deadline: float,
        token: cancel.CancelToken,
        watch: Watchable | None,
    ) -> T:
        try:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    token.cancel(f"the request took longer than {self.timeout_s:g} s")
                    raise self._timeout("still working")
                if self.draining and now >= self._drain_deadline:
                    token.cancel("the server is shutting down")
                    raise self._shutting_down()
                try:
                    return await asyncio.wait_for(
                        asyncio.shield(future), min(deadline - now, _TICK_S)
                    )
                except asyncio.TimeoutError:
                    if watch is not None and await watch.is_disconnected():
                        token.cancel("the client closed the connection")
                        raise StatusError(
                            499, "client_closed_request", "the client closed the connection"
                        ) from None
        except asyncio.CancelledError:
            token.cancel("the request was cancelled")
            raise

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one worker slot for async work (URL fetches): same 503 and queue as ``run``."""
        await self._acquire(time.monotonic() + self.timeout_s)
        self._started()
        try:
            yield
        finally:
            self._finished()

    async def stream(self, make_iter: Callable[[], Iterator[str]]) -> AsyncGenerator[str, None]:
        """Admit once, then pull chunks of a blocking iterator in a worker thread until it ends.

        The whole stream counts as one running request. When the consumer stops early (client
        gone) the producer is told to stop at the next chunk. Past the deadline it raises 504.
        """
        deadline = time.monotonic() + self.timeout_s
        await self._acquire(deadline)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        token = cancel.CancelToken()

        def produce() -> None:
            try:
                with cancel.scope(token):
                    iterator = make_iter()
                try:
                    for chunk in _scoped(iterator, token):
                        loop.call_soon_threadsafe(queue.put_nowait, ("chunk", chunk))
                        if token.cancelled:
                            break
                finally:
                    close = getattr(iterator, "close", None)
                    if close is not None:
                        close()
                loop.call_soon_threadsafe(queue.put_nowait, ("end", None))
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                with contextlib.suppress(RuntimeError):  # the consumer's loop may be closed
                    loop.call_soon_threadsafe(queue.put_nowait, ("error", exc))
            finally:
                self._finished()  # from this thread, whether or not anyone still reads

        self._started()
        try:
            future = loop.run_in_executor(self.executor, produce)
        except BaseException:
            self._finished()
            raise
        try:
            while True:
                if self.draining and time.monotonic() >= self._drain_deadline:
                    raise self._shutting_down()
                try:
                    kind, value = await asyncio.wait_for(
                        queue.get(), max(0.0, min(deadline - time.monotonic(), _TICK_S))
                    )
                except asyncio.TimeoutError:
                    if time.monotonic() >= deadline:
                        raise self._timeout("streaming") from None
                    continue
                if kind == "chunk":
                    yield value
                elif kind == "error":
                    raise value
                else:
                    await future  # the producer's thread has given its slot back
                    return
        finally:
            token.cancel("the client stopped reading the stream")

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def _scoped(iterator: Iterator[str], token: cancel.CancelToken) -> Iterator[str]:
    """Advance ``iterator`` with ``token`` as the thread's cancel token (generators run lazily)."""
    while True:
        with cancel.scope(token):
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk
