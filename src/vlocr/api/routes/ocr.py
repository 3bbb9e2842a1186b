"""``POST /v1/ocr``: JSON (base64 / data URL) or a multipart file upload, one result per page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from vlocr.api.deps import get_state, parse_json_body, require_ready, require_vlm
from vlocr.api.http.multipart import (
    body_doc,
    content_type,
    form_model,
    multipart_schema,
    read_form,
    unsupported,
)
from vlocr.api.images import resolve_image
from vlocr.api.ocr_work import OcrJob, run_ocr
from vlocr.api.schemas import ERROR_RESPONSES, OcrOptionsModel, OcrRequest, OcrResponse
from vlocr.service.requests import MEDIA_TYPES, OutputFormat

router = APIRouter(tags=["ocr"])

# The 200 answer's other media types, one per ``format`` (JSON is the response model).
OTHER_FORMATS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            media.split(";")[0]: {}
            for fmt, media in MEDIA_TYPES.items()
            if fmt is not OutputFormat.json
        }
    }
}
OPENAPI_BODY: dict[str, Any] = body_doc(OcrRequest, multipart_schema(OcrRequest))


async def _from_multipart(request: Request) -> tuple[bytes, str, OcrOptionsModel]:
    data, name, fields = await read_form(request)
    return data, name, form_model(OcrOptionsModel, fields)


@router.post(
    "/v1/ocr",
    response_model=OcrResponse,
    summary="Read the text in an image or PDF",
    description="Send JSON `{image: <base64 or data URL>, ...options}` or a multipart upload with a `file` field "
    "and the same options as form fields: every option of `vlocr read` (engine, lang, preprocess, "
    "region, force_ocr, pdf_dpi, page, format). Returns one PageResult per page (the CLI's JSON "
    "model), optionally with the preprocessed and annotated images as PNG base64; with `format` "
    "text, markdown, hocr, alto or pdf the body is what `vlocr read --format F` writes, with its "
    "media type.",
    responses={**ERROR_RESPONSES, **OTHER_FORMATS},
    openapi_extra=OPENAPI_BODY,
)
async def ocr(request: Request) -> OcrResponse | Response:
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
    plan = options.plan(state.settings, io=state.io_options)  # a missing language pack: now
    if plan.uses_vlm:
        require_vlm(state)
    job = OcrJob(data=data, label=label, options=options)
    return await state.gate.run(run_ocr, state, job, watch=request)
