"""``POST /v1/ask`` and ``POST /v1/extract``: questions and JSON fields about one image."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response

from vlocr.api.deps import get_state, parse_json_body, require_ready, require_vlm, token_cap
from vlocr.api.http import sse
from vlocr.api.http.multipart import (
    UPLOAD_LABEL,
    body_doc,
    content_type,
    form_model,
    multipart_schema,
    read_form,
    unsupported,
)
from vlocr.api.images import resolve_image
from vlocr.api.schemas import ERROR_RESPONSES, AskRequest, ExtractRequest
from vlocr.api.state import AppState
from vlocr.results import ExtractResult, VlmAnswer

router = APIRouter(tags=["vlm"])
R = TypeVar("R", AskRequest, ExtractRequest)


async def _request(request: Request, model: type[R]) -> tuple[R, bytes | None]:
    """The request as JSON (image as base64 / data URL) or as a multipart upload (the file's
    bytes come back too; form fields are the JSON fields as text)."""
    kind = content_type(request)
    if kind == "multipart/form-data":
        data, _name, fields = await read_form(request)
        return form_model(model, {**fields, "image": UPLOAD_LABEL}), data
    if kind in ("application/json", ""):
        return parse_json_body(model, await request.body()), None
    raise unsupported(kind)


def _capped(body: R, state: AppState) -> R:
    """The request with the server's token ceiling applied (``max_new_tokens`` cannot raise it)."""
    return body.model_copy(update={"max_new_tokens": token_cap(state, body.max_new_tokens)})


async def _image(state: AppState, body: AskRequest | ExtractRequest, upload: bytes | None) -> bytes:
    if upload is not None:
        return upload
    return await resolve_image(
        body.image,
        allowlist=state.settings.server.url_allowlist,
        max_bytes=state.io_options.max_bytes,
        gate=state.gate,
    )


async def _vlm_state_and_image(
    body: AskRequest | ExtractRequest, upload: bytes | None, request: Request
) -> tuple[AppState, bytes]:
    """Refuse early (no VLM configured, not ready), then decode the request's image."""
    state = get_state(request)
    require_vlm(state)
    return state, await _image(state, body, upload)


def _fields(model: type[AskRequest | ExtractRequest]) -> str:
    """The body's option names, as the service's request declares them (the image aside)."""
    return ", ".join(f.alias or n for n, f in model.model_fields.items() if n != "image")


_FORM_HINT = (
    " Or send multipart/form-data: the image or PDF as a `file` part and the other fields as form "
    "fields (`curl -F file=@receipt.jpg -F question='What is the total?'`)."
)


@router.post(
    "/v1/ask",
    response_model=VlmAnswer,
    summary="Answer a question about an image",
    description="JSON `{image: <base64 or data URL>, question, ...}`: every option of `vlocr ask` "
    f"({_fields(AskRequest)})." + _FORM_HINT,
    responses=ERROR_RESPONSES,
    openapi_extra=body_doc(AskRequest, multipart_schema(AskRequest)),
)
async def ask(request: Request) -> VlmAnswer | Response:
    body, upload = await _request(request, AskRequest)
    state, data = await _vlm_state_and_image(body, upload, request)
    if body.stream:
        return await _ask_stream(state, data, body)
    from vlocr import service

    return await state.gate.run(
        service.ask,
        data,
        request=_capped(body, state),
        vlm=state.vlm,
        io_options=state.io_options,
        watch=request,
    )


async def _ask_stream(state: AppState, data: bytes, body: AskRequest) -> Response:
    """The same turn as ``service.ask``, read from the service's one stream as it is written."""
    from vlocr.service.asking import ask_stream

    task = _capped(body, state)

    def start() -> Iterator[Any]:  # text pieces, then the VlmAnswer
        return ask_stream(data, task, vlm=state.vlm, io_options=state.io_options)

    turn = state.gate.stream(start)
    # The first event is awaited before the 200: a full gate, a bad page or an engine that is
    # down still get their own status code instead of a broken stream.
    try:
        first: object = await turn.__anext__()
    except StopAsyncIteration:  # pragma: no cover - a turn always ends with its answer
        first = None

    def event(item: object) -> str:
        if isinstance(item, VlmAnswer):
            return sse.frame({"answer": item.model_dump(mode="json")})
        return sse.frame({"delta": str(item)})

    async def frames() -> AsyncIterator[str]:
        try:
            if first is not None:
                yield event(first)
            async for item in turn:
                yield event(item)
        except Exception as err:  # noqa: BLE001 - headers are sent; report in-band
            yield sse.error_frame(err, "ask")
        finally:
            await turn.aclose()
        yield sse.frame("[DONE]")

    return sse.response(frames())


@router.post(
    "/v1/extract",
    response_model=ExtractResult,
    summary="Extract fields as JSON (receipt, invoice, or your JSON Schema)",
    description="JSON `{image: <base64 or data URL>, schema, engine, ...}`: every option of "
    f"`vlocr extract` ({_fields(ExtractRequest)}); a custom `schema` is a JSON Schema object (as "
    "JSON text in a form field)." + _FORM_HINT,
    responses=ERROR_RESPONSES,
    openapi_extra=body_doc(ExtractRequest, multipart_schema(ExtractRequest)),
)
async def extract(request: Request) -> ExtractResult:
    body, upload = await _request(request, ExtractRequest)
    state = get_state(request)
    if body.engine == "ocr":
        require_ready(state)  # fields from OCR alone: no VLM needs to be configured
    else:
        require_vlm(state)
    data = await _image(state, body, upload)
    from vlocr import service

    return await state.gate.run(
        service.extract,
        data,
        request=_capped(body, state),
        vlm=state.vlm,
        io_options=state.io_options,
        watch=request,
    )
