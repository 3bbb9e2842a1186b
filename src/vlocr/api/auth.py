"""Optional Bearer keys: constant-time comparison, 401 with a hint when missing or wrong."""

from __future__ import annotations

import hmac
import ipaddress
import logging

from fastapi import Request

from vlocr.api.errors import ApiError

log = logging.getLogger("vlocr.api")


def key_matches(given: str, keys: list[str]) -> bool:
    """True when ``given`` equals one of ``keys``; every key is compared, in constant time."""
    ok = False
    for key in keys:
        ok |= hmac.compare_digest(given.encode("utf-8", "replace"), key.encode("utf-8", "replace"))
    return ok


class ApiKeyCheck:
    """A FastAPI dependency; with no keys configured it lets everything through."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = [k for k in keys if k]

    def __call__(self, request: Request) -> None:
        if not self.keys:
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if (
            scheme.lower() != "bearer"
            or not token.strip()
            or not key_matches(token.strip(), self.keys)
        ):
            raise ApiError(
                401,
                "unauthorized",
                "missing or invalid API key",
                "send the header 'Authorization: Bearer <key>' with a key from VLOCR_API_KEYS",
                headers={"WWW-Authenticate": "Bearer"},
            )


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
