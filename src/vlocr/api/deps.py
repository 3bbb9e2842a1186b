"""Shared route helpers: the app state, the readiness check, and body parsing into models."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from vlocr.api.http.errors import ApiError
from vlocr.api.state import AppState
from vlocr.errors import EngineUnavailableError

M = TypeVar("M", bound=BaseModel)


def get_state(request: Request) -> AppState:
    return request.app.state.vlocr  # type: ignore[no-any-return]


def require_ready(state: AppState, engine: str = "ocr") -> None:
    """503 + Retry-After until ``engine`` warmed up; the other engine does not matter (OCR serves
    while a late VLM backend is still being retried)."""
    if state.ready.engine_ready(engine):
        return
    status = state.ready.engines[engine]
    if status.status == "failed":
        raise EngineUnavailableError(
            f"the {engine} engine failed to load: {status.detail}",
            "check the server log and its configuration",
        )
    what = {"ocr": "its OCR engine", "vlm": "the vision-language model"}.get(engine, engine)
    raise ApiError(
        503,
        "not_ready",
        f"server is still loading {what}" + (f": {status.detail}" if status.attempts else ""),
        "retry in a few seconds; GET /readyz says when it is ready",
        headers={"Retry-After": "5"},
    )


def require_vlm(state: AppState) -> None:
    """No VLM configured: a permanent 501 ``vlm_not_configured`` without Retry-After (retrying
    cannot help until an admin restarts the server with a model), saying how to configure one."""
    if state.vlm is None:
        raise ApiError(
            501,
            "vlm_not_configured",
            "no vision-language model is configured on this server",
            "restart it with one: 'vlocr serve --vlm transformers --model <dir or hub id>' or "
            "'--vlm openai --base-url URL --model NAME' (or set VLOCR_VLM__BACKEND, "
            "VLOCR_VLM__MODEL, VLOCR_VLM__BASE_URL); /v1/ocr works without one",
        )
    require_ready(state, "vlm")


def parse_json_body(model: type[M], body: bytes) -> M:
    """Validate raw JSON into ``model``; errors become the API's 422 shape."""
    try:
        return model.model_validate_json(body or b"null")
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from None


def token_cap(state: AppState, requested: int | None) -> int | None:
    """The server's configured max_new_tokens is a ceiling a request cannot raise (keeps one
    request from occupying a worker for minutes)."""
    ceiling = state.vlm.max_new_tokens if state.vlm else None
    if requested is None or ceiling is None:
        return requested if requested is not None else ceiling
    return min(requested, ceiling)
