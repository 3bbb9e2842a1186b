"""The benchmark grid: configurations x degradation groups x documents, in one interleaved run.

Every configuration reads exactly the same images in the same process, and configurations take
turns image by image (the starting one rotates), so a noisy, shared machine slows them all alike
and the ratios between them stay meaningful even when absolute times drift.
"""

from __future__ import annotations

import platform
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from vlocr.errors import InvalidOptionError, VlocrError
from vlocr.eval.data.canvas import GtLine
from vlocr.eval.reading.metrics import current_rss_mb, peak_rss_mb, score_text
from vlocr.eval.reading.model import (
    ALL_GROUPS,
    BASELINE,
    CASE_RULES,
    CASEFOLD_FORMATS,
    DEFAULT_ENGINES,
    DEFAULT_PRESETS,
    LAYOUT_GROUP,
    PAGE_KINDS,
    QUICK_GROUPS,
    QUICK_KINDS,
    BenchItem,
    BenchOptions,
    BenchResult,
    Config,
    SampleResult,
)
from vlocr.eval.reading.peers import Reader, parse_peer, peer_reader
from vlocr.eval.synth import LAYOUT_KINDS, Document, generate, rows_text
from vlocr.eval.synth.degrade import DEGRADATIONS, degrade

__all__ = [
    "ALL_GROUPS",
    "BASELINE",
    "DEFAULT_ENGINES",
    "DEFAULT_PRESETS",
    "QUICK_GROUPS",
    "QUICK_KINDS",
    "BenchItem",
    "BenchOptions",
    "BenchResult",
    "Config",
    "SampleResult",
    "default_configs",
    "degraded_item",
    "run_bench",
    "synthetic_items",
    "user_items",
]
# ---- building the grid --------------------------------------------------------------------------


def default_configs(
    engines: Sequence[str],
    presets: Sequence[str],
    vlm_model: str | None = None,
    peers: Sequence[str] = (),
) -> list[Config]:
    """Every engine with preset ``none``; the default engine also with each other preset; plain
    PP-OCRv6 also with ``auto`` (what preprocessing does for an engine that neither turns pages
    nor levels sloping rows itself); and, with a VLM model, the article's prompt grid
    (plain/structured x OCR hints, preprocessing none/seed)."""
    configs: list[Config] = []
    if "none" in presets:
        configs += [Config(e, "none") for e in engines]
    lead = "rapidocr" if "rapidocr" in engines else (engines[0] if engines else None)
    if lead is not None:
        configs += [Config(lead, p) for p in presets if p != "none"]
    if lead != "rapidocr-v6" and "rapidocr-v6" in engines and "auto" in presets:
        configs.append(Config("rapidocr-v6", "auto"))
    for spec in peers:
        peer = parse_peer(spec)
        configs.append(Config(peer.name, "none", command=peer.template))
    if vlm_model:
        for structured in (False, True):
            for hints in (False, True):
                configs.append(Config("vlm", "none", structured, hints))
            configs.append(Config("vlm", "seed", structured, False))
    return configs


def synthetic_items(options: BenchOptions) -> list[BenchItem]:
    """``docs_per_group`` documents per group; kinds rotate across all groups, severities cycle."""
    for g in options.groups:
        if g not in DEGRADATIONS:
            raise InvalidOptionError(
                f"unknown degradation group '{g}'", f"choose from: {', '.join(DEGRADATIONS)}"
            )
    items: list[BenchItem] = []
    counter = 0
    for group in options.groups:
        for i in range(options.docs_per_group):
            kind = options.kinds[counter % len(options.kinds)]
            doc_seed = options.seed + counter
            counter += 1
            severity = 1 if group == "clean" else (i % 3) + 1 if not options.quick else 2
            if group == "rotate" and not options.quick:
                severity = (i % 2) + 1  # 90 and 180 degrees
            items.append(degraded_item(generate(kind, doc_seed), group, severity, doc_seed))
    return items


def layout_items(options: BenchOptions) -> list[BenchItem]:
    """``layout_docs`` clean pages of each layout kind (mixed text sizes, several columns); their
    reading-order truth feeds the order CER."""
    items = []
    for kind in options.layout_kinds:
        if kind not in LAYOUT_KINDS:
            raise InvalidOptionError(
                f"unknown layout kind '{kind}'", f"choose from: {', '.join(LAYOUT_KINDS)}"
            )
        for i in range(options.layout_docs):
            doc = generate(kind, options.seed + i)
            item = degraded_item(doc, "clean", 1, options.seed + i)
            item.group = LAYOUT_GROUP
            item.item_id = f"{doc.doc_id}@{LAYOUT_GROUP}"
            items.append(item)
    return items


def degraded_item(doc: Document, group: str, severity: int, seed: int) -> BenchItem:
    image, lines = degrade(doc.image, doc.lines, group, severity, seed)
    return BenchItem(
        item_id=f"{doc.doc_id}@{group}{severity}",
        group=group,
        severity=severity,
        kind=doc.kind,
        lang=doc.lang,
        image=image,
        lines=lines,
        text=rows_text(doc.lines),
        fields=dict(doc.fields),
        page_text=doc.reading_text if doc.reading_order == "drawn" else None,
    )


def user_items(options: BenchOptions) -> list[BenchItem]:
    """Every labelled image of every ``--data`` folder. Kinds follow the format (``sroie``:
    receipt, ``funsd``: form, ``txt``: page); SROIE is scored case-insensitively unless
    ``options.case`` says otherwise."""
    from vlocr.eval.data.loaders import load_folder

    sets = options.data_sets()
    if options.case not in CASE_RULES:
        raise InvalidOptionError(
            f"unknown case rule '{options.case}'", f"choose from: {', '.join(CASE_RULES)}"
        )
    items = []
    for folder, fmt in sets:
        prefix = f"{fmt}:{Path(folder).name}/" if len(sets) > 1 else f"{fmt}:"
        for s in load_folder(folder, fmt, options.data_limit):
            boxed = bool(s.lines) and all(ln.box for ln in s.lines) and fmt != "txt"
            text = rows_text(s.lines) if boxed else s.text
            items.append(
                BenchItem(
                    item_id=f"{prefix}{s.sample_id}",
                    group=f"user:{fmt}",
                    severity=0,
                    kind=PAGE_KINDS.get(fmt, s.kind),
                    lang=s.lang,
                    image=s.image,
                    lines=s.lines,
                    text=text,
                    fields=s.fields,
                    page_text=None if boxed else s.text,
                    casefold=options.case == "ignore"
                    or (options.case == "auto" and fmt in CASEFOLD_FORMATS),
                )
            )
    return items


# ---- running one configuration on one image -------------------------------------------------------


def _preprocess_available() -> str | None:
    """None when ``vlocr.preprocess.run`` can be imported, else the reason it cannot."""
    try:
        from vlocr.preprocess import run  # noqa: F401
    except ImportError as exc:
        return f"vlocr.preprocess.run is not available ({exc})"
    return None


def _ocr_reader(config: Config) -> Reader:
    from vlocr.io.page import Page
    from vlocr.service.reading import read_page
    from vlocr.service.requests import ReadRequest

    # the page read as `vlocr read --engine E --preprocess P` reads it (structure step included)
    plan = ReadRequest(engine=config.engine, preprocess=config.preset).plan()

    def read(image: np.ndarray) -> tuple[str, list[str]]:
        result = read_page(Page(image=image, source="bench"), plan, raise_errors=True)
        rows = rows_text(
            [GtLine(ln.text, [(float(p[0]), float(p[1])) for p in ln.box]) for ln in result.lines]
        )
        return "\n".join(ln.text for ln in result.lines), rows.splitlines()

    return read


def _vlm_reader(config: Config, model: str, overrides: dict[str, Any]) -> Reader:
    from vlocr import service
    from vlocr.config import get_settings

    options = get_settings().vlm.model_copy(update={**overrides, "model": model})

    def read(image: np.ndarray) -> tuple[str, list[str]]:
        if config.preset != "none":
            from vlocr.preprocess import run as run_preprocess

            image = run_preprocess(image, config.preset).image
        answer = service.transcribe(
            image,
            structured=bool(config.structured),
            ocr_hints=bool(config.hints),
            ocr_checks=False,  # checks add an OCR pass that is not part of transcription
            vlm=options,
        )
        return answer.text, answer.text.splitlines()

    return read


def prepare_reader(config: Config, options: BenchOptions, warmup: np.ndarray) -> Reader:
    """Build the reader and run it once (model loading is not part of any measured latency).
    Raises ``VlocrError`` (or ImportError) when the configuration cannot run here."""
    if config.preset != "none":
        reason = _preprocess_available()
        if reason:
            raise InvalidOptionError(reason, "the preprocessing presets land with vlocr.preprocess")
    if config.command is not None:
        from vlocr.eval.reading.peers import PeerCommand

        reader = peer_reader(PeerCommand(config.engine, config.command))
    elif config.engine == "vlm":
        if not options.vlm_model:
            raise InvalidOptionError("no VLM model given", "pass --vlm-model")
        reader = _vlm_reader(config, options.vlm_model, options.vlm_options)
    else:
        from vlocr.ocr.registry import get_engine

        get_engine(config.engine)
        reader = _ocr_reader(config)
    reader(warmup)
    return reader


def _warmup_image() -> np.ndarray:
    doc = generate("form", 10_000)
    return doc.image


def run_bench(options: BenchOptions, items: Sequence[BenchItem] | None = None) -> BenchResult:
    """Run the whole grid (and the speed section when ``options.speed``); never raises for an
    engine that is missing here: its configurations are reported as skipped."""
    started = time.time()
    if items is None:
        items = []
        if options.synthetic:
            items += synthetic_items(options)
            items += layout_items(options)
        if options.data:
            items += user_items(options)
    if not items:
        raise InvalidOptionError("nothing to benchmark", "give synthetic groups or --data")
    configs = (
        list(options.configs)
        if options.configs
        else default_configs(options.engines, options.presets, options.vlm_model, options.peers)
    )
    if not configs:
        raise InvalidOptionError("no configurations to run", "pass at least one engine and preset")

    warmup = _warmup_image()
    readers: dict[str, Reader] = {}
    skipped: dict[str, str] = {}
    memory: dict[str, Any] = {
        "rss_before_engines_mb": round(current_rss_mb(), 1),
        "after_load_mb": {},
    }
    for config in configs:
        before = current_rss_mb()
        try:
            readers[config.name] = prepare_reader(config, options, warmup)
        except (VlocrError, ImportError, OSError, RuntimeError) as exc:
            message = (
                exc.one_line() if isinstance(exc, VlocrError) else f"{type(exc).__name__}: {exc}"
            )
            skipped[config.name] = message
            continue
        memory["after_load_mb"][config.name] = {
            "rss_mb": round(current_rss_mb(), 1),
            "delta_mb": round(current_rss_mb() - before, 1),
        }
    active = [c for c in configs if c.name in readers]

    samples: list[SampleResult] = []
    progress = _progress(len(items) * len(active), options.progress)
    for index, item in enumerate(items):
        shift = index % max(1, len(active))
        for config in active[shift:] + active[:shift]:
            samples.append(_run_one(readers[config.name], config, item))
            progress.update(1)
    progress.close()
    samples.sort(key=lambda s: (s.item_id, [c.name for c in active].index(s.config)))

    result = BenchResult(
        options=_options_dict(options, items),
        configs=[c.name for c in active],
        skipped=skipped,
        samples=samples,
        memory=memory,
    )
    if options.speed and active:
        from vlocr.eval.reading.speed import speed_section

        result.speed = speed_section(
            options, [c for c in active if c.engine != "vlm"], result.notes, items
        )
    memory["peak_rss_mb"] = round(peak_rss_mb(), 1)
    result.meta = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": _cpu_count(),
        "load_average": _loadavg(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "wall_s": round(time.time() - started, 1),
        "versions": _versions(),
    }
    return result


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (Tesseract and peers run as
    subprocesses), so engines compare even when other jobs share the cores."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def _run_one(reader: Reader, config: Config, item: BenchItem) -> SampleResult:
    error = None
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    try:
        hypothesis, hyp_lines = reader(item.image)
    except VlocrError as exc:
        hypothesis, hyp_lines, error = "", [], exc.one_line()
    except Exception as exc:  # a crash in one engine on one image must not end the whole run
        hypothesis, hyp_lines, error = "", [], f"{type(exc).__name__}: {exc}"
    latency = (time.perf_counter() - start) * 1000
    cpu_ms = (cpu_seconds() - cpu0) * 1000
    scores = score_text(
        item.text,
        hypothesis,
        reference_lines=item.reference_lines,
        hypothesis_lines=hyp_lines,
        fields=item.fields,
        casefold=item.casefold,
        page_text=item.page_text,
    )
    return SampleResult(
        item_id=item.item_id,
        group=item.group,
        severity=item.severity,
        kind=item.kind,
        lang=item.lang,
        config=config.name,
        latency_ms=round(latency, 2),
        scores=scores.to_dict(),
        n_lines=len(hyp_lines),
        error=error,
        hypothesis=hypothesis,
        cpu_ms=round(cpu_ms, 2),
        casefold=item.casefold,
    )


class _NoBar:
    def update(self, n: int) -> None: ...

    def close(self) -> None: ...


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc="bench", unit="read", file=sys.stderr, dynamic_ncols=True)


def _options_dict(options: BenchOptions, items: Sequence[BenchItem]) -> dict[str, Any]:
    d = asdict(options)
    d["configs"] = [
        Config(**c).name if isinstance(c, dict) else str(c) for c in (d.get("configs") or [])
    ]
    d["n_items"] = len(items)
    d["items"] = [
        {
            "id": i.item_id,
            "group": i.group,
            "severity": i.severity,
            "kind": i.kind,
            "lang": i.lang,
            "casefold": i.casefold,
            "size": list(i.image.shape[:2]),
            "ref_chars": len(i.text),
        }
        for i in items
    ]
    return d


def _cpu_count() -> int | None:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def _loadavg() -> list[float] | None:
    import os

    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for name in (
        "vlocr",
        "rapidocr",
        "rapidocr_onnxruntime",
        "onnxruntime",
        "opencv-python-headless",
        "pytesseract",
    ):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    try:
        import pytesseract

        out["tesseract"] = str(pytesseract.get_tesseract_version())
    except Exception:  # noqa: BLE001 - version is informational only
        pass
    return out
