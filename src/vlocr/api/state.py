"""What one app instance holds: settings, the gate, metrics, readiness and the sample store."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlocr.api.failed_samples import FailedSampleStore
from vlocr.api.gate import Gate
from vlocr.api.metrics import Metrics
from vlocr.badcases import BadCaseStore
from vlocr.config import Settings, VlmOptions

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


@dataclass
class Readiness:
    status: str = "starting"  # starting | ready | failed
    detail: str = "loading engines"
    warmup_ms: dict[str, float] = field(default_factory=dict)
    event: threading.Event = field(default_factory=threading.Event)


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

    @property
    def io_options(self) -> Any:
        return self.settings.io

    def warm_up(self) -> None:
        """Load the OCR engine (and the VLM when configured) and run one real inference each."""
        from vlocr.io import Page
        from vlocr.service.reading import ocr_page

        try:
            start = time.perf_counter()
            page = Page(image=warmup_image(), source="<warm-up>")
            result = ocr_page(page, engine=self.settings.ocr_engine)
            self.ready.warmup_ms["ocr"] = round((time.perf_counter() - start) * 1000, 1)
            log.info("OCR warm-up with %s read %r", self.settings.ocr_engine, result.text)
            if self.vlm is not None:
                from vlocr.vlm import IMAGE_PART, get_engine

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
            self.ready.status, self.ready.detail = "ready", ""
            self.metrics.ready.set(1)
        except Exception as exc:  # noqa: BLE001 - reported by /readyz, logged in full here
            log.exception("engine warm-up failed")
            message = getattr(exc, "message", None) or type(exc).__name__
            hint = getattr(exc, "hint", "")
            self.ready.status, self.ready.detail = (
                "failed",
                f"{message}{f' ({hint})' if hint else ''}",
            )
        finally:
            self.ready.event.set()
