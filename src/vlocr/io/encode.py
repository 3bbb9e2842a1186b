"""Encode pages back to PNG: for API responses, overlays and failed-sample dumps."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from vlocr.io.convert import array_to_rgb


def encode_png(image: np.ndarray, *, compress_level: int = 6) -> bytes:
    """Encode a gray, RGB or RGBA array (uint8/uint16) as PNG bytes (RGB, alpha on white)."""
    rgb = array_to_rgb(image)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


def to_base64_png(image: np.ndarray, *, data_url: bool = False) -> str:
    """PNG as base64 text; with ``data_url=True`` prefixed ``data:image/png;base64,`` for browsers."""
    text = base64.b64encode(encode_png(image)).decode("ascii")
    return f"data:image/png;base64,{text}" if data_url else text
