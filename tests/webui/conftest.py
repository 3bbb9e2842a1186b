"""A server with the web page, the tiny Qwen3-VL model and a bad-case store, and headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vlocr.api.app import create_app
from vlocr.api.http.background import BackgroundServer, start_in_thread
from vlocr.config import ServerOptions, Settings, VlmOptions

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def bad_case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bad-cases")


@pytest.fixture(scope="module")
def ui_server(
    tmp_path_factory: pytest.TempPathFactory, bad_case_dir: Path
) -> Iterator[BackgroundServer]:
    from vlocr.testing.tiny_qwen import build_tiny_qwen3_vl

    model = build_tiny_qwen3_vl(tmp_path_factory.mktemp("tiny") / "tiny-qwen3-vl")
    app = create_app(
        Settings(server=ServerOptions(workers=1, bad_cases_dir=str(bad_case_dir))),
        vlm=VlmOptions(model=str(model), device="cpu", max_new_tokens=24),
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
