"""Request and response models of the REST API (the OpenAI-compatible ones live in openai_schemas)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vlocr.results import PageResult
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
REGION_FIELD = Field(
    None,
    description="Only look at this rectangle: [x, y, w, h] in pixels of the original image.",
    examples=[[0, 0, 400, 300]],
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("region", check_fields=False)
    @classmethod
    def _region_is_a_rectangle(cls, value: Region | None) -> Region | None:
        if value is not None and (value[0] < 0 or value[1] < 0 or value[2] <= 0 or value[3] <= 0):
            raise ValueError("region must be [x, y, w, h] with x, y >= 0 and w, h > 0")
        return value


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


class _VlmRequest(_Strict):
    image: str = IMAGE_FIELD
    region: Region | None = REGION_FIELD
    ocr_hints: bool = Field(
        False, description="Run OCR first and give its lines to the model as hints."
    )
    role: str | None = Field(
        None, max_length=2000, description="A role prompt, e.g. 'You are an accountant.'"
    )
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_new_tokens: int | None = Field(None, ge=1, le=8192)
    page: int = Field(
        1,
        ge=1,
        le=10000,
        description="Which page of a PDF/TIFF (1-based); the others are not read.",
    )


class AskRequest(_VlmRequest):
    question: str = Field(..., min_length=1, max_length=8000, examples=["What is the total?"])
    stream: bool = Field(
        False,
        description="Answer as server-sent events: `{delta}` frames while the model writes, "
        "then one `{answer}` frame (the whole VlmAnswer, checks included), then `[DONE]`.",
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "image": f"data:image/png;base64,{_TINY_PNG}",
                    "question": "What is the total?",
                    "max_new_tokens": 64,
                }
            ]
        },
    )


class ExtractRequest(_VlmRequest):
    schema_: Literal["receipt", "invoice"] | dict[str, Any] = Field(
        "receipt",
        alias="schema",
        description="A preset name (receipt, invoice) or a JSON Schema object.",
    )
    engine: Literal["vlm", "ocr"] = Field(
        "vlm",
        description="vlm: ask the model (fields cross-checked against OCR); ocr: receipt or "
        "invoice fields from OCR lines and layout alone, each with its box (no model needed).",
    )

    @field_validator("schema_")
    @classmethod
    def _schema_fits_a_prompt(cls, value: Any) -> Any:
        from vlocr.errors import InvalidOptionError
        from vlocr.tasks.schemas import check_schema_size

        if isinstance(value, dict):
            try:
                check_schema_size(value)
            except InvalidOptionError as err:
                raise ValueError(f"{err.message} ({err.hint})") from None
        return value

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
