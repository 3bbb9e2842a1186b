"""The speed section of the benchmark: receipts read in one process, fresh processes (ours and
the peers': wall, CPU, peak memory), and the preprocessing cost.

Absolute times on a shared machine drift; every comparison here is made inside one run with
the candidates interleaved, so read the ratios, not the milliseconds.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from vlocr.eval.reading.metrics import cer, median, percentile
from vlocr.eval.reading.model import BenchItem, BenchOptions, Config
from vlocr.eval.reading.peers import PeerCommand, ProcessRun, run_process
from vlocr.eval.synth import generate, long_receipt, pages

SAMPLE_RECEIPT = Path(__file__).resolve().parents[4] / "examples" / "receipt.jpg"


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(median(values), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "n": len(values),
    }


def receipt_pages(
    count: int, seed: int, items: Sequence[BenchItem] = ()
) -> tuple[str, list[tuple[np.ndarray, str]]]:
    """``count`` receipts with their truth: the real ones among ``items`` (``--data`` receipts)
    when there are any, else synthetic receipt-sized pages (about 600 x 1700 px, 40-50 rows)."""
    real = [(i.image, i.text) for i in items if i.kind == "receipt" and i.group.startswith("user")]
    if len(real) >= count:
        return "real receipts from --data", real[:count]
    docs = [long_receipt(seed + 500 + i) for i in range(count)]
    return "synthetic receipt-sized pages", [(d.image, d.text) for d in docs]


def receipt_speed(
    configs: list[Config], count: int, seed: int, items: Sequence[BenchItem] = ()
) -> dict[str, Any]:
    """Median read time of each engine (preset none) over ``count`` receipts in this process,
    engines interleaved receipt by receipt."""
    from vlocr.io.page import Page
    from vlocr.service.reading import ocr_page

    engines = [c.engine for c in configs if c.preset == "none" and c.command is None]
    source, receipts = receipt_pages(count, seed, items)
    times: dict[str, list[float]] = {e: [] for e in engines}
    cers: dict[str, list[float]] = {e: [] for e in engines}
    for i, (image, text) in enumerate(receipts):
        order = engines[i % len(engines) :] + engines[: i % len(engines)] if engines else []
        for engine in order:
            start = time.perf_counter()
            result = ocr_page(Page(image=image, source="receipt"), engine=engine, preprocess="none")
            times[engine].append((time.perf_counter() - start) * 1000)
            cers[engine].append(cer(text, result.text, casefold=True))
    shape = receipts[0][0].shape if receipts else (0, 0)
    return {
        "source": source,
        "image_size": f"{shape[1]}x{shape[0]}",
        "text_rows": receipts[0][1].count("\n") + 1 if receipts else 0,
        "per_engine": {
            e: {**_stats(times[e]), "cer_mean": round(float(np.mean(cers[e])), 4)}
            for e in engines
            if times[e]
        },
    }


def our_command(engine: str) -> list[str]:
    """``vlocr read --engine ENGINE`` as a user runs it: the console script next to this Python
    (``python -m vlocr.cli.main`` when there is none)."""
    script = Path(sys.executable).with_name("vlocr")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "vlocr.cli.main"]
    return base + ["read", "--engine", engine]


def _process_stats(runs: list[ProcessRun]) -> dict[str, Any]:
    ok = [r for r in runs if r.returncode == 0 and r.stdout.strip()]
    out: dict[str, Any] = {"n": len(ok)}
    if ok:
        out.update(
            wall_median_ms=round(median([r.wall_ms for r in ok]), 1),
            cpu_median_ms=round(median([r.cpu_ms for r in ok]), 1),
            peak_median_mb=round(median([r.peak_mb for r in ok]), 1),
        )
    failures = [r.last_error_line() for r in runs if r not in ok]
    if failures:
        out["failures"] = failures[:3]
    return out


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONWARNINGS": "ignore"}


def fresh_process(
    runs: int, engine: str, peers: Sequence[PeerCommand], image: Path
) -> dict[str, Any]:
    """One image read by a fresh process, ``runs`` times, ours and each peer taking turns:
    median wall time, CPU time and peak resident memory of each, and ours / peer ratios."""
    commands = {f"vlocr read --engine {engine}": our_command(engine) + [str(image)]}
    commands.update({f"{p.name} (peer)": p.argv([image]) for p in peers})
    names = list(commands)
    results: dict[str, list[ProcessRun]] = {n: [] for n in names}
    for i in range(runs):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            results[name].append(run_process(commands[name], 300, _env()))
    per = {n: _process_stats(results[n]) for n in names}
    return {"image": image.name, "runs": runs, "per_command": per, **_ratios(per, names[0])}


def _ratios(per: dict[str, dict[str, Any]], ours: str, keys: Sequence[str] = ()) -> dict[str, Any]:
    """``ours / other`` for every other entry and every median in it."""
    keys = keys or ("wall_median_ms", "cpu_median_ms", "peak_median_mb")
    out: dict[str, dict[str, float]] = {}
    for name, entry in per.items():
        if name == ours:
            continue
        out[name] = {
            k: round(per[ours][k] / entry[k], 3) for k in keys if per[ours].get(k) and entry.get(k)
        }
    return {"ours_over": out}


def per_receipt_in_process(
    engine: str,
    peers: Sequence[PeerCommand],
    receipts: list[np.ndarray],
    repeats: int,
) -> dict[str, Any]:
    """Time per receipt inside one warm process, for commands that read several images: the
    wall time of a process reading 1 + K receipts minus that of one reading 1, divided by K.
    The start-up and model load cancel out, so ours and a peer compare on the same footing
    (the peer cannot be loaded into this process)."""
    from PIL import Image

    batch_peers = [p for p in peers if p.batch]
    out: dict[str, Any] = {
        "method": "(time(1 + K receipts) - time(1 receipt)) / K, wall and CPU, medians over repeats",
        "k": len(receipts) - 1,
        "skipped_peers": [p.name for p in peers if not p.batch],
    }
    if len(receipts) < 2:
        return out
    with tempfile.TemporaryDirectory(prefix="vlocr-speed-") as tmp:
        paths = []
        for i, image in enumerate(receipts):
            paths.append(Path(tmp) / f"receipt-{i}.png")
            Image.fromarray(image).save(paths[-1])
        commands = {f"vlocr read --engine {engine}": lambda imgs: our_command(engine) + imgs}
        for p in batch_peers:
            commands[f"{p.name} (peer)"] = p.argv
        names = list(commands)
        marginal: dict[str, list[float]] = {n: [] for n in names}
        marginal_cpu: dict[str, list[float]] = {n: [] for n in names}
        failures: dict[str, str] = {}
        for r in range(repeats):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                one = run_process(commands[name]([str(paths[0])]), 600, _env())
                many = run_process(commands[name]([str(p) for p in paths]), 900, _env())
                if one.returncode or many.returncode:
                    failures[name] = (one if one.returncode else many).last_error_line()
                    continue
                marginal[name].append((many.wall_ms - one.wall_ms) / (len(paths) - 1))
                marginal_cpu[name].append((many.cpu_ms - one.cpu_ms) / (len(paths) - 1))
    per = {
        n: {
            "per_receipt_median_ms": round(median(v), 1),
            "cpu_per_receipt_median_ms": round(median(marginal_cpu[n]), 1),
            "n": len(v),
        }
        for n, v in marginal.items()
        if v
    }
    out["per_command"] = per
    if failures:
        out["failures"] = failures
    if names and names[0] in per:
        out.update(_ratios(per, names[0], ("per_receipt_median_ms", "cpu_per_receipt_median_ms")))
    return out


def _sample_receipt(tmp: Path, seed: int) -> Path:
    """The repository's sample receipt when this is a source checkout, else a rendered one."""
    if SAMPLE_RECEIPT.is_file():
        return SAMPLE_RECEIPT
    from PIL import Image

    path = tmp / "receipt.png"
    Image.fromarray(long_receipt(seed + 4242).image).save(path)
    return path


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
    from vlocr.eval.synth.degrade import degrade

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
        out["measure_speed"] = _jsonable(measure_preprocess_speed())
    except Exception as exc:  # noqa: BLE001
        notes.append(f"measure_preprocess_speed() failed: {type(exc).__name__}: {exc}")
    return out


def _preprocess_cases() -> dict[str, np.ndarray]:
    page = pages.render_text(pages.SAMPLE_LINES * 3, font_px=24, width=1000)
    big = pages.big_page(4000, 3000, 60)
    h, w = big.shape[:2]
    corners = np.array([[300, 250], [w - 200, 150], [w - 350, h - 150], [200, h - 300]], float)
    photo = pages.shadow(pages.paste_on_background(big[::2, ::2], corners, (w, h)), 0.4)
    return {
        "1000px_clean": page,
        "1000px_shadow": pages.shadow(page),
        "12mp_clean": big,
        "12mp_photo": photo,
    }


def measure_preprocess_speed(
    repeats: int = 5, threads: int = 1, pipelines: tuple[str, ...] = ("auto", "seed")
) -> dict[str, Any]:
    """Median (and min) ms per preprocessing pipeline on rendered pages (one OpenCV thread by
    default, like a busy server), plus the steps ``auto`` chose."""
    from vlocr.preprocess import run

    old = cv2.getNumThreads()
    cv2.setNumThreads(threads)
    try:
        report: dict[str, Any] = {"threads": threads, "repeats": repeats, "cases": {}}
        for name, image in _preprocess_cases().items():
            row: dict[str, Any] = {"size": [image.shape[1], image.shape[0]]}
            for pipeline in pipelines:
                run(image, pipeline)  # warm-up
                times = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    result = run(image, pipeline)
                    times.append((time.perf_counter() - t0) * 1000)
                row[pipeline] = {
                    "median_ms": round(float(np.median(times)), 1),
                    "min_ms": round(float(np.min(times)), 1),
                    "steps": [s.name for s in result.trace.steps],
                }
                if pipeline == "auto":
                    row[pipeline]["measure_ms"] = result.trace.measurements.get("measure_ms")
            report["cases"][name] = row
        return report
    finally:
        cv2.setNumThreads(old)


def speed_section(
    options: BenchOptions,
    configs: list[Config],
    notes: list[str],
    items: Sequence[BenchItem] = (),
) -> dict[str, Any]:
    """Receipts in this process; fresh processes and per-receipt time in one process for our
    default engine and each peer command; preprocessing cost."""
    out: dict[str, Any] = {}
    in_venv = [c for c in configs if c.command is None]
    peers = [PeerCommand(c.engine, c.command) for c in configs if c.command is not None]
    default = next((c.engine for c in in_venv if c.engine == "rapidocr"), None) or (
        in_venv[0].engine if in_venv else "rapidocr"
    )
    if options.receipts > 0 and in_venv:
        out["receipt"] = receipt_speed(in_venv, options.receipts, options.seed, items)
    if options.cold_start_runs > 0:
        with tempfile.TemporaryDirectory(prefix="vlocr-fresh-") as tmp:
            image = _sample_receipt(Path(tmp), options.seed)
            out["fresh_process"] = fresh_process(options.cold_start_runs, default, peers, image)
        if options.receipts > 1:
            _, receipts = receipt_pages(options.receipts + 1, options.seed, items)
            out["per_receipt_process"] = per_receipt_in_process(
                default, peers, [img for img, _ in receipts], max(1, options.cold_start_runs // 2)
            )
    if in_venv:
        out["preprocess"] = preprocess_speed(in_venv, options, notes)
    return out
