"""OpenAI-compatible ``POST /v1/chat/completions`` (plain and SSE streaming) and ``GET /v1/models``."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request

from vlocr.api.deps import get_state, require_vlm, token_cap
from vlocr.api.http import sse
from vlocr.api.images import check_url, fetch_url, is_url
from vlocr.api.openai_schemas import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionRequest,
    Choice,
    CompletionUsage,
    ModelCard,
    ModelList,
)
from vlocr.api.schemas import ERROR_RESPONSES
from vlocr.api.state import AppState

router = APIRouter(tags=["openai"])
_STARTED = int(time.time())


def model_id(state: AppState) -> str:
    """The name clients see: a hub id as is, a local directory by its last component only."""
    model = state.vlm.model if state.vlm else "none"
    return (
        os.path.basename(model.rstrip("/"))
        if os.path.isabs(model) or model.startswith(".")
        else model
    )


@router.get("/v1/models", response_model=ModelList, summary="The model this server answers with")
async def models(request: Request) -> ModelList:
    state = get_state(request)
    cards = [ModelCard(id=model_id(state), created=_STARTED)] if state.vlm else []
    return ModelList(data=cards)


async def _inline_images(messages: list[dict[str, Any]], state: AppState) -> None:
    """Replace allow-listed http(s) image URLs by data URLs; reject the others with 422."""
    import base64

    from vlocr.io import sniff_format

    allow = state.settings.server.url_allowlist
    for message in messages:
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for part in content:
            if part.get("type") != "image_url":
                continue
            url = part["image_url"]["url"]
            if url[:5].lower() == "data:":
                continue
            if not is_url(url):
                check_url(url, allow)  # raises with a hint
            data = await fetch_url(
                url, allowlist=allow, max_bytes=state.io_options.max_bytes, gate=state.gate
            )
            fmt = sniff_format(data) or "octet-stream"
            part["image_url"]["url"] = f"data:image/{fmt};base64,{base64.b64encode(data).decode()}"


def _finish(reason: str) -> str:
    return "length" if reason == "length" else "stop"


def _answer_fields(result: Any) -> tuple[str, int, int, str]:
    text = getattr(result, "text", None)
    if text is None and isinstance(result, dict):
        text = result.get("text", "")
    usage = getattr(result, "usage", None)
    prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
    completion = int(getattr(usage, "completion_tokens", 0) or 0)
    return (
        str(text or ""),
        prompt,
        completion,
        _finish(str(getattr(result, "finish_reason", "stop"))),
    )


@router.post(
    "/v1/chat/completions",
    response_model=ChatCompletion,
    summary="OpenAI-compatible chat about images (set stream=true for server-sent events)",
    responses={
        **ERROR_RESPONSES,
        200: {
            "content": {"text/event-stream": {}},
            "description": "A chat.completion, or SSE chunks",
        },
    },
)
async def chat_completions(body: ChatCompletionRequest, request: Request) -> Any:
    state = get_state(request)
    require_vlm(state)
    messages = [m.model_dump(exclude_none=True) for m in body.messages]
    for message in messages:
        if message["role"] == "developer":
            message["role"] = "system"
    await _inline_images(messages, state)
    from vlocr import service

    kwargs: dict[str, Any] = {
        "vlm": state.vlm,
        "io_options": state.io_options,
        "temperature": body.temperature,
        "top_p": body.top_p,
        "max_new_tokens": token_cap(state, body.max_completion_tokens or body.max_tokens),
    }
    response_format = body.response_format or {}
    schema = response_format.get("json_schema")
    if isinstance(schema, dict) and isinstance(schema.get("schema"), dict):
        kwargs["json_schema"] = schema["schema"]
    kwargs["json_mode"] = response_format.get("type") in ("json_object", "json_schema")
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    name = body.model or model_id(state)
    if not body.stream:
        result = await state.gate.run(
            lambda: service.chat_completion(messages, stream=False, **kwargs), watch=request
        )
        text, prompt_tokens, completion_tokens, finish = _answer_fields(result)
        return ChatCompletion(
            id=completion_id,
            created=created,
            model=name,
            choices=[Choice(message=AssistantMessage(content=text), finish_reason=finish)],  # type: ignore[arg-type]
            usage=CompletionUsage(
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                total_tokens=prompt_tokens + completion_tokens,
            ),
        )

    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    started: list[Any] = []  # the CompletionResult: usage and finish reason once chunks end

    def start() -> Any:
        started.append(service.chat_completion(messages, stream=True, **kwargs))
        return iter(started[0].chunks or ())

    chunks = state.gate.stream(start)
    # Pull the first chunk before answering 200, so that a full gate, a bad image or a model
    # error still gets its proper status code instead of a broken stream.
    try:
        first: str | None = await chunks.__anext__()
    except StopAsyncIteration:
        first = None

    def frame(delta: dict[str, Any], finish: str | None = None) -> str:
        return sse.frame(
            {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": name,
                "choices": [
                    {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
                ],
            }
        )

    async def events() -> AsyncIterator[str]:
        try:
            yield frame({"role": "assistant", "content": ""})
            if first:
                yield frame({"content": first})
            async for piece in chunks:
                if piece:
                    yield frame({"content": piece})
            _text, prompt_tokens, completion_tokens, finish = _answer_fields(started[0])
            yield frame({}, finish)
            if include_usage:
                yield sse.frame(
                    {
                        "id": completion_id,
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": name,
                        "choices": [],
                        "usage": {
                            "prompt_tokens": prompt_tokens,
                            "completion_tokens": completion_tokens,
                            "total_tokens": prompt_tokens + completion_tokens,
                        },
                    }
                )
        except Exception as err:  # noqa: BLE001 - headers are sent; report in-band
            yield sse.error_frame(err, "chat completion")
        finally:
            await chunks.aclose()
        yield sse.frame("[DONE]")

    return sse.response(events())
