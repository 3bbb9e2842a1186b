"""The subset of the OpenAI chat API this server speaks: enough for the official client."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Bounds of one request: text is prefilled token by token and every image costs up to ~1,280
# visual tokens, so these keep one request from holding a worker for many minutes.
MAX_MESSAGES = 64
MAX_TEXT_CHARS = 32_000
MAX_IMAGES = 8


class ImageUrl(BaseModel):
    url: str = Field(description="data:image/...;base64,... (http(s) only for allow-listed hosts)")
    detail: str | None = None


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class ImagePart(BaseModel):
    type: Literal["image_url"]
    image_url: ImageUrl


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart | ImagePart] | None = None
    name: str | None = None


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "model": "qwen3-vl",
                    "messages": [
                        {
                            "role": "user",
                            "content": [
                                {"type": "text", "text": "What is the total?"},
                                {
                                    "type": "image_url",
                                    "image_url": {"url": "data:image/png;base64,iVBORw0KGgo..."},
                                },
                            ],
                        }
                    ],
                    "max_tokens": 128,
                }
            ]
        },
    )

    model: str | None = None
    messages: list[Message] = Field(..., min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(None, ge=1, le=8192)
    max_completion_tokens: int | None = Field(None, ge=1, le=8192)
    n: int | None = Field(None, ge=1, le=1, description="Only 1 is supported")
    response_format: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _bounded(self) -> ChatCompletionRequest:
        if len(self.messages) > MAX_MESSAGES:
            raise ValueError(f"at most {MAX_MESSAGES} messages per request")
        chars = images = 0
        for message in self.messages:
            parts = message.content if isinstance(message.content, list) else []
            chars += len(message.content) if isinstance(message.content, str) else 0
            chars += sum(len(p.text) for p in parts if isinstance(p, TextPart))
            images += sum(1 for p in parts if isinstance(p, ImagePart))
        if chars > MAX_TEXT_CHARS:
            raise ValueError(f"messages hold {chars:,} characters of text, over {MAX_TEXT_CHARS:,}")
        if images > MAX_IMAGES:
            raise ValueError(f"messages hold {images} images, over the limit of {MAX_IMAGES}")
        return self


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str | None


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop", "length"] = "stop"
    logprobs: None = None


class CompletionUsage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: CompletionUsage
    system_fingerprint: str | None = None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "vlocr"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
