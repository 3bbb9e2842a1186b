"""Optional Bearer keys: constant-time comparison, 401 with a hint when missing or wrong."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import threading
import time
from collections import deque

from fastapi import Request

from vlocr.api.http.errors import ApiError

log = logging.getLogger("vlocr.api")


def key_matches(given: str, keys: list[str]) -> bool:
    """True when ``given`` equals one of ``keys``; every key is compared, in constant time."""
    ok = False
    for key in keys:
        ok |= hmac.compare_digest(given.encode("utf-8", "replace"), key.encode("utf-8", "replace"))
    return ok


class FailureLimiter:
    """Counts wrong keys per client; past ``limit`` in ``window_s`` that client is refused (429).

    Without it anyone reaching the port can try keys as fast as the server answers.
    """

    def __init__(self, limit: int = 10, window_s: float = 60.0, max_clients: int = 10_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_clients = max_clients
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.get(client, deque())
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def retry_after(self, client: str) -> int:
        """Seconds until ``client`` may try again; 0 when it may now."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(client, now)
            if len(times) < self.limit:
                return 0
            return max(1, int(self.window_s - (now - times[0])) + 1)

    def failed(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            if client not in self._failures and len(self._failures) >= self.max_clients:
                self._failures.clear()  # bounded memory under a spray of addresses
            times = self._recent(client, now)
            times.append(now)
            self._failures[client] = times


def too_many_failures(retry_after: int) -> ApiError:
    return ApiError(
        429,
        "too_many_failed_logins",
        "too many wrong API keys from this address",
        f"wait {retry_after} s and send a valid key",
        headers={"Retry-After": str(retry_after)},
    )


class ApiKeyCheck:
    """A FastAPI dependency; with no keys configured it lets everything through."""

    def __init__(self, keys: list[str], limiter: FailureLimiter | None = None) -> None:
        self.keys = [k for k in keys if k]
        self.limiter = limiter or FailureLimiter()

    def __call__(self, request: Request) -> None:
        if not self.keys:
            return
        client = request.client.host if request.client else "?"
        wait = self.limiter.retry_after(client)
        if wait:
            raise too_many_failures(wait)
        if not has_valid_key(request, self.keys):
            self.limiter.failed(client)
            raise ApiError(
                401,
                "unauthorized",
                "missing or invalid API key",
                "send the header 'Authorization: Bearer <key>' with a key from VLOCR_API_KEYS",
                headers={"WWW-Authenticate": "Bearer"},
            )


def has_valid_key(request: Request, keys: list[str]) -> bool:
    """True when the request carries ``Authorization: Bearer <one of keys>``."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip()) and key_matches(token.strip(), keys)


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, keys: list[str]) -> str | None:
    """The loud warning for a server reachable from other machines without any API key."""
    if keys or is_loopback(host):
        return None
    return (
        f"WARNING: vlocr is listening on {host} with NO API key: anyone who can reach this address "
        "can run OCR and the model on this machine. Set VLOCR_API_KEYS=<secret> (clients send "
        "'Authorization: Bearer <secret>') or bind to 127.0.0.1."
    )


def check_exposure(host: str, keys: list[str], allow_no_key: bool) -> str | None:
    """Off loopback a key is required: raise unless the operator explicitly allowed running
    without one, in which case the loud warning is returned for the log."""
    from vlocr.errors import InvalidOptionError

    warning = exposure_warning(host, keys)
    if warning and not allow_no_key:
        raise InvalidOptionError(
            f"refusing to listen on {host} without an API key",
            "set VLOCR_API_KEYS=<secret> (clients send 'Authorization: Bearer <secret>'), bind "
            "to 127.0.0.1, or pass --allow-no-key if the network itself is trusted",
        )
    return warning
