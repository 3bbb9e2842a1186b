"""Multipart uploads for every route that takes an image: one ``file`` part plus form fields.

``/v1/ocr``, ``/v1/ask`` and ``/v1/extract`` accept the same two shapes, JSON with a base64
``image`` or a multipart upload (``curl -F file=@receipt.jpg -F question=...``), so a user never
has to base64-encode a file by hand.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.formparsers import MultiPartParser

from vlocr.api.http.errors import ApiError
from vlocr.errors import InvalidImageError, InvalidOptionError

M = TypeVar("M", bound=BaseModel)
UPLOAD_LABEL = "<upload>"


class _InMemoryParser(MultiPartParser):
    """Starlette's parser, but uploads stay in memory (the body is already capped)."""

    spool_max_size = 1 << 40


def content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def unsupported(kind: str) -> ApiError:
    return ApiError(
        415,
        "unsupported_media_type",
        f"content type '{kind}' is not accepted",
        "send application/json with a base64 'image', or multipart/form-data with a 'file'",
    )


async def read_form(request: Request) -> tuple[bytes, str, dict[str, str]]:
    """The uploaded file's bytes, its (sanitised) name, and the other form fields as text."""
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
    if not data:
        raise InvalidImageError(
            "uploaded file is empty (0 bytes)", "choose a non-empty image or PDF"
        )
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "file"}
    name = (upload.filename or "upload").replace("/", "_")[-120:]
    return data, name, fields


def form_model(model: type[M], fields: dict[str, Any]) -> M:
    """Validate form fields into ``model``: ``region`` as ``x,y,w,h``, a JSON ``schema`` object
    as its text; errors become the API's 422 shape."""
    values: dict[str, Any] = dict(fields)
    if "region" in values:
        from vlocr.service.reading import parse_region

        text = str(values["region"]).strip()
        values["region"] = list(parse_region(text)) if text else None  # type: ignore[arg-type]
    schema = values.get("schema")
    if isinstance(schema, str) and schema.lstrip().startswith("{"):
        try:
            values["schema"] = json.loads(schema)
        except json.JSONDecodeError as exc:
            raise InvalidOptionError(
                f"form field 'schema' is not valid JSON ({exc.msg})",
                "send a preset name (receipt, invoice) or a JSON Schema object",
            ) from None
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from None


def multipart_schema(
    model: type[BaseModel], *, skip: tuple[str, ...] = ("image",)
) -> dict[str, Any]:
    """The OpenAPI form schema of ``model``'s fields plus a binary ``file`` part."""
    properties: dict[str, Any] = {
        "file": {"type": "string", "format": "binary", "description": "Image or PDF file"}
    }
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key in skip:
            continue
        properties[key] = {"type": "string", "description": field.description or ""}
    return {"type": "object", "required": ["file"], "properties": properties}


def body_doc(model: type[BaseModel], form: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads JSON ``model`` or a multipart ``form``."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}},
                "multipart/form-data": {"schema": form},
            },
        }
    }
