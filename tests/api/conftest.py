"""Servers for the API tests: real uvicorn on loopback, in a thread, shared per session."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from vlocr.api.app import create_app
from vlocr.api.http.background import BackgroundServer, start_in_thread
from vlocr.config import ServerOptions, Settings, VlmOptions
from vlocr.ocr import registry
from vlocr.ocr.base import OcrOutput


class SlowControl:
    """Makes the "test-slow" engine block until a test releases it (or 20 s pass)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.started = threading.Semaphore(0)

    def arm(self) -> None:
        self.event = threading.Event()
        self.started = threading.Semaphore(0)

    def release(self) -> None:
        self.event.set()


SLOW = SlowControl()


class _SlowEngine:
    name = "test-slow"

    def recognize(self, image: np.ndarray) -> OcrOutput:
        event = SLOW.event
        SLOW.started.release()
        event.wait(20)
        return OcrOutput(lines=[])


class _BoomEngine:
    name = "test-boom"

    def recognize(self, image: np.ndarray) -> OcrOutput:
        raise RuntimeError("secret detail /etc/shadow")


registry.ENGINES.setdefault(
    "test-slow", (lambda **kw: _SlowEngine(), "test hook: blocks until released")
)
registry.ENGINES.setdefault("test-boom", (lambda **kw: _BoomEngine(), "test hook: raises"))


@pytest.fixture
def slow() -> Iterator[SlowControl]:
    SLOW.arm()
    yield SLOW
    SLOW.release()


@pytest.fixture(scope="session")
def receipt_png(text_png: Path) -> bytes:
    return text_png.read_bytes()


@pytest.fixture(scope="session")
def samples_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("failed-samples")


@pytest.fixture(scope="session")
def main_server(samples_dir: Path) -> Iterator[BackgroundServer]:
    """2 workers, queue 4, 3 MB body cap, failed samples kept, loopback URLs allowed, no VLM."""
    settings = Settings(
        server=ServerOptions(
            workers=2,
            queue=4,
            request_timeout_s=60,
            max_body_bytes=3 * 1024 * 1024,
            failed_samples_dir=str(samples_dir),
            failed_samples_max_mb=0.05,
            url_allowlist=["127.0.0.1"],
        )
    )
    srv = start_in_thread(create_app(settings, ui=False))
    srv.wait_ready()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def tight_server() -> Iterator[BackgroundServer]:
    """1 worker, queue 1, API key 'secret': for 401 and 503."""
    settings = Settings(
        server=ServerOptions(workers=1, queue=1, request_timeout_s=60, api_keys=["secret"])
    )
    srv = start_in_thread(create_app(settings, ui=False))
    srv.wait_ready()
    yield srv
    SLOW.release()
    srv.stop()


@pytest.fixture(scope="session")
def timeout_server() -> Iterator[BackgroundServer]:
    """A 0.3 s request timeout: for 504."""
    srv = start_in_thread(
        create_app(
            Settings(server=ServerOptions(workers=1, queue=2, request_timeout_s=0.3)), ui=False
        )
    )
    srv.wait_ready()
    yield srv
    SLOW.release()
    srv.stop()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vlocr.testing.tiny_qwen import build_tiny_qwen3_vl

    return build_tiny_qwen3_vl(tmp_path_factory.mktemp("tiny-qwen") / "tiny-qwen3-vl")


@pytest.fixture(scope="session")
def vlm_server(tiny_model: Path) -> Iterator[BackgroundServer]:
    vlm = VlmOptions(model=str(tiny_model), device="cpu", max_new_tokens=8)
    srv = start_in_thread(
        create_app(Settings(server=ServerOptions(workers=1, queue=4)), vlm=vlm, ui=False)
    )
    srv.wait_ready()
    yield srv
    srv.stop()
