"""Qwen3-VL at its real size on this CPU: load, memory and latency per stage (``--vlm-speed``).

Speed and memory do not depend on the weights' values, so the benchmark builds randomly
initialised Qwen3-VL-2B / -4B of the released shapes (vlocr.eval.vlm.real_shape_qwen), saves them
as safetensors and loads them through the product's ``from_pretrained`` path. Each dtype runs in
its own process, so "process start -> ready" and peak RSS are that process's own. Generation
length is fixed (random weights never stop by themselves), and the answers are noise.

Per cell: image preprocessing + tokenising (``preprocess``), the vision encoder (``vision``), the
rest of the prefill (``prefill``), the first token counted from the call (``first_token``), and
decode tokens/s. The ``default`` rows go through the service with the shipped defaults (dtype
auto, OCR hints, the hints budget, focus on the rows the question names, prompt lookup, KV reuse),
including a second chat turn about the same image.

Run: ``python -m vlocr.eval.vlm.vlm_speed --out DIR`` (or ``vlocr bench --vlm-speed``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

QUESTION = "What is the total?"
FOLLOW_UP = "What is the date on it?"
DEFAULT_BUDGETS = (256, 512, 1280)
DEFAULT_DTYPES = ("float32", "bfloat16", "int8")
TOKENS = 8
RECEIPT_SEED = 0


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _cell_row(gen: Any, encode_ms: float) -> dict[str, Any]:
    t = gen.timings_ms
    per_tok = t.get("decode_per_token")
    first = t.get("first_token")
    return {
        "visual_tokens": gen.usage.image_tokens,
        "prompt_tokens": gen.usage.prompt_tokens,
        "new_tokens": gen.usage.completion_tokens,
        "preprocess_ms": _ms(encode_ms),
        "vision_ms": _ms(t.get("vision")),
        "prefill_ms": _ms(t.get("prefill")),
        "first_token_ms": _ms(None if first is None else first + encode_ms),
        "decode_tok_s": None if not per_tok else round(1000 / per_tok, 2),
        "generate_ms": _ms(t.get("generate")),
        "prefix_reused_tokens": gen.info.get("prefix_reused_tokens", 0),
        "prompt_lookup_tokens": gen.info.get("prompt_lookup_tokens", 0),
        "peak_rss_mb": round(_rss_mb()),
    }


def _answer_row(answer: Any) -> dict[str, Any]:
    """A row from a service answer (``vlm_*`` timings are the engine's)."""
    t = answer.timings_ms
    per_tok = t.get("vlm_decode_per_token")
    encode = t.get("vlm_encode", 0.0)
    first = t.get("vlm_first_token")
    visual = answer.visual_input
    return {
        "visual_tokens": answer.usage.image_tokens,
        "prompt_tokens": answer.usage.prompt_tokens,
        "new_tokens": answer.usage.completion_tokens,
        "ocr_ms": _ms(t.get("ocr")),
        "preprocess_ms": _ms(encode),
        "vision_ms": _ms(t.get("vlm_vision")),
        "prefill_ms": _ms(t.get("vlm_prefill")),
        "first_token_ms": _ms(None if first is None else first + encode),
        "decode_tok_s": None if not per_tok else round(1000 / per_tok, 2),
        "generate_ms": _ms(t.get("vlm_generate")),
        "sent": visual.sent if visual else "page",
        "box": list(visual.box) if visual and visual.box else None,
        "budget_tokens": visual.budget_tokens if visual else None,
        "prefix_reused_tokens": answer.engine.get("prefix_reused_tokens", 0),
        "prompt_lookup_tokens": answer.engine.get("prompt_lookup_tokens", 0),
        "dtype": answer.engine.get("dtype"),
        "dtype_reason": answer.engine.get("dtype_reason"),
        "peak_rss_mb": round(_rss_mb()),
    }


# ---- the worker: one process per (model, dtype) -------------------------------------------------


def run_worker(spec: dict[str, Any], save: Any = None) -> dict[str, Any]:
    """Load the model once, then run the cells; every time is measured in this process.

    ``save(result)`` is called after every step, so a run cut by its time limit keeps its rows.
    """
    save = save or (lambda _result: None)
    import numpy as np
    from PIL import Image

    from vlocr.config import VlmOptions
    from vlocr.tasks import ask_messages
    from vlocr.vlm import get_engine

    base = VlmOptions(model=spec["model"], device="cpu", dtype=spec["dtype"])
    engine = get_engine(base)
    ready_s = time.time() - spec["spawned_at"]
    bundle = engine.bundle  # type: ignore[attr-defined]
    n = int(spec["tokens"])
    bundle.model.generation_config.min_new_tokens = n  # a fixed length: random weights never stop
    out: dict[str, Any] = {
        "size": spec["size"],
        "dtype": bundle.dtype.dtype,
        "dtype_asked": spec["dtype"],
        "dtype_reason": bundle.dtype.reason,
        "ready_s": round(ready_s, 1),
        "load_ms": round(bundle.load_ms),
        "rss_after_load_mb": round(_rss_mb()),
        "cells": [],
    }
    image = np.asarray(Image.open(spec["image"]).convert("RGB"))
    save(out)
    if spec.get("default"):
        out["default"] = {}
        _default_rows(spec, base, n, out["default"], lambda: save(out))
    for cell in spec["cells"]:
        opts = base.model_copy(
            update={
                "max_pixels": int(cell["budget"]) * 32 * 32,
                "prompt_lookup_tokens": 0,
                "reuse_prefix": False,
            }
        )
        eng = get_engine(opts)
        hints = spec["hints"] if cell["hints"] else None
        messages = ask_messages(spec["question"], hints=hints)
        start = time.perf_counter()
        gen = eng.generate(messages, images=[image], max_new_tokens=n, stop_on_loop=False)
        total = (time.perf_counter() - start) * 1000
        row = _cell_row(gen, gen.timings_ms.get("encode", 0.0))
        row.update(budget=cell["budget"], hints=bool(cell["hints"]), total_ms=round(total, 1))
        out["cells"].append(row)
        out["peak_rss_mb"] = round(_rss_mb())
        save(out)
        _progress(
            f"{spec['size']} {out['dtype']} budget {cell['budget']} hints {cell['hints']}: {row}"
        )
    out["peak_rss_mb"] = round(_rss_mb())
    return out


def _default_rows(spec: dict[str, Any], base: Any, n: int, rows: dict[str, Any], save: Any) -> None:
    """The shipped defaults through the service: a two-turn chat, then ask with hints."""
    from vlocr.results import ChatMessage
    from vlocr.service.questions import ask, chat

    image = spec["image"]
    first = chat(image, [], spec["question"], vlm=base, ocr_hints=True, max_new_tokens=n)
    rows["chat_turn1"] = _answer_row(first)
    save()
    history = [
        ChatMessage(role="user", content=spec["question"]),
        ChatMessage(role="assistant", content=first.text),
    ]
    second = chat(image, history, spec["follow_up"], vlm=base, ocr_hints=True, max_new_tokens=n)
    rows["chat_turn2"] = _answer_row(second)
    save()
    _progress(f"default chat: {rows['chat_turn1']} / {rows['chat_turn2']}")
    answer = ask(image, spec["question"], vlm=base, ocr_hints=True, max_new_tokens=n)
    rows["ask"] = _answer_row(answer)
    save()
    _progress(f"default ask: {rows['ask']}")


def _progress(text: str) -> None:
    print(f"[vlm-speed {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# ---- the parent: build models, write the image and hints, spawn workers, report ---------------


def _receipt(workdir: Path) -> tuple[Path, str, dict[str, Any]]:
    """A receipt-sized synthetic page, and its OCR hints from the product's OCR."""
    from vlocr.eval.synth import long_receipt
    from vlocr.io.page import Page
    from vlocr.service.reading import ocr_page
    from vlocr.service.task_page import ocr_hints

    doc = long_receipt(RECEIPT_SEED)
    path = workdir / "receipt.png"
    from PIL import Image

    Image.fromarray(doc.image).save(path)
    h, w = doc.image.shape[:2]
    lines = list(ocr_page(Page(image=doc.image, source="receipt"), engine="rapidocr").lines)
    hints = ocr_hints(lines, doc.image)
    return path, hints, {"size": f"{w}x{h}", "lang": doc.lang, "ocr_lines": len(lines)}


def _model_dir(size: str, given: dict[str, str], workdir: Path) -> Path:
    from vlocr.eval.vlm.real_shape_qwen import build_real_shape_qwen3_vl

    if size in given:
        path = Path(given[size])
        if (path / "config.json").is_file():
            return path
    else:
        path = workdir / f"qwen3-vl-{size}-random"
    _progress(f"building a random Qwen3-VL-{size.upper()} in {path} (bfloat16 safetensors)")
    return build_real_shape_qwen3_vl(path, size)


def _spawn(spec: dict[str, Any], workdir: Path, timeout_s: float) -> dict[str, Any]:
    spec_path = workdir / f"spec-{spec['size']}-{spec['dtype']}.json"
    out_path = spec_path.with_suffix(".out.json")
    spec["spawned_at"] = time.time()
    spec_path.write_text(json.dumps(spec))
    cmd = [
        sys.executable,
        "-m",
        "vlocr.eval.vlm.vlm_speed",
        "--worker",
        str(spec_path),
        str(out_path),
    ]
    try:
        proc = subprocess.run(cmd, timeout=timeout_s, check=False, env=os.environ.copy())
    except subprocess.TimeoutExpired:
        return _partial(spec, out_path, f"timed out after {timeout_s:.0f} s")
    if proc.returncode != 0 or not out_path.is_file():
        return _partial(spec, out_path, f"worker exit {proc.returncode}")
    return dict(json.loads(out_path.read_text()))


def _partial(spec: dict[str, Any], out_path: Path, error: str) -> dict[str, Any]:
    """What a worker saved before it was stopped, marked with why it stopped."""
    row: dict[str, Any] = {"size": spec["size"], "dtype": spec["dtype"], "cells": []}
    if out_path.is_file():
        with contextlib.suppress(ValueError):
            row.update(json.loads(out_path.read_text()))
    row["error"] = error
    return row


def machine_info() -> dict[str, Any]:
    from vlocr.vlm.dtypes import cpu_flags, native_bf16_flags

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    flags = cpu_flags()
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "native_bf16": native_bf16_flags(flags),
        "simd": sorted(f for f in flags if f.startswith(("avx", "amx"))),
        "python": platform.python_version(),
    }


def run(
    out_dir: Path,
    *,
    sizes: tuple[str, ...] = ("2b", "4b"),
    dtypes: tuple[str, ...] = DEFAULT_DTYPES,
    budgets: tuple[int, ...] = DEFAULT_BUDGETS,
    hints: tuple[bool, ...] = (True, False),
    big_budget: int = 256,
    big_dtypes: tuple[str, ...] = ("bfloat16",),
    big_hints: bool = True,
    tokens: int = TOKENS,
    model_dirs: dict[str, str] | None = None,
    default_in: str = "auto",
    timeout_s: float = 3600.0,
    builder: Any = None,
    command: str = "",
) -> dict[str, Any]:
    """Run the grid and write ``vlm-speed.json`` and ``vlm-speed.md`` into ``out_dir``.

    ``sizes`` other than the first run only ``big_dtypes`` at ``big_budget`` (a 4B
    grid would not fit a shared machine's memory or time). The ``default`` rows run in the first
    size's process whose dtype is ``default_in`` (auto = the product default).
    """
    import torch
    import transformers

    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="vlocr-vlm-speed-") as tmp:
        work = Path(tmp)
        image, hint_text, image_info = _receipt(work)
        results: list[dict[str, Any]] = []
        tokenizer_info: dict[str, Any] = {}
        for i, size in enumerate(sizes):
            path = (builder or _model_dir)(size, dict(model_dirs or {}), work)
            if not tokenizer_info:
                tokenizer_info = _tokens_per_char(path, hint_text)
            size_dtypes = dtypes if i == 0 else big_dtypes
            if i == 0 and default_in == "auto":
                from vlocr.vlm.dtypes import choose_dtype

                default_in = choose_dtype("auto", "cpu").dtype
            for dtype in size_dtypes:
                if i == 0:
                    cells = [{"budget": b, "hints": h} for b in budgets for h in hints]
                else:
                    cells = [{"budget": big_budget, "hints": big_hints}]
                spec = {
                    "size": size,
                    "model": str(path),
                    "dtype": dtype,
                    "image": str(image),
                    "question": QUESTION,
                    "follow_up": FOLLOW_UP,
                    "hints": hint_text,
                    "tokens": tokens,
                    "cells": cells,
                    "default": i == 0 and dtype == default_in,
                }
                row = _spawn(spec, work, timeout_s)
                row["weights_gb"] = round(_weights_bytes(path) / 1e9, 2)
                results.append(row)
    report = {
        "command": command,
        "machine": machine_info(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "question": QUESTION,
        "follow_up": FOLLOW_UP,
        "new_tokens": tokens,
        "image": image_info,
        "hints_chars": len(hint_text),
        "tokenizer": tokenizer_info,
        "processes": results,
        "minutes": round((time.time() - started) / 60, 1),
    }
    report["checks"] = checks(report)
    (out_dir / "vlm-speed.json").write_text(json.dumps(report, indent=2))
    (out_dir / "vlm-speed.md").write_text(markdown(report))
    return report


def _weights_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).glob("*.safetensors"))


def _tokens_per_char(path: Path, text: str) -> dict[str, Any]:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(path))
    n = len(tok(text, add_special_tokens=False)["input_ids"])
    return {"hints_tokens": n, "chars_per_token": round(len(text) / max(n, 1), 2)}


def checks(report: dict[str, Any]) -> dict[str, Any]:
    """The issue's acceptance numbers, computed from this run's rows (None when not measured)."""
    procs = [p for p in report["processes"] if "ready_s" in p]  # partial rows count too
    first = procs[0]["size"] if procs else None
    default = next((p for p in procs if p.get("default")), None)
    f32 = next((p for p in procs if p["size"] == first and p["dtype"] == "float32"), None)
    f32_1280 = None
    if f32:
        f32_1280 = next(
            (c for c in f32["cells"] if c["budget"] == max(DEFAULT_BUDGETS) and c["hints"]), None
        )
    out: dict[str, Any] = {}
    if default:
        rows = default["default"]
        ask = rows.get("ask", {}).get("first_token_ms")
        t1 = rows.get("chat_turn1", {}).get("first_token_ms")
        t2 = rows.get("chat_turn2", {}).get("first_token_ms")
        out["default_dtype"] = default["dtype"]
        out["default_peak_rss_mb"] = default.get("peak_rss_mb", default.get("rss_after_load_mb"))
        out["default_ready_s"] = default["ready_s"]
        out["default_ask_first_token_ms"] = ask
        out["chat_turn2_over_turn1"] = round(t2 / t1, 3) if t1 and t2 else None
        if f32_1280 and ask:
            out["float32_1280_first_token_ms"] = f32_1280["first_token_ms"]
            out["speedup_vs_float32_1280"] = round(f32_1280["first_token_ms"] / ask, 2)
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value / 1000:.1f}" if value >= 1000 else f"{value / 1000:.2f}"
    return str(value)


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; native bfloat16: "
        f"{', '.join(m['native_bf16']) or 'no'}; torch {report['torch']}, transformers "
        f"{report['transformers']}. Receipt {report['image']['size']} px, "
        f"{report['hints_chars']} chars of OCR hints ({report['tokenizer'].get('hints_tokens')} "
        f"tokens), {report['new_tokens']} new tokens per answer. Times in seconds.",
        "",
        "| model | dtype | weights GB | process start -> ready s | peak RSS GB |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for p in report["processes"]:
        peak = p.get("peak_rss_mb", p.get("rss_after_load_mb"))
        lines.append(
            f"| {p['size']} | {p['dtype']} | {p.get('weights_gb')} | {p.get('ready_s', '-')} | "
            f"{'-' if peak is None else f'{peak / 1024:.1f}'} |"
            + (f" stopped: {p['error']}" if "error" in p else "")
        )
    lines += [
        "",
        "| model | dtype | budget | hints | visual tokens | prompt tokens | preprocess | vision | "
        "prefill | first token | decode tok/s | peak RSS GB so far |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in report["processes"]:
        for c in p.get("cells", []):
            lines.append(
                f"| {p['size']} | {p['dtype']} | {c['budget']} | {'yes' if c['hints'] else 'no'} | "
                f"{c['visual_tokens']} | {c['prompt_tokens']} | {_fmt(c['preprocess_ms'])} | "
                f"{_fmt(c['vision_ms'])} | {_fmt(c['prefill_ms'])} | {_fmt(c['first_token_ms'])} | "
                f"{c['decode_tok_s'] or '-'} | {c['peak_rss_mb'] / 1024:.1f} |"
            )
    for p in report["processes"]:
        if not p.get("default"):
            continue
        lines += [
            "",
            f"Shipped defaults through the service ({p['size']}, dtype {p['dtype']}: "
            f"{p.get('dtype_reason', '')}):",
            "",
            "| call | sent | visual tokens | prompt tokens | reused prefix | OCR | preprocess | "
            "vision | prefill | first token | decode tok/s |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, r in p["default"].items():
            lines.append(
                f"| {name} | {r['sent']} | {r['visual_tokens']} | {r['prompt_tokens']} | "
                f"{r['prefix_reused_tokens']} | {_fmt(r['ocr_ms'])} | {_fmt(r['preprocess_ms'])} | "
                f"{_fmt(r['vision_ms'])} | {_fmt(r['prefill_ms'])} | {_fmt(r['first_token_ms'])} | "
                f"{r['decode_tok_s'] or '-'} |"
            )
    if report.get("checks"):
        lines += ["", "Checks: " + json.dumps(report["checks"])]
    return "\n".join(lines) + "\n"


def matmul_probe(rounds: int = 5) -> dict[str, Any]:
    """One Qwen3-VL-2B MLP projection (2048 -> 6144) per dtype, interleaved: why ``auto`` picks
    what it picks on this CPU. Medians in ms for one token (decode) and 256 tokens (prefill)."""
    import torch
    from torch import nn

    from vlocr.vlm.quantize import quantize_int8

    torch.manual_seed(0)
    layers: dict[str, Any] = {}
    for name in ("float32", "bfloat16", "int8"):
        holder = nn.Sequential(nn.Linear(2048, 6144, bias=False)).eval()
        if name == "bfloat16":
            holder = holder.to(torch.bfloat16)
        elif name == "int8":
            quantize_int8(holder.to(torch.bfloat16))
        layers[name] = holder
    out: dict[str, Any] = {}
    for m in (1, 256):
        times: dict[str, list[float]] = {k: [] for k in layers}
        x32 = torch.randn(m, 2048)
        with torch.inference_mode():
            for _ in range(rounds):
                for name, layer in layers.items():
                    x = x32.to(torch.bfloat16) if name == "bfloat16" else x32
                    layer(x)
                    start = time.perf_counter()
                    layer(x)
                    times[name].append((time.perf_counter() - start) * 1000)
        out[f"tokens_{m}"] = {k: round(sorted(v)[len(v) // 2], 2) for k, v in times.items()}
    return out


def _split(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--worker"]:
        spec = json.loads(Path(args[1]).read_text())
        target = Path(args[2])

        def save(result: dict[str, Any]) -> None:
            tmp = target.with_suffix(".tmp")
            tmp.write_text(json.dumps(result))
            tmp.replace(target)

        save(run_worker(spec, save))
        return 0
    parser = argparse.ArgumentParser(prog="python -m vlocr.eval.vlm.vlm_speed", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--sizes", default="2b,4b", help="2b first; later sizes run one cell")
    parser.add_argument("--dtypes", default=",".join(DEFAULT_DTYPES))
    parser.add_argument("--budgets", default=",".join(str(b) for b in DEFAULT_BUDGETS))
    parser.add_argument("--hints", default="both", choices=("both", "on", "off"))
    parser.add_argument("--big-budget", type=int, default=256)
    parser.add_argument("--big-dtypes", default="bfloat16")
    parser.add_argument("--big-hints", default="on", choices=("on", "off"))
    parser.add_argument("--tokens", type=int, default=TOKENS)
    parser.add_argument(
        "--model-dir",
        action="append",
        default=[],
        help="SIZE=DIR: reuse (or build once into) DIR instead of a temporary folder",
    )
    parser.add_argument(
        "--default-in", default="auto", help="dtype whose process runs the defaults"
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per process")
    parser.add_argument(
        "--matmul-only",
        action="store_true",
        help="only time one 2048x6144 projection in float32 / bfloat16 / int8 (seconds)",
    )
    ns = parser.parse_args(args)
    if ns.matmul_only:
        probe = {"machine": machine_info(), "matmul_ms": matmul_probe()}
        ns.out.mkdir(parents=True, exist_ok=True)
        (ns.out / "matmul.json").write_text(json.dumps(probe, indent=2))
        print(json.dumps(probe, indent=2))
        return 0
    dirs = dict(item.split("=", 1) for item in ns.model_dir)
    report = run(
        ns.out,
        sizes=_split(ns.sizes),
        dtypes=_split(ns.dtypes),
        budgets=tuple(int(b) for b in _split(ns.budgets)),
        hints={"both": (True, False), "on": (True,), "off": (False,)}[ns.hints],
        big_budget=ns.big_budget,
        big_dtypes=_split(ns.big_dtypes),
        big_hints=ns.big_hints == "on",
        tokens=ns.tokens,
        model_dirs=dirs,
        default_in=ns.default_in,
        timeout_s=ns.timeout,
        command=" ".join(["python -m vlocr.eval.vlm.vlm_speed", *args]),
    )
    print(markdown(report))
    print(f"wrote {ns.out / 'vlm-speed.json'} and {ns.out / 'vlm-speed.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
