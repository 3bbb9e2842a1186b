"""Make user images and text safe to hand to a vision-language model.

The Qwen processor refuses aspect ratios over 200:1 (a 500 before), reads an image 1 or 3 px high
as channels-first (garbled), and a huge image costs memory long before the processor shrinks it
to ``VlmOptions.max_pixels``. Text that spells the model's control tokens (``<|image_pad|>``)
would be tokenised as those tokens and break the prompt.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from vlocr.errors import InvalidImageError

MAX_ASPECT = 200
_MIN_SIDE = 32  # one merged Qwen patch; also removes the channels-first ambiguity of 1-3 px sides
_SPECIAL = re.compile(r"<\|([A-Za-z0-9_]+)\|>")


def prepare_vlm_image(
    image: np.ndarray, max_pixels: int, *, source: str | None = None
) -> np.ndarray:
    """Pad tiny sides with white, refuse extreme aspect ratios, shrink to about ``max_pixels``."""
    height, width = image.shape[:2]
    if height < _MIN_SIDE or width < _MIN_SIDE:
        padded = np.full((max(height, _MIN_SIDE), max(width, _MIN_SIDE), 3), 255, dtype=np.uint8)
        padded[:height, :width] = image
        image, (height, width) = padded, padded.shape[:2]
    ratio = max(height, width) / min(height, width)
    if ratio > MAX_ASPECT:
        raise InvalidImageError(
            f"image is {width}x{height} pixels, an aspect ratio of {ratio:.0f}:1; the model "
            f"accepts at most {MAX_ASPECT}:1",
            "crop the part you need (region x,y,w,h) or split the image",
            source=source,
        )
    if height * width > max_pixels * 2:
        import cv2

        scale = math.sqrt(max_pixels / (height * width))
        size = (max(_MIN_SIDE, round(width * scale)), max(_MIN_SIDE, round(height * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(image)


def neutralize_text(text: str) -> str:
    """Break ``<|token|>`` spellings so the tokenizer reads them as plain text, not control tokens."""
    return _SPECIAL.sub(lambda m: f"<\u200b|{m.group(1)}|\u200b>", text)


def neutralize_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of OpenAI-like messages with every text neutralised (roles are fixed words)."""
    out = []
    for msg in messages:
        content = msg.get("content")
        if isinstance(content, str):
            content = neutralize_text(content)
        elif isinstance(content, list):
            content = [
                {**part, "text": neutralize_text(str(part.get("text", "")))}
                if isinstance(part, dict) and part.get("type") == "text"
                else part
                for part in content
            ]
        out.append({**msg, "content": content})
    return out
