"""``create_app``: the FastAPI application with its routes, limits, metrics and (optionally) the web page."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.responses import RedirectResponse

from vlocr.api.docs import install_offline_docs
from vlocr.api.failed_samples import FailedSampleStore
from vlocr.api.http.auth import ApiKeyCheck, FailureLimiter, exposure_warning, key_matches
from vlocr.api.http.errors import CatchAll, install_error_handlers
from vlocr.api.http.limits import BodySizeLimit
from vlocr.api.http.metrics import Metrics, MetricsMiddleware
from vlocr.api.routes import badcases as routes_badcases
from vlocr.api.routes import health as routes_health
from vlocr.api.routes import ocr as routes_ocr
from vlocr.api.routes import openai as routes_openai
from vlocr.api.routes import vlm as routes_vlm
from vlocr.api.state import AppState
from vlocr.badcases import BadCaseStore
from vlocr.config import Settings, VlmOptions, load_settings
from vlocr.service.gate import Gate

log = logging.getLogger("vlocr.api")

UI_PATH = "/ui"

# A self-hosted server makes no outbound call unless told to: no Gradio telemetry or version
# check, no Hugging Face hub lookups (set HF_HUB_OFFLINE=0 to let it download a model).
OFFLINE_ENV = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
}


def _offline_by_default() -> None:
    for name, value in OFFLINE_ENV.items():
        os.environ.setdefault(name, value)


def _configured_vlm(settings: Settings, vlm: VlmOptions | None) -> VlmOptions | None:
    """An explicit ``vlm`` wins; otherwise a VLM set in the settings/environment; otherwise none."""
    if vlm is not None:
        return vlm
    return settings.vlm if "vlm" in settings.model_fields_set else None


def create_app(
    settings: Settings | None = None, *, vlm: VlmOptions | None = None, ui: bool = True
) -> FastAPI:
    """Build the app. Engines load in a background thread at start-up; ``/readyz`` says when done.

    ``ui=False`` leaves out the Gradio page (faster start, no gradio import).
    """
    _offline_by_default()
    settings = settings or load_settings()
    server = settings.server
    keys = settings.server_api_keys()
    metrics = Metrics()
    gate = Gate(server.workers, server.queue, server.request_timeout_s)
    metrics.bind_gate(gate)
    samples = (
        FailedSampleStore(
            server.failed_samples_dir, server.failed_samples_max_mb, server.low_confidence
        )
        if server.failed_samples_dir
        else None
    )
    state = AppState(
        settings=settings,
        vlm=_configured_vlm(settings, vlm),
        gate=gate,
        metrics=metrics,
        keys=keys,
        samples=samples,
        bad_cases=(
            BadCaseStore(server.bad_cases_dir, server.bad_cases_max_mb)
            if server.bad_cases_dir
            else None
        ),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        warning = exposure_warning(server.host, keys)
        if warning:
            log.warning(warning)
        threading.Thread(target=state.warm_up, name="vlocr-warm-up", daemon=True).start()
        try:
            yield
        finally:
            state.ready.stop.set()
            gate.shutdown()

    app = FastAPI(
        title="vlocr",
        version="0.1.0",
        summary="Read text out of images and answer questions about them.",
        description="OCR (`/v1/ocr`), questions and JSON extraction with Qwen3-VL (`/v1/ask`, `/v1/extract`), "
        "and an OpenAI-compatible chat API (`/v1/chat/completions`). Errors are `{error: {type, code, message, hint}}`.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.vlocr = state
    install_error_handlers(app)
    install_offline_docs(app, title="vlocr")
    _document_request_bodies(app)

    limiter = FailureLimiter()
    guard = [Depends(ApiKeyCheck(keys, limiter))]
    app.include_router(routes_health.router)
    for module in (routes_ocr, routes_vlm, routes_openai, routes_badcases):
        app.include_router(module.router, dependencies=guard)

    if ui:
        _mount_ui(app, state, limiter)
    else:

        @app.get("/", include_in_schema=False)
        async def root() -> RedirectResponse:
            return RedirectResponse("/docs")

    known = frozenset(getattr(r, "path", "") for r in app.routes)
    app.add_middleware(
        BodySizeLimit, limit=server.max_body_bytes, per_path=ui_body_limits(settings) if ui else ()
    )
    app.add_middleware(MetricsMiddleware, metrics=metrics, known_paths=known)
    app.add_middleware(CatchAll)
    return app


UI_UPLOAD_PATHS = (f"{UI_PATH}/gradio_api/upload", f"{UI_PATH}/upload")
UI_EVENT_BODY_BYTES = 1024 * 1024
MULTIPART_SLACK_BYTES = 64 * 1024


def ui_body_limits(settings: Settings) -> tuple[tuple[str, int], ...]:
    """Body caps under the page's path: one file of the API's byte cap (plus multipart framing)
    for uploads, 1 MB for everything else (event payloads carry text and file references only)."""
    upload = settings.io.max_bytes + MULTIPART_SLACK_BYTES
    return tuple((p, upload) for p in UI_UPLOAD_PATHS) + ((UI_PATH, UI_EVENT_BODY_BYTES),)


def _mount_ui(app: FastAPI, state: AppState, limiter: FailureLimiter) -> None:
    import gradio as gr

    from vlocr.webui.page import CSS, build_page

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse(f"{UI_PATH}/")

    blocks = build_page(
        settings=state.settings, vlm=state.vlm, gate=state.gate, bad_cases=state.bad_cases
    )
    auth = None
    if state.keys:
        keys = state.keys

        def auth(_user: str, password: str) -> bool:
            # Gradio does not tell who is logging in: wrong passwords are limited page-wide.
            if limiter.retry_after(UI_PATH):
                return False
            ok = key_matches(password, keys)
            if not ok:
                limiter.failed(UI_PATH)
            return ok

    gr.mount_gradio_app(
        app,
        blocks,
        path=UI_PATH,
        auth=auth,
        auth_message="vlocr: any user name, an API key as the password / 用户名任意，密码为 API 密钥",
        max_file_size=state.settings.io.max_bytes,
        show_error=True,
        footer_links=["api"],
        css=CSS,
    )


def _document_request_bodies(app: FastAPI) -> None:
    """Routes that read JSON or multipart parse their body themselves; their JSON models are
    added to the OpenAPI components so the schema's references resolve (/docs, clients)."""
    from fastapi.openapi.utils import get_openapi

    from vlocr.api.schemas import AskRequest, ExtractRequest, OcrRequest

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (OcrRequest, AskRequest, ExtractRequest):
                body = model.model_json_schema(ref_template="#/components/schemas/{model}")
                for name, sub in body.pop("$defs", {}).items():
                    components.setdefault(name, sub)
                components[model.__name__] = body
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
