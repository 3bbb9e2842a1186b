"""The speed section of the benchmark: receipt-sized reads, cold start, preprocessing cost.

Absolute times on a shared machine drift; every comparison here is made inside one run with
the candidates interleaved, so read the ratios, not the milliseconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vlocr.eval.metrics import cer, median, percentile
from vlocr.eval.synth import generate, long_receipt

if TYPE_CHECKING:
    from vlocr.eval.runner import BenchOptions, Config


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(median(values), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "n": len(values),
    }


def receipt_speed(configs: list[Config], count: int, seed: int) -> dict[str, Any]:
    """Median read time of each engine (preset none) over ``count`` receipt-sized pages
    (about 600 x 1700 px, 40-50 text rows), engines interleaved receipt by receipt."""
    from vlocr.io.page import Page
    from vlocr.service.reading import ocr_page

    engines = [c.engine for c in configs if c.preset == "none"]
    receipts = [long_receipt(seed + 500 + i) for i in range(count)]
    times: dict[str, list[float]] = {e: [] for e in engines}
    cers: dict[str, list[float]] = {e: [] for e in engines}
    for i, doc in enumerate(receipts):
        order = engines[i % len(engines) :] + engines[: i % len(engines)] if engines else []
        for engine in order:
            start = time.perf_counter()
            result = ocr_page(
                Page(image=doc.image, source="receipt"), engine=engine, preprocess="none"
            )
            times[engine].append((time.perf_counter() - start) * 1000)
            cers[engine].append(cer(doc.text, result.text))
    shape = receipts[0].image.shape if receipts else (0, 0)
    rows = receipts[0].text.count("\n") + 1 if receipts else 0
    return {
        "image_size": f"{shape[1]}x{shape[0]}",
        "text_rows": rows,
        "gt_segments": len(receipts[0].lines) if receipts else 0,
        "per_engine": {
            e: {**_stats(times[e]), "cer_mean": round(float(np.mean(cers[e])), 4)}
            for e in engines
            if times[e]
        },
    }


def cold_start(runs: int, engine: str = "rapidocr") -> dict[str, Any]:
    """Wall time from launching ``python -m vlocr.cli.main read IMG`` to its exit (one image,
    models loaded from scratch), median over ``runs`` fresh processes."""
    from PIL import Image

    doc = generate("receipt", 4242)
    times: list[float] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "receipt.png"
        Image.fromarray(doc.image).save(path)
        cmd = [sys.executable, "-m", "vlocr.cli.main", "read", "--engine", engine, str(path)]
        for _ in range(runs):
            start = time.perf_counter()
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=300,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
            elapsed = (time.perf_counter() - start) * 1000
            if proc.returncode != 0 or not proc.stdout.strip():
                failures.append(
                    (proc.stderr or proc.stdout).strip().splitlines()[-1:][0]
                    if (proc.stderr or proc.stdout).strip()
                    else f"exit {proc.returncode}"
                )
                continue
            times.append(elapsed)
    out: dict[str, Any] = {
        "command": "python -m vlocr.cli.main read --engine " + engine + " receipt.png",
        "engine": engine,
    }
    if times:
        out.update(_stats(times))
    if failures:
        out["failures"] = failures
    return out


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    return repr(value)


def big_photo(seed: int, megapixels: float = 12.0) -> np.ndarray:
    """A 4000x3000-class phone photo: a document on a desk, upscaled, with a little noise."""
    import cv2

    from vlocr.eval.degrade import degrade

    doc = generate("invoice", seed)
    image, _ = degrade(doc.image, doc.lines, "perspective", 1, seed)
    h, w = image.shape[:2]
    scale = (megapixels * 1e6 / (h * w)) ** 0.5
    big = cv2.resize(image, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_CUBIC)
    image2, _ = degrade(big, [], "noise", 1, seed)
    return image2


def preprocess_speed(
    configs: list[Config], options: BenchOptions, notes: list[str]
) -> dict[str, Any]:
    """Time the ``auto`` and ``seed`` presets on a ~1000 px page (and a 12 MP photo), and auto's
    cost as a fraction of the default engine's OCR time on the same page."""
    out: dict[str, Any] = {}
    try:
        from vlocr.preprocess import run as run_preprocess
    except ImportError as exc:
        notes.append(f"preprocessing speed skipped: vlocr.preprocess.run is not available ({exc})")
        return out
    import cv2

    from vlocr.io.page import Page
    from vlocr.service.reading import ocr_page

    doc = generate("invoice", options.seed + 900)
    image = doc.image
    scale = 1000 / max(image.shape[:2])
    page = cv2.resize(
        image,
        (round(image.shape[1] * scale), round(image.shape[0] * scale)),
        interpolation=cv2.INTER_AREA,
    )
    inputs = {"page_1000px": page}
    if options.big_photo:
        inputs["photo_12mp"] = big_photo(options.seed + 901)
    repeats = 2 if options.quick else 5
    engine = (
        "rapidocr"
        if any(c.engine == "rapidocr" for c in configs)
        else (configs[0].engine if configs else "rapidocr")
    )
    for label, img in inputs.items():
        entry: dict[str, Any] = {"size": f"{img.shape[1]}x{img.shape[0]}"}
        for preset in ("auto", "seed"):
            times = []
            try:
                run_preprocess(img, preset, engine=engine)
                for _ in range(repeats):
                    start = time.perf_counter()
                    run_preprocess(img, preset, engine=engine)
                    times.append((time.perf_counter() - start) * 1000)
            except Exception as exc:  # noqa: BLE001 - a failing preset is reported, not fatal
                entry[preset] = {"error": f"{type(exc).__name__}: {exc}"}
                continue
            entry[preset] = _stats(times)
        ocr_times = []
        try:
            for _ in range(max(1, repeats // 2)):
                start = time.perf_counter()
                ocr_page(Page(image=img, source="speed"), engine=engine)
                ocr_times.append((time.perf_counter() - start) * 1000)
            entry["ocr_" + engine] = _stats(ocr_times)
            auto = entry.get("auto", {})
            if "median_ms" in auto:
                entry["auto_fraction_of_ocr"] = round(auto["median_ms"] / median(ocr_times), 3)
        except Exception as exc:  # noqa: BLE001
            entry["ocr_error"] = f"{type(exc).__name__}: {exc}"
        out[label] = entry
    if options.quick:
        return out
    try:
        from vlocr.preprocess.speed import measure_speed
    except ImportError:
        notes.append(
            "vlocr.preprocess.speed.measure_speed is not available; only the benchmark's own preprocessing timings are reported"
        )
    else:
        try:
            out["measure_speed"] = _jsonable(measure_speed())
        except Exception as exc:  # noqa: BLE001
            notes.append(
                f"vlocr.preprocess.speed.measure_speed() failed: {type(exc).__name__}: {exc}"
            )
    return out


def speed_section(options: BenchOptions, configs: list[Config], notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if options.receipts > 0:
        out["receipt"] = receipt_speed(configs, options.receipts, options.seed)
    if options.cold_start_runs > 0:
        default = (
            "rapidocr"
            if any(c.engine == "rapidocr" for c in configs)
            else (configs[0].engine if configs else "rapidocr")
        )
        out["cold_start"] = cold_start(options.cold_start_runs, default)
    out["preprocess"] = preprocess_speed(configs, options, notes)
    return out
