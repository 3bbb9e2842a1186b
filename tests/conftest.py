"""Fixtures shared by every test folder: rendered text images, made here, never downloaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def render_lines(
    lines: list[str], *, size: int = 28, width: int = 760, pad: int = 24, gap: int = 22
) -> np.ndarray:
    """A white page with each string on its own line, in DejaVu Sans; RGB uint8."""
    font = ImageFont.truetype(DEJAVU, size)
    height = pad * 2 + len(lines) * (size + gap)
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((pad, pad + i * (size + gap)), text, font=font, fill="black")
    return np.asarray(img)


@pytest.fixture(scope="session")
def text_lines() -> list[str]:
    return ["GROCERY MART", "Fresh Milk 2L 6.50", "TOTAL 16.50"]


@pytest.fixture(scope="session")
def text_png(tmp_path_factory: pytest.TempPathFactory, text_lines: list[str]) -> Path:
    path = tmp_path_factory.mktemp("img") / "lines.png"
    Image.fromarray(render_lines(text_lines)).save(path)
    return path
