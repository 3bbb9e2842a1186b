"""Liveness, readiness and metrics: never behind the gate or the API key."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from vlocr.api.deps import get_state
from vlocr.api.schemas import EngineStatus, HealthResponse, ReadyResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthResponse, summary="Liveness: the process answers")
async def healthz() -> HealthResponse:
    return HealthResponse(status="ok")


@router.get(
    "/readyz",
    response_model=ReadyResponse,
    summary="Readiness: engines loaded and one real inference done",
    responses={503: {"model": ReadyResponse, "description": "Still loading, or loading failed"}},
)
async def readyz(request: Request) -> JSONResponse:
    from vlocr.api.http.auth import has_valid_key
    from vlocr.api.routes.openai import model_id

    state = get_state(request)
    # The full model setting can be a path on this server: only key holders see it.
    trusted = bool(state.keys) and has_valid_key(request, state.keys)
    body = ReadyResponse(
        status=state.ready.status,  # type: ignore[arg-type]
        detail=state.ready.detail,
        ocr_engine=state.settings.ocr_engine,
        vlm_model=(state.vlm.model if trusted else model_id(state)) if state.vlm else None,
        warmup_ms=dict(state.ready.warmup_ms),
        engines={
            name: EngineStatus(status=e.status, detail=e.detail, attempts=e.attempts)  # type: ignore[arg-type]
            for name, e in state.ready.engines.items()
        },
    )
    code = 200 if state.ready.status == "ready" else 503
    headers = {"Retry-After": "5"} if code == 503 else None
    return JSONResponse(body.model_dump(), status_code=code, headers=headers)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    data, content_type = get_state(request).metrics.render()
    return Response(data, media_type=content_type)
