"""One error body for every failure: ``{"error": {type, code, message, hint}}``, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vlocr.errors import StatusError, VlocrError

log = logging.getLogger("vlocr.api")


ApiError = StatusError  # HTTP-level failures (auth, body size, readiness)


def error_body(err_type: str, code: str, message: str, hint: str = "") -> dict[str, Any]:
    return {"error": {"type": err_type, "code": code, "message": message, "hint": hint}}


def error_response(err: VlocrError) -> JSONResponse:
    data = err.to_dict()
    body = error_body(str(data["type"]), err.code, err.message, err.hint)
    if err.source and not str(err.source).startswith("<"):
        body["error"]["source"] = err.source
    headers = getattr(err, "headers", None) or {}
    return JSONResponse(body, status_code=err.http_status, headers=headers)


def _validation_message(exc: RequestValidationError) -> tuple[str, str]:
    parts = []
    for item in exc.errors()[:5]:
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request", "see the request schema at /docs"


def _internal_error() -> JSONResponse:
    return JSONResponse(
        error_body(
            "InternalError",
            "internal_error",
            "internal server error",
            "the error was logged on the server; try again or report it",
        ),
        status_code=500,
    )


class CatchAll:
    """Answer an unexpected exception with the JSON 500 here, without re-raising it.

    Starlette's outermost error middleware re-raises after answering, and uvicorn then drops the
    keep-alive connection; a bug should cost one request, not the client's connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if started:
                raise
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            await _internal_error()(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Map typed errors to their status, validation to 422, and anything else to a generic 500."""

    @app.exception_handler(VlocrError)
    async def _vlocr(_: Request, exc: VlocrError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, hint = _validation_message(exc)
        return JSONResponse(
            error_body("RequestValidationError", "invalid_request", message, hint), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else "request failed"
        return JSONResponse(
            error_body("HTTPException", code, detail),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _internal_error()
