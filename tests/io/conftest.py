"""Small generated images shared by the io tests."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@pytest.fixture
def png_header_only() -> Callable[[int, int], bytes]:
    """Build a valid PNG that declares ``width`` x ``height`` but holds no pixel data."""

    def build(width: int, height: int) -> bytes:
        ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IEND", b"")

    return build


@pytest.fixture
def quadrants() -> Image.Image:
    """120x80 RGB: red top-left, green top-right, blue bottom-left, white bottom-right."""
    arr = np.zeros((80, 120, 3), np.uint8)
    arr[:40, :60] = (255, 0, 0)
    arr[:40, 60:] = (0, 255, 0)
    arr[40:, :60] = (0, 0, 255)
    arr[40:, 60:] = (255, 255, 255)
    return Image.fromarray(arr)
