"""Shared fixtures for the VLM tests: one tiny Qwen3-VL checkpoint per session, and test images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vlocr.config import VlmOptions


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vlocr.testing.tiny_qwen import build_tiny_qwen3_vl

    return build_tiny_qwen3_vl(tmp_path_factory.mktemp("models") / "tiny-qwen3-vl")


@pytest.fixture(scope="session")
def tiny_opts(tiny_model_dir: Path) -> VlmOptions:
    return VlmOptions(model=str(tiny_model_dir), device="cpu", max_new_tokens=12)


@pytest.fixture(scope="session")
def receipt_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (480, 320), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 26)
    for i, text in enumerate(
        ["FRESH MART", "Milk 2 x 4.50  9.00", "TOTAL 89.50", "2024-05-12 14:32"]
    ):
        draw.text((20, 20 + 60 * i), text, fill="black", font=font)
    path = tmp_path_factory.mktemp("img") / "receipt.png"
    img.save(path)
    return path


@pytest.fixture()
def rgb() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)
