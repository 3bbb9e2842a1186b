"""Speed check for the benchmark: median ms of ``auto`` and ``seed`` on synthetic pages.

Run ``python -m vlocr.preprocess.speed`` (one OpenCV thread by default, like a busy server).
"""

from __future__ import annotations

import json
import time
from typing import Any

import cv2
import numpy as np

from vlocr.preprocess import synth
from vlocr.preprocess.pipeline import run


def _cases() -> dict[str, np.ndarray]:
    page = synth.render_text(synth.SAMPLE_LINES * 3, font_px=24, width=1000)
    big = synth.big_page(4000, 3000, 60)
    h, w = big.shape[:2]
    corners = np.array([[300, 250], [w - 200, 150], [w - 350, h - 150], [200, h - 300]], float)
    photo = synth.shadow(synth.paste_on_background(big[::2, ::2], corners, (w, h)), 0.4)
    return {
        "1000px_clean": page,
        "1000px_shadow": synth.shadow(page),
        "12mp_clean": big,
        "12mp_photo": photo,
    }


def measure_speed(
    repeats: int = 5, threads: int = 1, pipelines: tuple[str, ...] = ("auto", "seed")
) -> dict[str, Any]:
    """Median (and min) ms per pipeline and synthetic case, plus the steps ``auto`` chose."""
    old = cv2.getNumThreads()
    cv2.setNumThreads(threads)
    try:
        report: dict[str, Any] = {"threads": threads, "repeats": repeats, "cases": {}}
        for name, image in _cases().items():
            row: dict[str, Any] = {"size": [image.shape[1], image.shape[0]]}
            for pipeline in pipelines:
                run(image, pipeline)  # warm-up
                times = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    out = run(image, pipeline)
                    times.append((time.perf_counter() - t0) * 1000)
                row[pipeline] = {
                    "median_ms": round(float(np.median(times)), 1),
                    "min_ms": round(float(np.min(times)), 1),
                    "steps": [s.name for s in out.trace.steps],
                }
                if pipeline == "auto":
                    row[pipeline]["measure_ms"] = out.trace.measurements.get("measure_ms")
            report["cases"][name] = row
        return report
    finally:
        cv2.setNumThreads(old)


if __name__ == "__main__":
    print(json.dumps(measure_speed(), indent=1))
