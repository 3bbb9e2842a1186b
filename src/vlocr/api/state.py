"""What one app instance holds: settings, the gate, metrics, readiness and the sample store."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlocr.api.failed_samples import FailedSampleStore
from vlocr.api.http.metrics import Metrics
from vlocr.badcases import BadCaseStore
from vlocr.config import Settings, VlmOptions
from vlocr.service.gate import Gate

log = logging.getLogger("vlocr.api")


def warmup_image() -> np.ndarray:
    """A small rendered text line: enough for detection and recognition to really run."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (320, 64), "white")
    draw = ImageDraw.Draw(img)
    try:
        font: Any = ImageFont.truetype("DejaVuSans.ttf", 28)
    except OSError:
        font = ImageFont.load_default()
    draw.text((12, 14), "vlocr 2024", fill="black", font=font)
    return np.asarray(img)


VLM_RETRY_MAX_S = 30.0


@dataclass
class EngineReadiness:
    """One engine's warm-up: ``starting`` -> ``ready``, or ``retrying`` (the VLM backend may come
    up later than the server) or ``failed`` (OCR, which has nothing to wait for)."""

    status: str = "starting"  # starting | ready | retrying | failed
    detail: str = "loading"
    attempts: int = 0


@dataclass
class Readiness:
    """Readiness per engine; the service as a whole is ready when every engine is."""

    engines: dict[str, EngineReadiness] = field(default_factory=lambda: {"ocr": EngineReadiness()})
    warmup_ms: dict[str, float] = field(default_factory=dict)
    event: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)

    def engine_ready(self, name: str) -> bool:
        engine = self.engines.get(name)
        return engine is not None and engine.status == "ready"

    @property
    def status(self) -> str:
        states = [e.status for e in self.engines.values()]
        if all(s == "ready" for s in states):
            return "ready"
        return "failed" if self.engines["ocr"].status == "failed" else "starting"

    @property
    def detail(self) -> str:
        return "; ".join(
            f"{name}: {e.detail}" for name, e in self.engines.items() if e.status != "ready"
        )


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    message = getattr(exc, "message", None) or (text.splitlines()[0] if text else "")
    message = message or type(exc).__name__
    hint = getattr(exc, "hint", "")
    return f"{message}{f' ({hint})' if hint else ''}"


@dataclass
class AppState:
    settings: Settings
    vlm: VlmOptions | None
    gate: Gate
    metrics: Metrics
    keys: list[str]
    samples: FailedSampleStore | None
    ready: Readiness = field(default_factory=Readiness)
    bad_cases: BadCaseStore | None = None

    def __post_init__(self) -> None:
        if self.vlm is not None:
            self.ready.engines["vlm"] = EngineReadiness()

    @property
    def io_options(self) -> Any:
        return self.settings.io

    def warm_up(self) -> None:
        """Load the OCR engine and run one real inference; then the VLM, retried in the
        background until it answers, so a VLM server that starts after vlocr is picked up and
        OCR serves meanwhile."""
        from vlocr.io import Page
        from vlocr.service.reading import ocr_page

        ocr = self.ready.engines["ocr"]
        try:
            start = time.perf_counter()
            page = Page(image=warmup_image(), source="<warm-up>")
            result = ocr_page(page, engine=self.settings.ocr_engine)
            self.ready.warmup_ms["ocr"] = round((time.perf_counter() - start) * 1000, 1)
            log.info("OCR warm-up with %s read %r", self.settings.ocr_engine, result.text)
            ocr.status, ocr.detail = "ready", ""
        except Exception as exc:  # noqa: BLE001 - reported by /readyz, logged in full here
            log.exception("OCR engine warm-up failed")
            ocr.status, ocr.detail = "failed", _describe(exc)
        self._update_gauge()
        if self.vlm is not None:
            self._warm_up_vlm()
        self.ready.event.set()

    def _warm_up_vlm(self) -> None:
        from vlocr.vlm import IMAGE_PART, get_engine

        assert self.vlm is not None
        vlm = self.ready.engines["vlm"]
        delay = 1.0
        while not self.ready.stop.is_set():
            vlm.attempts += 1
            try:
                start = time.perf_counter()
                engine = get_engine(self.vlm)
                messages = [
                    {
                        "role": "user",
                        "content": [dict(IMAGE_PART), {"type": "text", "text": "Read the text."}],
                    }
                ]
                engine.generate(messages, images=[warmup_image()], max_new_tokens=2)
                self.ready.warmup_ms["vlm"] = round((time.perf_counter() - start) * 1000, 1)
                vlm.status, vlm.detail = "ready", ""
                log.info(
                    "VLM warm-up with %s done after %d attempt(s)", self.vlm.model, vlm.attempts
                )
                break
            except Exception as exc:  # noqa: BLE001 - retried; /readyz shows the last error
                detail = _describe(exc)
                log.warning("VLM warm-up attempt %d failed: %s", vlm.attempts, detail)
                vlm.status = "retrying"
                vlm.detail = f"not ready after {vlm.attempts} attempt(s), retrying: {detail}"
            self.ready.stop.wait(delay)
            delay = min(delay * 2, VLM_RETRY_MAX_S)
        self._update_gauge()

    def _update_gauge(self) -> None:
        self.metrics.ready.set(1 if self.ready.status == "ready" else 0)
