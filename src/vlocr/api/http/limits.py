"""Request body cap as a pure ASGI middleware: 413 from Content-Length, or while the body streams."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TooLarge(Exception):
    pass


def _too_large_body(limit: int) -> bytes:
    return json.dumps(
        {
            "error": {
                "type": "BodyTooLargeError",
                "code": "body_too_large",
                "message": f"request body is larger than {limit} bytes",
                "hint": "send a smaller file (downscale the image or split the PDF), or raise the server's max_body_bytes",
            }
        }
    ).encode()


class BodySizeLimit:
    """Reject bodies over ``limit`` bytes. ``per_path`` holds ``(prefix, limit)`` pairs, first
    match wins (the web page's uploads and events have their own caps)."""

    def __init__(
        self, app: ASGIApp, limit: int, per_path: tuple[tuple[str, int], ...] = ()
    ) -> None:
        self.app = app
        self.limit = limit
        self.per_path = per_path

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.per_path:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return limit
        return self.limit

    async def _reject(self, send: Send, limit: int) -> None:
        body = _too_large_body(limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await self._reject(send, limit)
                    return
        seen = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise _TooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # drop whatever the app made of the broken body; 413 follows
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._reject(send, limit)
