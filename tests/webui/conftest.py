"""A server with the web page and the tiny Qwen3-VL model, and a headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vlocr.api.app import create_app
from vlocr.api.background import BackgroundServer, start_in_thread
from vlocr.config import ServerOptions, Settings, VlmOptions

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    from vlocr.testing.tiny_qwen import build_tiny_qwen3_vl

    model = build_tiny_qwen3_vl(tmp_path_factory.mktemp("tiny") / "tiny-qwen3-vl")
    app = create_app(
        Settings(server=ServerOptions(workers=1)),
        vlm=VlmOptions(model=str(model), device="cpu", max_new_tokens=8),
    )
    srv = start_in_thread(app)
    srv.wait_ready()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield instance
        instance.close()
