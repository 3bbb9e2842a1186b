"""``POST /v1/ocr``: JSON (base64 / data URL) or a multipart file upload, one result per page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.formparsers import MultiPartParser

from vlocr.api.deps import get_state, parse_json_body, require_ready
from vlocr.api.errors import ApiError
from vlocr.api.images import resolve_image
from vlocr.api.ocr_work import OcrJob, run_ocr
from vlocr.api.schemas import ERROR_RESPONSES, OcrOptionsModel, OcrRequest, OcrResponse
from vlocr.errors import InvalidImageError, InvalidOptionError

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


class _InMemoryParser(MultiPartParser):
    """Starlette's parser, but uploads stay in memory (the body is already capped)."""

    spool_max_size = 1 << 40


async def _from_multipart(request: Request, max_bytes: int) -> tuple[bytes, str, OcrOptionsModel]:
    parser = _InMemoryParser(
        request.headers, request.stream(), max_files=1, max_fields=20, max_part_size=64 * 1024
    )
    try:
        form = await parser.parse()
    except Exception as exc:  # noqa: BLE001 - any malformed multipart body is the client's
        raise InvalidOptionError(
            f"malformed multipart body ({getattr(exc, 'message', None) or type(exc).__name__})",
            "send one file in a field named 'file' (curl -F file=@receipt.jpg)",
        ) from None
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InvalidOptionError(
            "multipart body has no file field 'file'", "send the image as -F file=@image.jpg"
        )
    data = await upload.read()
    await upload.close()
    fields: dict[str, Any] = {
        k: v for k, v in form.multi_items() if isinstance(v, str) and k != "file"
    }
    if "region" in fields:
        from vlocr.service.reading import parse_region

        fields["region"] = parse_region(fields["region"]) if fields["region"].strip() else None
    try:
        options = OcrOptionsModel.model_validate(fields)
    except ValidationError as exc:
        from fastapi.exceptions import RequestValidationError

        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from None
    if not data:
        raise InvalidImageError(
            "uploaded file is empty (0 bytes)", "choose a non-empty image or PDF"
        )
    name = (upload.filename or "upload").replace("/", "_")[-120:]
    return data, name, options


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
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        data, label, options = await _from_multipart(request, max_bytes)
    elif content_type in ("application/json", ""):
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
        raise ApiError(
            415,
            "unsupported_media_type",
            f"content type '{content_type}' is not accepted",
            "send application/json with a base64 'image', or multipart/form-data with a 'file'",
        )
    job = OcrJob(data=data, label=label, options=options)
    return await state.gate.run(run_ocr, state, job, watch=request)
