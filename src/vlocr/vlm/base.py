"""The engine protocol every VLM backend implements, and the message shapes it accepts.

Messages are OpenAI-like dicts. An image is a content part ``{"type": "image"}`` (a placeholder);
the pixels travel separately in ``images`` in the order the placeholders appear.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from vlocr.results import Usage

IMAGE_PART: dict[str, str] = {"type": "image"}


@dataclass
class Generation:
    """One reply: the text (cut when a loop was found), token usage and why it stopped."""

    text: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str = "stop"  # stop | length | loop
    loop_cut: bool = False
    timings_ms: dict[str, float] = field(default_factory=dict)
    prompt: str = ""  # the rendered prompt (transformers) or a JSON summary (openai), for debugging
    info: dict[str, Any] = field(default_factory=dict)  # dtype, reused prefix, draft tokens


StreamEvent = str | Generation
"""What every engine's ``stream`` yields: text pieces (``str``) as the model writes them, then
exactly one ``Generation`` (the whole text, finish reason, usage). Every consumer (CLI printing,
``/v1/ask`` and ``/v1/chat/completions`` SSE, the web page's chat) reads this one shape."""


def final_generation(events: Iterable[StreamEvent]) -> Generation:
    """Consume a stream of events; return its final ``Generation``."""
    final: Generation | None = None
    for event in events:
        if isinstance(event, Generation):
            final = event
    if final is None:
        raise RuntimeError("the stream ended without its final Generation")
    return final


@runtime_checkable
class VlmEngine(Protocol):
    """A vision-language model that answers chat messages about images."""

    name: str
    model: str

    def generate(
        self,
        messages: list[dict[str, Any]],
        *,
        images: list[np.ndarray],
        max_new_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        json_schema: dict[str, Any] | None = None,
        stop_on_loop: bool = True,
    ) -> Generation: ...

    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        images: list[np.ndarray],
        max_new_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        stop_on_loop: bool = True,
    ) -> Iterator[StreamEvent]:
        """Text pieces as they come, then one ``Generation`` (usage, finish reason)."""
        ...


def count_image_parts(messages: list[dict[str, Any]]) -> int:
    """How many image placeholders the messages hold (string contents hold none)."""
    n = 0
    for msg in messages:
        content = msg.get("content")
        if isinstance(content, list):
            n += sum(1 for part in content if is_image_part(part))
    return n


def is_image_part(part: Any) -> bool:
    return isinstance(part, dict) and (
        part.get("type") in ("image", "image_url") or "image_url" in part
    )


def check_images(messages: list[dict[str, Any]], images: list[np.ndarray]) -> None:
    """Placeholders and images must pair up one to one; a mismatch is a caller bug."""
    n = count_image_parts(messages)
    if n != len(images):
        raise ValueError(
            f"messages hold {n} image placeholder(s) but {len(images)} image(s) were given"
        )
    for img in images:
        if not (
            isinstance(img, np.ndarray)
            and img.ndim == 3
            and img.shape[2] == 3
            and img.dtype == np.uint8
        ):
            raise ValueError("images must be RGB uint8 arrays of shape (H, W, 3)")
