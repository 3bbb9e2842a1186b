"""Tiny PNGs of extreme shapes (issue 16 defect 1): a bounded read or a typed error, never
gigabytes or a raw cv2.error. The detector used to pad a 100000 x 1 strip to a quarter of its
full width before scaling down (a 25000 x 100000 x 3 canvas, > 6 GB)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vlocr.errors import ImageTooLargeError, InvalidImageError
from vlocr.ocr.rapidocr_engine import run_typed

# Runs in a fresh process so its peak RSS is the read's, not the test session's.
_SCRIPT = """
import io, json, sys
import numpy as np
from PIL import Image
import vlocr
from vlocr.errors import VlocrError
out = []
for w, h in [(100000, 1), (200000, 1), (50000, 2), (1, 100000)]:
    buf = io.BytesIO()
    Image.fromarray(np.full((h, w), 255, np.uint8)).save(buf, "PNG")
    try:
        res = vlocr.read(buf.getvalue(), preprocess="none")
        out.append([w, h, len(buf.getvalue()), "ok", [p.error is None for p in res.pages]])
    except VlocrError as exc:
        out.append([w, h, len(buf.getvalue()), type(exc).__name__, []])
from vlocr.testing.hostile import peak_rss_mb  # VmHWM: not the test runner's peak
print(json.dumps({"results": out, "peak_mb": peak_rss_mb()}))
"""


def test_flat_tiny_pngs_stay_under_1_5_gb() -> None:
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["peak_mb"] < 1500, report
    for w, h, size, outcome, _pages in report["results"]:
        assert size < 1000  # really a tiny file
        assert outcome in ("ok", "ImageTooLargeError", "InvalidImageError"), (w, h, outcome)


class _Exploding:
    def run(self, image: np.ndarray) -> None:
        import cv2

        cv2.resize(np.zeros((0, 0, 3), np.uint8), (10, 10))  # raises cv2.error


class _OutOfMemory:
    def run(self, image: np.ndarray) -> None:
        raise MemoryError


@pytest.mark.parametrize(
    ("pipeline", "error"), [(_Exploding(), InvalidImageError), (_OutOfMemory(), ImageTooLargeError)]
)
def test_pipeline_failures_become_typed_errors(pipeline: object, error: type) -> None:
    with pytest.raises(error) as info:
        run_typed(pipeline, np.zeros((5, 7, 3), np.uint8))  # type: ignore[arg-type]
    assert "7x5" in info.value.message
