"""Request and response models of the REST API (the OpenAI-compatible ones live in openai_schemas)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vlocr.results import PageResult
from vlocr.service import task_requests as service_tasks
from vlocr.service.requests import OutputFormat, ReadRequest

_TINY_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAFUlEQVR4nGP8//8/AzbAhFV00EoAAFbUAw037MyjAAAAAElFTkSuQmCC"

Region = tuple[int, int, int, int]

IMAGE_FIELD = Field(
    ...,
    min_length=1,
    description="The image or PDF: base64 text or a data: URL (data:image/png;base64,...). "
    "http(s) URLs are fetched only from hosts in the server's url_allowlist.",
    examples=[f"data:image/png;base64,{_TINY_PNG}"],
)


class OcrOptionsModel(ReadRequest):
    """Every option of ``vlocr read`` (``vlocr.service.requests.ReadRequest``); only the default
    format differs: JSON, the API's shape."""

    format: OutputFormat = Field(
        OutputFormat.json,
        description="json (default): {pages: [...]}, the shape below; text | markdown | hocr | "
        "alto: the body `vlocr read --format F` prints, as text/plain, text/markdown, text/html "
        "(hOCR) or application/xml (ALTO); pdf: a searchable PDF, application/pdf.",
    )


class OcrRequest(OcrOptionsModel):
    image: str = IMAGE_FIELD

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "image": f"data:image/png;base64,{_TINY_PNG}",
                    "preprocess": "auto",
                    "lang": "en",
                    "return_annotated": True,
                }
            ]
        },
    )


class OcrResponse(BaseModel):
    pages: list[PageResult] = Field(
        description="One result per page, same model as `vlocr read --format json`."
    )
    preprocessed_images: list[str] | None = Field(
        None, description="PNG base64 per page (when return_preprocessed)."
    )
    annotated_images: list[str] | None = Field(
        None, description="PNG base64 per page (when return_annotated)."
    )


class AskRequest(service_tasks.AskRequest):
    """Every option of ``vlocr ask`` (``vlocr.service.task_requests.AskRequest``) plus the image."""

    image: str = IMAGE_FIELD

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "image": f"data:image/png;base64,{_TINY_PNG}",
                    "question": "What is the total?",
                    "lang": "en",
                    "check_numbers": True,
                    "max_new_tokens": 64,
                }
            ]
        },
    )


class ExtractRequest(service_tasks.ExtractRequest):
    """Every option of ``vlocr extract`` (``vlocr.service.task_requests.ExtractRequest``) plus
    the image; ``schema`` is a preset name or a JSON Schema object, never a server file."""

    image: str = IMAGE_FIELD
    schema_: Literal["receipt", "invoice"] | dict[str, Any] = Field(
        "receipt",
        alias="schema",
        description="A preset name (receipt, invoice) or a JSON Schema object.",
    )

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [{"image": f"data:image/png;base64,{_TINY_PNG}", "schema": "receipt"}]
        },
    )


class HealthResponse(BaseModel):
    status: str = Field(examples=["ok"])


class EngineStatus(BaseModel):
    status: Literal["starting", "ready", "retrying", "failed"]
    detail: str = ""
    attempts: int = 0


class ReadyResponse(BaseModel):
    status: Literal["ready", "starting", "failed"]
    detail: str = Field("", description="What is not ready yet, engine by engine")
    ocr_engine: str = ""
    vlm_model: str | None = None
    warmup_ms: dict[str, float] = Field(default_factory=dict)
    engines: dict[str, EngineStatus] = Field(
        default_factory=dict,
        description="Each engine's warm-up; /v1/ocr serves once 'ocr' is ready, the VLM routes "
        "once 'vlm' is (a late VLM backend is retried in the background)",
    )


class ErrorDetail(BaseModel):
    type: str
    code: str
    message: str
    hint: str = ""


class ErrorResponse(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in {
        401: "Missing or wrong API key",
        413: "Body or image too large",
        415: "Unsupported file format",
        422: "Invalid input or option",
        501: "No vision-language model is configured (permanent: restart with --vlm)",
        503: "Server busy or not ready (see Retry-After)",
        504: "Timed out",
    }.items()
}
