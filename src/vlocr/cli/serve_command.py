"""``vlocr serve``: the HTTP API, the OpenAI-compatible endpoint and the web page, via uvicorn."""

from __future__ import annotations

import enum

import typer


class VlmBackend(str, enum.Enum):
    transformers = "transformers"
    openai = "openai"


def serve(
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Address to bind. Anything but loopback needs an API key (VLOCR_API_KEYS) or --allow-no-key.",
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(
        None, "--workers", min=1, help="Requests processed at once (default: settings, 1)."
    ),
    queue: int = typer.Option(
        None,
        "--queue",
        min=0,
        help="Requests allowed to wait; more get 503 + Retry-After (default 8).",
    ),
    timeout: float = typer.Option(
        None,
        "--timeout",
        min=0.1,
        help="Per-request time limit in seconds; past it: 504 (default 120).",
    ),
    vlm: VlmBackend = typer.Option(
        None,
        "--vlm",
        help="Enable questions/chat: transformers (local Qwen3-VL) or openai (an OpenAI-compatible server).",
    ),
    model: str = typer.Option(
        None, "--model", help="Hub id or local directory (transformers), or model name (openai)."
    ),
    base_url: str = typer.Option(
        None,
        "--base-url",
        help="With --vlm openai: the server root, e.g. http://127.0.0.1:8001/v1.",
    ),
    no_ui: bool = typer.Option(False, "--no-ui", help="Serve only the API (no web page at /)."),
    failed_samples: str = typer.Option(
        None,
        "--failed-samples",
        help="Keep inputs whose recognition failed or was unsure in this folder (size-capped).",
    ),
    bad_cases: str = typer.Option(
        None,
        "--bad-cases",
        help="Keep results users mark wrong on the web page (image, options, result, correction) "
        "in this folder; nothing is written without it. List: GET /v1/bad-cases; score: "
        "vlocr bench --data DIR --format badcases.",
    ),
    bad_cases_max_mb: float = typer.Option(
        None, "--bad-cases-max-mb", min=1, help="Size cap of --bad-cases (default 500 MB)."
    ),
    log_level: str = typer.Option(
        "info", "--log-level", help="critical, error, warning, info, debug or trace."
    ),
    allow_no_key: bool = typer.Option(
        False,
        "--allow-no-key",
        help="Listen off loopback without an API key (only on a network you trust).",
    ),
) -> None:
    """Serve the REST API (/v1/ocr, /v1/ask, /v1/extract), an OpenAI-compatible /v1/chat/completions,
    /metrics, /healthz, /readyz and the web page at / (中文 / English)."""
    import logging

    from vlocr.cli.common import fail, warn
    from vlocr.config import VlmOptions, load_settings
    from vlocr.errors import InvalidOptionError, VlocrError

    levels = ("critical", "error", "warning", "info", "debug", "trace")
    if log_level.lower() not in levels:
        fail(
            InvalidOptionError(
                f"unknown log level '{log_level}'", f"use one of {', '.join(levels)}"
            )
        )
    log_level = log_level.lower()

    from vlocr.api.app import create_app
    from vlocr.api.http import http_server
    from vlocr.api.http.auth import check_exposure

    try:
        settings = load_settings()
    except VlocrError as err:
        fail(err)
    server = settings.server.model_copy(
        update={
            "host": host,
            "port": port,
            **({"workers": workers} if workers is not None else {}),
            **({"queue": queue} if queue is not None else {}),
            **({"request_timeout_s": timeout} if timeout is not None else {}),
            **({"failed_samples_dir": failed_samples} if failed_samples else {}),
            **({"allow_no_key": True} if allow_no_key else {}),
            **({"bad_cases_dir": bad_cases} if bad_cases else {}),
            **({"bad_cases_max_mb": bad_cases_max_mb} if bad_cases_max_mb else {}),
        }
    )
    settings = settings.model_copy(update={"server": server})
    vlm_options = None
    if vlm is not None or model or base_url:
        update: dict[str, object] = {"backend": (vlm or VlmBackend.transformers).value}
        if model:
            update["model"] = model
        if base_url:
            update["base_url"] = base_url
        vlm_options = settings.vlm.model_copy(update=update)
        VlmOptions.model_validate(vlm_options.model_dump())
    try:
        warning = check_exposure(host, settings.server_api_keys(), server.allow_no_key)
    except VlocrError as err:
        fail(err)
    if warning:
        warn(warning)
    logging.basicConfig(
        level=getattr(logging, log_level.upper(), 5),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    app = create_app(settings, vlm=vlm_options, ui=not no_ui)
    typer.echo(
        f"vlocr: serving on http://{host}:{port}  (API docs: /docs, web page: {'off' if no_ui else '/'})",
        err=True,
    )
    http_server.serve(app, host=host, port=port, log_level=log_level)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
