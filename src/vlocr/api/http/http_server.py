"""The uvicorn setup every vlocr server uses: bounded headers, header timeouts, a draining stop.

uvicorn's defaults pick httptools when installed, which accepts headers of any size (100 MB of
them grew the server by 1.6 GB), and no uvicorn protocol times out a client that sends half a
request line and then nothing. Here: h11 with a header size cap, a deadline to finish the
headers, a cap on open connections, and on SIGTERM a drain (the gate answers JSON 503 with
Retry-After) before uvicorn's own graceful stop.
"""

from __future__ import annotations

import asyncio
import logging
from types import FrameType
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("vlocr.api")

MAX_HEADER_BYTES = 64 * 1024
HEADER_TIMEOUT_S = 10.0
KEEP_ALIVE_S = 5.0
MAX_CONNECTIONS = 256
GRACEFUL_SHUTDOWN_S = 5.0


class BoundedH11Protocol(H11Protocol):
    """h11 that closes a connection whose request headers are not complete within a deadline."""

    header_timeout_s = HEADER_TIMEOUT_S

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm_header_timer()  # bytes of a (next) request arrived: its headers are due

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout_s, self._header_timeout)

    def _header_timeout(self) -> None:
        self._header_timer = None
        reading_headers = self.conn.their_state is h11.IDLE and self.conn.our_state is h11.IDLE
        idle = self.cycle is None or self.cycle.response_complete
        if reading_headers and idle and not self.transport.is_closing():
            self.transport.close()


class DrainingServer(uvicorn.Server):
    """On SIGTERM/SIGINT, tell the app's gate to drain before uvicorn stops accepting."""

    loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: Any = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().startup(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        state = getattr(getattr(self.config.app, "state", None), "vlocr", None)
        gate = getattr(state, "gate", None)
        if gate is not None and self.loop is not None and not self.should_exit:
            grace = max(0.5, self.config.timeout_graceful_shutdown or GRACEFUL_SHUTDOWN_S) - 1.0
            self.loop.call_soon_threadsafe(gate.begin_drain, max(0.5, grace))
        super().handle_exit(sig, frame)


def server_config(app: Any, *, host: str, port: int, log_level: str = "info") -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="on",
        http=BoundedH11Protocol,  # type: ignore[arg-type]
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        timeout_keep_alive=int(KEEP_ALIVE_S),
        limit_concurrency=MAX_CONNECTIONS,
        timeout_graceful_shutdown=int(GRACEFUL_SHUTDOWN_S),
    )


def serve(app: Any, *, host: str, port: int, log_level: str = "info") -> None:
    """Run until SIGTERM/SIGINT, then drain and stop."""
    DrainingServer(server_config(app, host=host, port=port, log_level=log_level)).run()
