"""Locating the PP-OCR ONNX files bundled in the rapidocr wheels and opening them once.

Nothing is downloaded: ``v6`` models ship in ``rapidocr`` 3.10, ``v4`` in ``rapidocr_onnxruntime``.
Sessions are cached per (file, threads) so every engine instance in a process shares them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import platform
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vlocr.errors import EngineUnavailableError

# (package, file name) per model role and release
MODEL_FILES: dict[str, dict[str, tuple[str, str]]] = {
    "det": {
        "v6": ("rapidocr", "PP-OCRv6_det_small.onnx"),
        "v4": ("rapidocr_onnxruntime", "ch_PP-OCRv4_det_infer.onnx"),
    },
    "rec": {
        "v6": ("rapidocr", "PP-OCRv6_rec_small.onnx"),
        "v4": ("rapidocr_onnxruntime", "ch_PP-OCRv4_rec_infer.onnx"),
    },
    "cls": {"v2": ("rapidocr", "ch_ppocr_mobile_v2.0_cls_mobile.onnx")},
}


def model_path(role: str, release: str) -> Path:
    """Path of a bundled model file, or a typed error saying which wheel to install."""
    try:
        package, file_name = MODEL_FILES[role][release]
    except KeyError as exc:
        choices = ", ".join(MODEL_FILES.get(role, {}))
        raise EngineUnavailableError(
            f"no bundled {role} model '{release}'", f"choose one of: {choices}"
        ) from exc
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise EngineUnavailableError(
            f"the '{package}' package is not installed", f"pip install {package}"
        )
    path = Path(spec.origin).parent / "models" / file_name
    if not path.is_file():
        raise EngineUnavailableError(
            f"model file {file_name} is missing from {package}", f"reinstall {package}"
        )
    return path


@dataclass
class OnnxModel:
    """One inference session plus the metadata the pipeline needs (input name, CTC alphabet)."""

    session: Any
    input_name: str
    characters: list[str] | None

    def __call__(self, batch: Any) -> Any:
        return self.session.run(None, {self.input_name: batch})[0]


_sessions: dict[tuple[str, int, bool], OnnxModel] = {}
# a kept optimised graph that no process opened for this long is removed (see prune_...)
OPTIMIZED_GRAPH_MAX_AGE_DAYS = 30.0
_lock = threading.Lock()
_shared_arena: bool | None = None  # None: not tried yet


def _use_shared_arena(ort: Any) -> bool:
    """Register one CPU memory arena for the whole process (once), so the detector, recogniser and
    classifier sessions draw on one pool instead of each keeping its own high-water mark. Peak RSS
    (2 cores, interleaved runs): a fresh `vlocr read` of the sample receipt 281 -> 257-261 MB; 8
    SROIE receipts in one process 1,404 -> 1,365 MB; same speed. False, and each session keeps
    its own arena, if this ONNX Runtime cannot register one (e.g. another library already did)."""
    global _shared_arena
    if _shared_arena is None:
        try:
            info = ort.OrtMemoryInfo(
                "Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT
            )
            # no cap, grow by the next power of two, default chunk sizes: ONNX Runtime's own
            # arena settings (growing by exactly what is asked raised the 8-receipt peak to
            # 1,614 MB: the large detector and small recogniser blocks fragment it)
            ort.create_and_register_allocator(info, ort.OrtArenaCfg(0, 0, -1, -1))
            _shared_arena = True
        except Exception:  # noqa: BLE001 - any failure means: keep per-session arenas
            _shared_arena = False
    return _shared_arena


@functools.cache
def _cpu_signature() -> str:
    """What a fully optimised ONNX Runtime graph depends on besides ORT's version: the CPU's
    instruction set (e.g. the NCHWc block is 16 channels with AVX-512, 8 without)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.startswith(("flags", "Features")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{platform.machine()} {platform.processor()}"


def optimized_graph_path(path: Path, ort_version: str) -> Path | None:
    """Where this process keeps ONNX Runtime's fully optimised copy of ``path`` (under vlocr's
    cache folder, named by the model file, the ORT version and the CPU), or None when the cache
    folder cannot be written. Loading that copy instead of the bundled file skips the graph
    optimiser: a fresh process's sessions open in about half the time, and peak memory is ~17 MB
    lower because the weights are not re-laid-out at load while their originals are held."""
    try:
        from vlocr.config import cache_dir

        stat = path.stat()
        parts = [ort_version, str(path.resolve()), str(stat.st_size), str(stat.st_mtime_ns)]
        key = "\n".join([*parts, _cpu_signature()])
        folder = cache_dir() / "onnx-optimized"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return folder / f"{path.stem}.{digest}.onnx"


def _session_options(ort: Any, threads: int, spinning: bool, optimize: bool) -> Any:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = (
        ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if optimize
        else ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    )
    opts.log_severity_level = 3
    # Text crops come in a new width with nearly every batch: a memory plan cached per input
    # shape is seldom reused and its buffers stay in the arena (peak RSS over 8 SROIE receipts
    # 1,984 -> 1,573 MB without it, same speed).
    opts.enable_mem_pattern = False
    if not spinning:
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if _use_shared_arena(ort):
        opts.add_session_config_entry("session.use_env_allocators", "1")
    return opts


def _create_session(ort: Any, path: Path, threads: int, spinning: bool) -> Any:
    """A session on the cached optimised graph when there is one; otherwise on ``path``, saving
    the optimised graph for the next process. Any trouble with the cache falls back to ``path``."""
    providers = ["CPUExecutionProvider"]
    cached = optimized_graph_path(path, ort.__version__)
    if cached is not None and cached.is_file():
        try:
            opts = _session_options(ort, threads, spinning, optimize=False)
            session = ort.InferenceSession(str(cached), sess_options=opts, providers=providers)
        except Exception:  # noqa: BLE001 - a damaged or foreign copy: rebuild it below
            cached.unlink(missing_ok=True)
        else:
            with contextlib.suppress(OSError):
                os.utime(cached)  # in use: not pruned
            return session
    opts = _session_options(ort, threads, spinning, optimize=True)
    if cached is None:
        return ort.InferenceSession(str(path), sess_options=opts, providers=providers)
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.{threading.get_ident()}.part")
    opts.optimized_model_filepath = str(partial)
    try:
        session = ort.InferenceSession(str(path), sess_options=opts, providers=providers)
    except Exception:  # noqa: BLE001 - e.g. the copy could not be written: open without it
        partial.unlink(missing_ok=True)
        opts = _session_options(ort, threads, spinning, optimize=True)
        return ort.InferenceSession(str(path), sess_options=opts, providers=providers)
    if partial.is_file():
        try:
            os.replace(partial, cached)  # whole file or none, also with several processes
        except OSError:
            partial.unlink(missing_ok=True)
        prune_optimized_graphs(cached.parent)
    return session


def prune_optimized_graphs(
    folder: Path, max_age_days: float = OPTIMIZED_GRAPH_MAX_AGE_DAYS
) -> None:
    """Remove kept graphs no process has opened for ``max_age_days`` (other ONNX Runtime versions,
    removed virtual environments, older wheels): run whenever a new one is written."""
    cutoff = time.time() - max_age_days * 86400
    for path in folder.glob("*.onnx*"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()


def open_model(path: Path, threads: int, spinning: bool = False) -> OnnxModel:
    """One ONNX Runtime session per file and thread settings: intra-op = ``threads``, inter-op 1,
    sequential execution; idle worker threads sleep instead of spinning unless ``spinning``
    (on a small shared CPU, spinning burns the cycles other work needs). The graph is optimised
    once per machine and kept (see :func:`optimized_graph_path`)."""
    key = (str(path), threads, spinning)
    with _lock:
        model = _sessions.get(key)
        if model is not None:
            return model
        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise EngineUnavailableError(
                "onnxruntime is not installed", "pip install onnxruntime"
            ) from exc
        session = _create_session(ort, path, threads, spinning)
        meta = session.get_modelmeta().custom_metadata_map
        chars = meta["character"].splitlines() if "character" in meta else None
        model = OnnxModel(session, session.get_inputs()[0].name, chars)
        _sessions[key] = model
        return model
