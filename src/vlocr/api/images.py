"""Turn an image field of a request into bytes: base64, a data: URL, or an allow-listed URL.

A string is never treated as a server path (that would let clients read the server's files), and
a URL is fetched only when its host is in ``url_allowlist``, with a byte cap and no redirects.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from vlocr.errors import (
    EngineTimeoutError,
    ImageTooLargeError,
    InvalidImageError,
    InvalidOptionError,
    VlocrError,
)

if TYPE_CHECKING:
    from vlocr.service.gate import Gate

_WS = re.compile(r"\s+")
FETCH_TIMEOUT_S = 20.0


def is_url(text: str) -> bool:
    return text.lstrip()[:8].lower().startswith(("http://", "https://"))


def decode_inline(text: str, *, max_bytes: int, field: str = "image") -> bytes:
    """Base64 or ``data:...;base64,`` text -> bytes; 422 with a hint for anything else."""
    stripped = text.strip()
    if not stripped:
        raise InvalidImageError(f"'{field}' is empty", "send the image as base64 or a data: URL")
    if stripped[:5].lower() == "data:":
        header, sep, payload = stripped.partition(",")
        if not sep or not header.lower().endswith(";base64"):
            raise InvalidImageError(
                f"'{field}' is a data: URL without a ';base64,' payload",
                "use data:image/png;base64,<base64 bytes>",
            )
        stripped = payload
    clean = _WS.sub("", stripped)
    if len(clean) * 3 // 4 > max_bytes + 3:
        raise ImageTooLargeError(
            f"'{field}' holds more than {max_bytes} bytes", "send a smaller image"
        )
    try:
        if "-" in clean or "_" in clean:
            data = base64.urlsafe_b64decode(clean + "=" * (-len(clean) % 4))
        else:
            data = base64.b64decode(clean + "=" * (-len(clean) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidImageError(
            f"'{field}' is not valid base64",
            "send the file's bytes base64-encoded, a data: URL, or upload it as multipart/form-data",
        ) from None
    if not data:
        raise InvalidImageError(f"'{field}' decodes to 0 bytes", "send a non-empty image")
    return data


def host_allowed(url: str, allowlist: list[str]) -> bool:
    host = (urlsplit(url.strip()).hostname or "").lower()
    return bool(host) and host in {h.strip().lower() for h in allowlist if h.strip()}


def check_url(url: str, allowlist: list[str]) -> None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise InvalidOptionError(
            f"unsupported URL scheme '{parts.scheme}'", "use http(s), base64 or a data: URL"
        )
    if not allowlist:
        raise InvalidOptionError(
            "image URLs are not fetched by this server",
            "send the image inline as base64 or a data: URL (data:image/png;base64,...), or ask the admin to add the host to url_allowlist",
        )
    if not host_allowed(url, allowlist):
        raise InvalidOptionError(
            f"host '{parts.hostname}' is not in this server's url_allowlist",
            "send the image inline as base64 or a data: URL, or use an allowed host",
        )


async def fetch_url(
    url: str, *, allowlist: list[str], max_bytes: int, gate: Gate | None = None
) -> bytes:
    """GET an allow-listed URL into memory, stopping at ``max_bytes``; redirects are not followed.

    The whole fetch has one deadline (a server trickling a byte every few seconds would otherwise
    hold the request for minutes) and, with ``gate``, takes a worker slot like any other work.
    """
    check_url(url, allowlist)
    total_s = min(FETCH_TIMEOUT_S, gate.timeout_s) if gate is not None else FETCH_TIMEOUT_S
    async with contextlib.AsyncExitStack() as stack:
        if gate is not None:
            await stack.enter_async_context(gate.slot())
        try:
            return await asyncio.wait_for(_fetch(url, max_bytes), total_s)
        except asyncio.TimeoutError:
            raise EngineTimeoutError(
                f"fetching the image URL took longer than {total_s:g} s",
                "send the image inline as base64, or use a faster host",
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


async def _fetch(url: str, max_bytes: int) -> bytes:
    import httpx

    try:
        async with (
            httpx.AsyncClient(
                timeout=FETCH_TIMEOUT_S, follow_redirects=False, trust_env=False
            ) as client,
            client.stream("GET", url.strip()) as response,
        ):
            if response.status_code != 200:
                raise InvalidOptionError(
                    f"fetching the image URL gave HTTP {response.status_code}",
                    "check the URL, or send the image inline",
                )
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ImageTooLargeError(
                    f"the image at the URL is larger than {max_bytes} bytes",
                    "send a smaller image",
                )
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise ImageTooLargeError(
                        f"the image at the URL is larger than {max_bytes} bytes",
                        "send a smaller image",
                    )
                chunks.append(chunk)
    except VlocrError:
        raise
    except httpx.HTTPError as exc:
        raise InvalidOptionError(
            f"could not fetch the image URL ({type(exc).__name__})",
            "check that the URL is reachable from the server, or send the image inline",
        ) from None
    return b"".join(chunks)


async def resolve_image(
    text: str,
    *,
    allowlist: list[str],
    max_bytes: int,
    field: str = "image",
    gate: Gate | None = None,
) -> bytes:
    if is_url(text):
        return await fetch_url(text, allowlist=allowlist, max_bytes=max_bytes, gate=gate)
    return decode_inline(text, max_bytes=max_bytes, field=field)
