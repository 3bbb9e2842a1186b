"""``POST /v1/ask`` and ``POST /v1/extract``: questions and JSON fields about one image."""

from __future__ import annotations

from fastapi import APIRouter, Request

from vlocr.api.deps import get_state, require_ready, require_vlm, token_cap
from vlocr.api.images import resolve_image
from vlocr.api.schemas import ERROR_RESPONSES, AskRequest, ExtractRequest
from vlocr.api.state import AppState
from vlocr.results import ExtractResult, VlmAnswer

router = APIRouter(tags=["vlm"])


def _sampling(body: AskRequest | ExtractRequest, state: object) -> dict[str, object]:
    return {
        "ocr_hints": body.ocr_hints,
        "region": tuple(body.region) if body.region else None,
        "role": body.role,
        "temperature": body.temperature,
        "top_p": body.top_p,
        "max_new_tokens": token_cap(state, body.max_new_tokens),  # type: ignore[arg-type]
        "io_options": state.io_options,  # type: ignore[attr-defined]
    }


async def _vlm_state_and_image(image: str, request: Request) -> tuple[AppState, bytes]:
    """Refuse early (no VLM configured, not ready), then decode the request's image."""
    state = get_state(request)
    require_vlm(state)
    data = await resolve_image(
        image,
        allowlist=state.settings.server.url_allowlist,
        max_bytes=state.io_options.max_bytes,
        gate=state.gate,
    )
    return state, data


@router.post(
    "/v1/ask",
    response_model=VlmAnswer,
    summary="Answer a question about an image",
    responses=ERROR_RESPONSES,
)
async def ask(body: AskRequest, request: Request) -> VlmAnswer:
    state, data = await _vlm_state_and_image(body.image, request)
    from vlocr import service

    return await state.gate.run(
        service.ask, data, body.question, vlm=state.vlm, watch=request, **_sampling(body, state)
    )


@router.post(
    "/v1/extract",
    response_model=ExtractResult,
    summary="Extract fields as JSON (receipt, invoice, or your JSON Schema)",
    responses=ERROR_RESPONSES,
)
async def extract(body: ExtractRequest, request: Request) -> ExtractResult:
    if body.engine == "ocr":
        return await _extract_ocr(body, request)
    state, data = await _vlm_state_and_image(body.image, request)
    from vlocr import service

    return await state.gate.run(
        service.extract,
        data,
        schema=body.schema_,
        vlm=state.vlm,
        watch=request,
        **_sampling(body, state),
    )


async def _extract_ocr(body: ExtractRequest, request: Request) -> ExtractResult:
    """Fields from OCR alone: no VLM needs to be configured."""
    from vlocr.errors import InvalidOptionError
    from vlocr.fields import extract_ocr_fields

    state = get_state(request)
    require_ready(state)
    if not isinstance(body.schema_, str):
        raise InvalidOptionError(
            "engine ocr has rules for the receipt and invoice schemas only",
            'send "schema": "receipt" or "invoice", or use "engine": "vlm" for your own schema',
        )
    data = await resolve_image(
        body.image,
        allowlist=state.settings.server.url_allowlist,
        max_bytes=state.io_options.max_bytes,
    )
    region = tuple(body.region) if body.region else None
    return await state.gate.run(extract_ocr_fields, data, body.schema_, region=region)
