"""``POST /v1/ocr``: JSON (base64 / data URL) or a multipart file upload, one result per page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from vlocr.api.deps import get_state, parse_json_body, require_ready
from vlocr.api.images import resolve_image
from vlocr.api.multipart import content_type, form_model, read_form, unsupported
from vlocr.api.ocr_work import OcrJob, run_ocr
from vlocr.api.schemas import ERROR_RESPONSES, OcrOptionsModel, OcrRequest, OcrResponse

router = APIRouter(tags=["ocr"])

_MULTIPART_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "Image or PDF file"},
        "preprocess": {"type": "string", "default": "none"},
        "engine": {"type": "string", "default": "rapidocr"},
        "region": {"type": "string", "description": "x,y,w,h in pixels", "example": "0,0,400,300"},
        "return_preprocessed": {"type": "boolean", "default": False},
        "return_annotated": {"type": "boolean", "default": False},
        "pdf_dpi": {"type": "integer", "minimum": 36, "maximum": 600, "default": 200},
    },
}

OPENAPI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/OcrRequest"}},
            "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
        },
    }
}


async def _from_multipart(request: Request) -> tuple[bytes, str, OcrOptionsModel]:
    data, name, fields = await read_form(request)
    return data, name, form_model(OcrOptionsModel, fields)


@router.post(
    "/v1/ocr",
    response_model=OcrResponse,
    summary="Read the text in an image or PDF",
    description="Send JSON `{image: <base64 or data URL>, ...options}` or a multipart upload with a `file` field "
    "and the same options as form fields. Returns one PageResult per page (the CLI's JSON model), "
    "optionally with the preprocessed and annotated images as PNG base64.",
    responses=ERROR_RESPONSES,
    openapi_extra=OPENAPI_BODY,
)
async def ocr(request: Request) -> OcrResponse:
    state = get_state(request)
    require_ready(state)
    max_bytes = state.io_options.max_bytes
    kind = content_type(request)
    if kind == "multipart/form-data":
        data, label, options = await _from_multipart(request)
    elif kind in ("application/json", ""):
        body = parse_json_body(OcrRequest, await request.body())
        data = await resolve_image(
            body.image,
            allowlist=state.settings.server.url_allowlist,
            max_bytes=max_bytes,
            gate=state.gate,
        )
        label = "<image>"
        options = OcrOptionsModel.model_validate(body.model_dump(exclude={"image"}))
    else:
        raise unsupported(kind)
    job = OcrJob(data=data, label=label, options=options)
    return await state.gate.run(run_ocr, state, job, watch=request)
