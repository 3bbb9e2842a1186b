"""Cancellation of work a caller gave up on (a server timeout, a client that went away).

The server's gate runs each request in a worker thread inside ``scope(token)``; long loops below it
(PDF pages, OCR pages, token generation) call ``current()`` and stop once the token is cancelled,
so a 504 or a closed connection frees the worker instead of burning it for minutes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from vlocr.errors import EngineTimeoutError

_local = threading.local()


class CancelToken:
    """A thread-safe flag with the reason it was raised."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = ""

    def cancel(self, reason: str = "the request was cancelled") -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise ``EngineTimeoutError`` once cancelled; a no-op otherwise."""
        if self._event.is_set():
            raise EngineTimeoutError(
                f"stopped: {self.reason}", "send a smaller input or raise --timeout"
            )


def current() -> CancelToken | None:
    """The token of the work running on this thread, if any."""
    return getattr(_local, "token", None)


def check() -> None:
    token = current()
    if token is not None:
        token.check()


@contextmanager
def scope(token: CancelToken) -> Iterator[CancelToken]:
    previous = current()
    _local.token = token
    try:
        yield token
    finally:
        _local.token = previous
