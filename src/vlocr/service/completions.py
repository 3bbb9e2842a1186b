"""The OpenAI-compatible chat completion behind ``/v1/chat/completions``: OpenAI-format messages
(images as data URLs) through the configured engine, on the service's one guarded stream.

``response_format`` JSON is asked for, parsed, repaired and re-asked once (as ``extract`` does).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlocr.config import IoOptions, VlmOptions, get_settings
from vlocr.errors import InvalidOptionError
from vlocr.results import Usage
from vlocr.service.generation import engine_for, events, generate
from vlocr.service.task_page import options
from vlocr.service.vlm_inputs import prepare_vlm_image
from vlocr.tasks import run_extraction
from vlocr.vlm import Generation, StreamEvent


@dataclass
class CompletionResult:
    """A finished completion (``chunks`` is None) or a stream (``chunks`` yields text pieces)."""

    model: str
    backend: str
    text: str = ""
    usage: Usage = field(default_factory=Usage)
    finish_reason: str = "stop"
    loop_cut: bool = False
    chunks: Iterator[str] | None = None


def openai_messages_to_engine(
    messages: list[dict[str, Any]],
    io_options: IoOptions | None = None,
    *,
    vlm_pixels: int = VlmOptions().max_pixels,
) -> tuple[list[dict[str, Any]], list[np.ndarray]]:
    """Decode ``image_url`` data URLs into arrays; leave ``{"type": "image"}`` placeholders in place.

    Remote URLs are refused: the service never fetches from the network on a client's behalf.
    """
    from vlocr.io import PixelBudget, first_page

    if not isinstance(messages, list) or not messages:
        raise InvalidOptionError("messages must be a non-empty list", "send OpenAI chat messages")
    out: list[dict[str, Any]] = []
    images: list[np.ndarray] = []
    budget = PixelBudget((io_options or get_settings().io).max_total_pixels, what="request")
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict) or msg.get("role") not in ("system", "user", "assistant"):
            raise InvalidOptionError(
                f"message {i} has no valid role", "roles are system, user and assistant"
            )
        content = msg.get("content")
        if content is None or isinstance(content, str):
            out.append({"role": msg["role"], "content": content or ""})
            continue
        if not isinstance(content, list):
            raise InvalidOptionError(
                f"message {i} content must be a string or a list of parts",
                "see the OpenAI chat format",
            )
        parts: list[dict[str, Any]] = []
        for part in content:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind == "text":
                parts.append({"type": "text", "text": str(part.get("text", ""))})
            elif kind == "image_url":
                ref = part.get("image_url")
                url = ref.get("url") if isinstance(ref, dict) else ref
                if not isinstance(url, str) or not url.startswith("data:"):
                    raise InvalidOptionError(
                        "image_url must be a data: URL",
                        "embed the image as data:image/png;base64,... (remote URLs are not fetched)",
                    )
                page = first_page(
                    url,
                    options=io_options or get_settings().io,
                    label=f"message {i} image",
                    budget=budget,
                )
                images.append(prepare_vlm_image(page.image, vlm_pixels, source=page.label))
                del page
                parts.append({"type": "image"})
            else:
                raise InvalidOptionError(
                    f"unsupported content part type '{kind}' in message {i}",
                    "use text and image_url parts",
                )
        out.append({"role": msg["role"], "content": parts})
    return out, images


def _json_reply(
    engine: Any,
    messages: list[dict[str, Any]],
    images: list[np.ndarray],
    schema: dict[str, Any] | None,
    **sampling: Any,
) -> Generation:
    """A reply that honours ``response_format``: asked for JSON, parsed, repaired, re-asked once
    with the errors; the text is the clean JSON when one was recovered."""
    from vlocr.tasks.prompts import json_mode_messages

    replies: list[Generation] = []

    def call(convo: list[dict[str, Any]]) -> Generation:
        gen, _ms = generate(engine, convo, images, json_schema=schema, **sampling)
        replies.append(gen)
        return gen

    outcome = run_extraction(
        call, json_mode_messages(messages, schema), schema or {"type": "object"}, max_attempts=2
    )
    last = replies[-1]
    text = json.dumps(outcome.data, ensure_ascii=False) if outcome.data is not None else last.text
    usage = Usage(
        prompt_tokens=sum(g.usage.prompt_tokens for g in replies),
        completion_tokens=sum(g.usage.completion_tokens for g in replies),
        image_tokens=sum(g.usage.image_tokens for g in replies),
    )
    return Generation(
        text=text, usage=usage, finish_reason=last.finish_reason, loop_cut=last.loop_cut
    )


def chat_completion(
    messages: list[dict[str, Any]],
    *,
    vlm: VlmOptions | None = None,
    io_options: IoOptions | None = None,
    stream: bool = False,
    max_new_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    json_schema: dict[str, Any] | None = None,
    json_mode: bool = False,
) -> CompletionResult:
    """Run OpenAI-format messages (images as data URLs) through the configured engine.

    ``json_mode`` (``response_format`` ``json_object``) or a ``json_schema`` makes the reply one
    validated JSON object; a stream then carries that object as its one piece. A stream's
    ``CompletionResult`` gets its usage and finish reason once its chunks are consumed.
    """
    opts = options(vlm)
    if opts.prompt_lookup_tokens:  # free-form chat: drafts that miss only cost (see budgeted)
        opts = opts.model_copy(update={"prompt_lookup_tokens": 0})
    engine_messages, images = openai_messages_to_engine(
        messages, io_options, vlm_pixels=opts.max_pixels
    )
    engine = engine_for(opts)
    sampling: dict[str, Any] = {
        "max_new_tokens": max_new_tokens,
        "temperature": temperature,
        "top_p": top_p,
    }
    result = CompletionResult(model=opts.model, backend=opts.backend)
    if json_mode or json_schema is not None:
        gen = _json_reply(engine, engine_messages, images, json_schema, **sampling)
        replies: Iterator[StreamEvent] = iter([gen.text, gen] if gen.text else [gen])
    else:
        replies = events(engine, engine_messages, images, stream=stream, **sampling)
    if stream:
        result.chunks = _stream_into(replies, result)
        return result
    for _piece in _stream_into(replies, result):
        pass
    return result


def _stream_into(replies: Iterator[StreamEvent], result: CompletionResult) -> Iterator[str]:
    """Pass the text pieces on; the final ``Generation`` (usage, finish reason) goes onto
    ``result``, so a stream reports what the same request without one does."""
    for event in replies:
        if isinstance(event, Generation):
            result.text, result.usage = event.text, event.usage
            result.finish_reason, result.loop_cut = event.finish_reason, event.loop_cut
        else:
            yield event
