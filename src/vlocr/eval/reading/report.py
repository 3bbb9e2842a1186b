"""Turn a ``BenchResult`` into report.md, results.json (every number, per sample too) and charts."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vlocr.eval.reading.metrics import median, percentile
from vlocr.eval.reading.model import BASELINE, HEADLINE_METRIC, BenchResult, SampleResult

METRICS = (
    "cer",
    "wer",
    "word_f1",
    "char_f1",
    "order_cer",
    "line_precision",
    "line_recall",
    "char_recall_unordered",
)
LOWER_IS_BETTER = ("cer", "wer", "order_cer")


def summarize(samples: Sequence[SampleResult]) -> dict[str, Any]:
    """Means of the per-sample metrics, micro CER/WER, field accuracy, latency median/p95."""
    if not samples:
        return {"n": 0}
    out: dict[str, Any] = {"n": len(samples)}
    for m in METRICS:
        out[m] = float(np.mean([s.scores[m] for s in samples]))
    chars = sum(s.scores["ref_chars"] for s in samples)
    out["cer_micro"] = sum(s.scores["char_distance"] for s in samples) / chars if chars else 0.0
    words = sum(s.scores["ref_words"] for s in samples)
    out["wer_micro"] = sum(s.scores["word_distance"] for s in samples) / words if words else 0.0
    total = sum(s.scores["fields_total"] for s in samples)
    out["field_accuracy"] = (
        sum(s.scores["fields_found"] for s in samples) / total if total else None
    )
    latencies = [s.latency_ms for s in samples]
    out["cpu_median_ms"] = median([s.cpu_ms for s in samples])
    out["casefold"] = any(s.casefold for s in samples)
    out["latency_median_ms"] = median(latencies)
    out["latency_p95_ms"] = percentile(latencies, 95)
    out["errors"] = sum(1 for s in samples if s.error)
    return out


def group_by(
    samples: Iterable[SampleResult], *keys: Callable[[SampleResult], Any]
) -> dict[tuple, list[SampleResult]]:
    groups: dict[tuple, list[SampleResult]] = defaultdict(list)
    for s in samples:
        groups[tuple(k(s) for k in keys)].append(s)
    return groups


def aggregates(result: BenchResult) -> dict[str, Any]:
    """Overall per config, and per config within each degradation group, language and kind."""
    by_config = {
        c: summarize(v) for (c,), v in group_by(result.samples, lambda s: s.config).items()
    }
    out: dict[str, Any] = {"overall": by_config}
    for name, key in (
        ("by_group", lambda s: s.group),
        ("by_lang", lambda s: s.lang),
        ("by_kind", lambda s: s.kind),
        ("by_page_kind", _page_kind),
    ):
        table: dict[str, dict[str, Any]] = defaultdict(dict)
        for (g, c), v in group_by(result.samples, key, lambda s: s.config).items():
            table[g][c] = summarize(v)
        out[name] = dict(table)
    base = by_config.get(BASELINE)
    if base:
        out["ratios_to_baseline"] = {
            c: {
                "cer": _ratio(v["cer"], base["cer"]),
                "cer_delta_points": 100 * (v["cer"] - base["cer"]),
                "word_f1": _ratio(v["word_f1"], base["word_f1"]),
                "latency_median": _ratio(v["latency_median_ms"], base["latency_median_ms"]),
            }
            for c, v in by_config.items()
        }
    return out


def _page_kind(s: SampleResult) -> str:
    """Real pages by kind (receipt, form, page), synthetic layout pages by their kind, and the
    degraded synthetic documents as one bucket."""
    if s.group.startswith("user:"):
        return s.kind
    if s.group == "layout":
        return f"synthetic {s.kind}"
    return "synthetic documents"


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0 or math.isnan(a) or math.isnan(b):
        return None
    return a / b


# ---- formatting -----------------------------------------------------------------------------------


def _pct(v: Any) -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{100 * v:.1f}%"


def _ms(v: Any) -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:,.0f}"


def _pp(v: Any) -> str:
    return "-" if v is None else f"{v:+.1f} pt"


def _x(v: Any) -> str:
    return "-" if v is None else f"{v:.2f}x"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" if i == 0 else "---:" for i in range(len(header))) + " |",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _matrix(
    table: dict[str, dict[str, Any]],
    configs: Sequence[str],
    metric: str,
    order: Sequence[str] | None = None,
) -> str:
    keys = [k for k in (order or sorted(table)) if k in table]
    rows = []
    for k in keys:
        n = max((table[k].get(c, {}).get("n", 0) for c in configs), default=0)
        rows.append([f"{k} ({n})"] + [_pct(table[k].get(c, {}).get(metric)) for c in configs])
    return _table(["group (docs)"] + list(configs), rows)


def render_markdown(result: BenchResult, agg: dict[str, Any], charts: dict[str, Path]) -> str:
    configs = result.configs
    overall = agg["overall"]
    ratios = agg.get("ratios_to_baseline", {})
    opt = result.options
    meta = result.meta
    parts: list[str] = ["# vlocr benchmark", ""]
    parts.append(
        f"Run {meta.get('started', '?')} on {meta.get('platform', '?')}, {meta.get('cpu_count', '?')} CPU cores "
        f"(load average at the end {meta.get('load_average')}), {meta.get('wall_s', '?')} s wall time. "
        f"{opt['n_items']} images x {len(configs)} configurations, interleaved image by image. "
        "The machine may be shared: compare configurations **within** this run (ratios), not absolute times across runs."
    )
    parts.append("")
    if result.skipped:
        parts += ["**Skipped configurations** (not available here):", ""]
        parts += [f"- `{c}`: {why}" for c, why in result.skipped.items()]
        parts.append("")
    if result.notes:
        parts += ["**Notes:**", ""] + [f"- {n}" for n in result.notes] + [""]

    parts += ["## Overall", ""]
    rows = []
    for c in configs:
        v = overall.get(c, {})
        r = ratios.get(c, {})
        rows.append(
            [
                f"`{c}`",
                _pct(v.get("cer")),
                _pct(v.get("cer_micro")),
                _pct(v.get("wer")),
                _pct(v.get("word_f1")),
                _pct(v.get("line_precision")),
                _pct(v.get("line_recall")),
                _pct(v.get("field_accuracy")),
                _pct(v.get("char_recall_unordered")),
                _ms(v.get("latency_median_ms")),
                _ms(v.get("latency_p95_ms")),
                _x(r.get("cer")),
                _pp(r.get("cer_delta_points")),
                _x(r.get("latency_median")),
                str(v.get("errors", 0)),
            ]
        )
    parts.append(
        _table(
            [
                "config",
                "CER",
                "CER micro",
                "WER",
                "word F1",
                "line P",
                "line R",
                "key fields",
                "char recall (unordered)",
                "median ms",
                "p95 ms",
                f"CER / {BASELINE}",
                f"CER - {BASELINE}",
                f"time / {BASELINE}",
                "errors",
            ],
            rows,
        )
    )
    parts += [
        "",
        "CER and WER: lower is better; the others: higher is better. CER = mean of per-image CER; "
        "CER micro = all edit operations / all reference characters.",
        "",
    ]

    parts += _page_kind_section(agg["by_page_kind"], configs)

    grid = _article_grid(overall)
    if grid:
        parts += [
            "## Preprocessing x prompt (the reference article's 2x2, VLM, no OCR hints)",
            "",
            grid,
            "",
        ]

    group_order = _group_order(result)
    for metric, title in (("cer", "CER"), ("word_f1", "word F1"), ("wer", "WER")):
        parts += [
            f"## {title} per degradation",
            "",
            _matrix(agg["by_group"], configs, metric, group_order),
            "",
        ]
        if metric == "cer" and "cer_by_degradation" in charts:
            parts += [f"![CER per degradation]({charts['cer_by_degradation'].name})", ""]
    parts += ["## CER per language", "", _matrix(agg["by_lang"], configs, "cer"), ""]
    parts += ["## CER per document kind", "", _matrix(agg["by_kind"], configs, "cer"), ""]
    parts += [
        "## Key fields found per degradation",
        "",
        _matrix(agg["by_group"], configs, "field_accuracy", group_order),
        "",
    ]

    parts += [
        "## Speed",
        "",
        "### Latency per configuration (grid images, preprocessing included)",
        "",
    ]
    parts.append(
        _table(
            ["config", "median ms", "p95 ms", f"median / {BASELINE}"],
            [
                [
                    f"`{c}`",
                    _ms(overall.get(c, {}).get("latency_median_ms")),
                    _ms(overall.get(c, {}).get("latency_p95_ms")),
                    _x(ratios.get(c, {}).get("latency_median")),
                ]
                for c in configs
            ],
        )
    )
    if "latency" in charts:
        parts += ["", f"![latency per config]({charts['latency'].name})"]
    parts.append("")
    speed = result.speed
    receipt = speed.get("receipt")
    if receipt:
        parts += [
            f"### Receipts read in this process ({receipt.get('source', 'synthetic')}, first "
            f"{receipt['image_size']} px, {receipt['text_rows']} text rows), engines interleaved",
            "",
        ]
        per = receipt["per_engine"]
        base = per.get("rapidocr", {}).get("median_ms")
        parts.append(
            _table(
                ["engine", "median ms", "p95 ms", "n", "CER", "time / rapidocr"],
                [
                    [
                        f"`{e}`",
                        _ms(v["median_ms"]),
                        _ms(v["p95_ms"]),
                        str(v["n"]),
                        _pct(v["cer_mean"]),
                        _x(_ratio(v["median_ms"], base)),
                    ]
                    for e, v in per.items()
                ],
            )
        )
        parts.append("")
    parts += _process_speed_section(speed)
    pre = speed.get("preprocess") or {}
    pre_rows = []
    for label, entry in pre.items():
        if label == "measure_speed" or not isinstance(entry, dict):
            continue
        ocr_key = next((k for k in entry if k.startswith("ocr_") and k != "ocr_error"), None)
        pre_rows.append(
            [
                label,
                entry.get("size", ""),
                _ms(entry.get("auto", {}).get("median_ms")),
                _ms(entry.get("seed", {}).get("median_ms")),
                _ms(entry.get(ocr_key, {}).get("median_ms")) if ocr_key else "-",
                _pct(entry.get("auto_fraction_of_ocr")),
            ]
        )
    if pre_rows:
        parts += [
            "### Preprocessing cost",
            "",
            _table(["input", "size", "auto ms", "seed ms", "OCR ms", "auto / OCR"], pre_rows),
            "",
        ]
    if "measure_speed" in pre:
        parts += [
            "`vlocr.eval.reading.speed.measure_preprocess_speed()` (its own cases):",
            "",
            _measure_speed_md(pre["measure_speed"]),
            "",
        ]

    mem = result.memory
    parts += [
        "## Memory",
        "",
        f"Process RSS high-water mark: {mem.get('peak_rss_mb', '?')} MiB (all engines loaded in one process). "
        f"RSS before loading engines: {mem.get('rss_before_engines_mb', '?')} MiB.",
        "",
    ]
    if mem.get("after_load_mb"):
        parts.append(
            _table(
                ["config", "RSS after loading + first read (MiB)", "increase (MiB)"],
                [
                    [f"`{c}`", f"{v['rss_mb']:.0f}", f"{v['delta_mb']:+.0f}"]
                    for c, v in mem["after_load_mb"].items()
                    if not c.endswith("/peer")
                ],
            )
        )
        parts.append("")

    lead = BASELINE if BASELINE in configs else (configs[0] if configs else "")
    worst = sorted(
        (s for s in result.samples if s.config == lead and s.scores["cer"] > 0),
        key=lambda s: -s.scores["cer"],
    )[:8]
    if worst:
        parts += [f"## Hardest images for `{worst[0].config}`", ""]
        parts.append(
            _table(
                ["image", "CER", "recognised lines"],
                [[s.item_id, _pct(s.scores["cer"]), str(s.n_lines)] for s in worst],
            )
        )
        parts.append("")

    parts += ["## Method", ""]
    counts: dict[str, int] = defaultdict(int)
    for item in opt["items"]:
        counts[item["group"]] += 1
    if opt.get("synthetic", True):
        parts.append(
            f"- Images: synthetic documents from `vlocr.eval.synth` (seed {opt['seed']}, kinds {', '.join(opt['kinds'])}), "
            f"rendered with DejaVu and Noto Sans CJK, exact per-line ground truth; {opt['docs_per_group']} per degradation group "
            f"(severity cycling 1, 2, 3; `rotate` is 90 and 180 degrees). Groups and image counts: "
            + ", ".join(f"{g} {n}" for g, n in counts.items())
            + "; the `layout` group holds clean mixed-size and multi-column pages whose truth is in "
            "reading order."
        )
    if opt.get("data"):
        parts.append(
            f"- Labelled data: `{opt['data']}` in format `{opt['data_format']}`"
            + (
                f", first {opt['data_limit']} images of each folder"
                if opt.get("data_limit")
                else ""
            )
            + {
                "auto": ". SROIE receipts are scored case-insensitively (their truth is upper "
                "case); other data keeps case.",
                "ignore": ". All labelled data is scored case-insensitively (--case ignore).",
                "keep": ". All labelled data is scored case-sensitively (--case keep).",
            }.get(str(opt.get("case", "auto")), ".")
        )
    if opt.get("peers"):
        parts.append(
            "- Peers (external commands, each in its own environment, a fresh process per page): "
            + ", ".join(f"`{p}`" for p in opt["peers"])
        )
    parts.append(
        "- Every configuration reads the same images in one process; per image, configurations take turns and the "
        "first one rotates. Model loading and a warm-up read happen before timing."
    )
    parts.append(
        "- Latency: wall time of `vlocr.service.reading.ocr_page` (preprocessing + OCR) per image."
    )
    parts.append(
        "- Normalisation before all text metrics: Unicode NFKC (full-width -> half-width), whitespace runs -> one "
        "space, case kept. Reference text = ground-truth lines serialised top-to-bottom, left-to-right; hypothesis "
        "= the engine's lines in its own reading order."
    )
    parts.append(
        "- CER/WER = edit distance / reference length (CJK characters are words for WER); empty reference: 0 if the "
        "output is empty too, else 1. Word P/R/F1 = bag of words with multiplicity. Line P/R: rows of boxes matched "
        "one-to-one when their CER <= 0.2. Key fields: the value occurs in the normalised output. Unordered char "
        "recall: multiset of reference characters found (ignores reading order)."
    )
    parts.append(
        "- Reproduce: `vlocr bench` with the options in results.json (`options`); every per-image number is there too."
    )
    return "\n".join(parts) + "\n"


def _best(values: dict[str, Any], metric: str) -> str | None:
    scored = {c: v for c, v in values.items() if v is not None and not math.isnan(v)}
    if not scored:
        return None
    pick = min if metric in LOWER_IS_BETTER else max
    return pick(scored, key=lambda c: scored[c])


def _page_kind_section(table: dict[str, dict[str, Any]], configs: Sequence[str]) -> list[str]:
    """One table per page kind: every configuration's word F1, char F1, CER and reading-order
    CER, the kind's headline metric first and its best value in bold."""
    if not table:
        return []
    parts = [
        "## Per page kind",
        "",
        "Word F1 over each page's words and char F1 over its non-space characters are order-free; "
        "CER keeps order and spacing; order CER is the whitespace-free CER against the page text "
        "in reading order (the reading-order metric). Headline metric: word F1 for receipts and "
        "forms, CER for document pages, order CER for the synthetic layout pages. Latency and CPU are per page (a peer's include its process "
        "start and model load: it runs as a fresh command per page).",
        "",
    ]
    columns = ("word_f1", "char_f1", "cer", "order_cer")
    labels = {"word_f1": "word F1", "char_f1": "char F1", "cer": "CER", "order_cer": "order CER"}
    for kind in sorted(table, key=lambda k: (k.startswith("synthetic"), k)):
        per = table[kind]
        present = [c for c in configs if c in per]
        if not present:
            continue
        n = max(per[c]["n"] for c in present)
        layout = kind.startswith("synthetic ") and kind != "synthetic documents"
        headline = HEADLINE_METRIC.get(kind, "order_cer" if layout else "cer")
        order = [headline] + [m for m in columns if m != headline]
        best = {m: _best({c: per[c].get(m) for c in present}, m) for m in order}
        case = (
            " - scored case-insensitively (upper-case ground truth)"
            if any(per[c].get("casefold") for c in present)
            else ""
        )
        parts += [f"### {kind} ({n} pages){case}", ""]
        rows = []
        for c in present:
            cells = []
            for m in order:
                value = per[c].get(m)
                text = (
                    "-"
                    if value is None
                    else (f"{value:.3f}" if m in ("word_f1", "char_f1") else _pct(value))
                )
                cells.append(f"**{text}**" if best[m] == c else text)
            rows.append(
                [f"`{c}`"]
                + cells
                + [
                    _ms(per[c].get("latency_median_ms")),
                    _ms(per[c].get("cpu_median_ms")),
                    str(per[c].get("errors", 0)),
                ]
            )
        header = (
            ["config"]
            + [labels[m] + (" (headline)" if m == headline else "") for m in order]
            + ["median ms", "CPU ms", "errors"]
        )
        parts += [_table(header, rows), ""]
    return parts


def _group_order(result: BenchResult) -> list[str]:
    """Degradation groups in the order they were asked for, then users' data groups."""
    present = list(dict.fromkeys(s.group for s in result.samples))
    asked = [g for g in result.options.get("groups", []) if g in present]
    return asked + [g for g in present if g not in asked]


def _process_speed_section(speed: dict[str, Any]) -> list[str]:
    """Fresh-process wall/CPU/peak memory and per-receipt time in one process, ours vs peers."""
    parts: list[str] = []
    fresh = speed.get("fresh_process")
    if fresh:
        parts += [
            f"### Fresh process: one read of `{fresh['image']}`, start to exit "
            f"(median of {fresh['runs']}, commands interleaved)",
            "",
        ]
        rows = []
        for name, v in fresh["per_command"].items():
            r = fresh.get("ours_over", {}).get(name, {})
            rows.append(
                [
                    f"`{name}`",
                    _ms(v.get("wall_median_ms")),
                    _ms(v.get("cpu_median_ms")),
                    "-" if v.get("peak_median_mb") is None else f"{v['peak_median_mb']:.0f}",
                    _x(r.get("wall_median_ms")),
                    _x(r.get("cpu_median_ms")),
                    _x(r.get("peak_median_mb")),
                    str(v.get("n", 0))
                    + ("" if not v.get("failures") else f" ({v['failures'][0]})"),
                ]
            )
        parts += [
            _table(
                [
                    "command",
                    "wall ms",
                    "CPU ms",
                    "peak MB",
                    "ours / this: wall",
                    "CPU",
                    "memory",
                    "n",
                ],
                rows,
            ),
            "",
        ]
    per = speed.get("per_receipt_process")
    if per and per.get("per_command"):
        parts += [
            f"### Per receipt in one warm process ({per['k']} receipts; {per['method']})",
            "",
        ]
        rows = []
        for name, v in per["per_command"].items():
            r = per.get("ours_over", {}).get(name, {})
            rows.append(
                [
                    f"`{name}`",
                    _ms(v["per_receipt_median_ms"]),
                    _ms(v.get("cpu_per_receipt_median_ms")),
                    _x(r.get("per_receipt_median_ms")),
                    _x(r.get("cpu_per_receipt_median_ms")),
                    str(v["n"]),
                ]
            )
        parts += [
            _table(
                [
                    "command",
                    "wall ms per receipt",
                    "CPU ms per receipt",
                    "ours / this: wall",
                    "CPU",
                    "repeats",
                ],
                rows,
            ),
            "",
        ]
        if per.get("skipped_peers"):
            parts += [
                f"Peers reading one image per run (no `{{imgs}}`): {', '.join(per['skipped_peers'])}.",
                "",
            ]
        if per.get("failures"):
            parts += [f"Failures: {per['failures']}", ""]
    return parts


def _article_grid(overall: dict[str, Any]) -> str:
    """The article's A/B/C/D table (preprocessing none/seed x prompt plain/structured) when the
    VLM variants ran; accuracy = 1 - CER so it reads like the article's percentages."""
    names = {
        ("none", "plain"): "vlm/none/plain",
        ("seed", "plain"): "vlm/seed/plain",
        ("none", "structured"): "vlm/none/structured",
        ("seed", "structured"): "vlm/seed/structured",
    }
    if not all(n in overall for n in names.values()):
        return ""
    rows = []
    for label, (pre, prompt) in zip("ABCD", names, strict=True):
        v = overall[names[(pre, prompt)]]
        rows.append(
            [
                f"{label} (`{names[(pre, prompt)]}`)",
                "yes" if pre == "seed" else "no",
                "structured" if prompt == "structured" else "plain",
                _pct(1 - v["cer"]),
                _pct(v["cer"]),
                _pct(v["word_f1"]),
                _ms(v["latency_median_ms"]),
            ]
        )
    return _table(
        ["group", "preprocessing", "prompt", "1 - CER", "CER", "word F1", "median ms"], rows
    )


def _measure_speed_md(data: Any) -> str:
    """A table of measure_speed()'s cases when it has the expected shape, else its JSON."""
    cases = data.get("cases") if isinstance(data, dict) else None
    if isinstance(cases, dict) and all(isinstance(v, dict) for v in cases.values()):
        rows = []
        for name, case in cases.items():
            auto, seed = case.get("auto") or {}, case.get("seed") or {}
            size = case.get("size")
            rows.append(
                [
                    name,
                    "x".join(map(str, size))
                    if isinstance(size, (list, tuple))
                    else str(size or ""),
                    _ms(auto.get("median_ms")),
                    ", ".join(auto.get("steps") or []) or "(none)",
                    _ms(seed.get("median_ms")),
                ]
            )
        extra = {k: v for k, v in data.items() if k != "cases"}
        return _table(["case", "size", "auto ms", "auto applied", "seed ms"], rows) + (
            f"\n\nSettings: `{json.dumps(extra, default=str)}`" if extra else ""
        )
    return "```json\n" + json.dumps(data, indent=1, default=str)[:3000] + "\n```"


# ---- charts --------------------------------------------------------------------------------------


def write_charts(result: BenchResult, agg: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts: dict[str, Path] = {}
    configs = result.configs
    if not configs:
        return charts
    groups = _group_order(result)
    width = 0.8 / len(configs)
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(groups) + 2), 4.8))
    xs = np.arange(len(groups))
    for i, c in enumerate(configs):
        vals = [100 * agg["by_group"].get(g, {}).get(c, {}).get("cer", np.nan) for g in groups]
        ax.bar(xs + i * width - 0.4 + width / 2, vals, width, label=c)
    ax.set_xticks(xs, groups, rotation=30, ha="right")
    ax.set_ylabel("CER % (lower is better)")
    ax.set_title("CER per degradation and configuration")
    ax.legend(fontsize=8, ncols=2)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    charts["cer_by_degradation"] = out_dir / "cer_by_degradation.png"
    fig.savefig(charts["cer_by_degradation"], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(configs) + 2), 4.2))
    med = [agg["overall"][c]["latency_median_ms"] for c in configs]
    p95 = [agg["overall"][c]["latency_p95_ms"] for c in configs]
    ax.bar(range(len(configs)), med, color="#4c78a8", label="median")
    ax.scatter(range(len(configs)), p95, color="#e45756", marker="_", s=400, label="p95", zorder=3)
    ax.set_xticks(range(len(configs)), configs, rotation=25, ha="right")
    ax.set_ylabel("ms per image")
    ax.set_title("Latency per configuration (same images, interleaved)")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    charts["latency"] = out_dir / "latency.png"
    fig.savefig(charts["latency"], dpi=110)
    plt.close(fig)
    return charts


def _clean_json(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, dict):
        return {str(k): _clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_json(v) for v in value]
    if isinstance(value, np.generic):
        return _clean_json(value.item())
    return value


def write_report(result: BenchResult, out_dir: Path) -> dict[str, Path]:
    """Write report.md, results.json and PNG charts into ``out_dir`` (created if missing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    agg = aggregates(result)
    charts = write_charts(result, agg, out_dir)
    paths = {"report": out_dir / "report.md", "results": out_dir / "results.json", **charts}
    paths["report"].write_text(render_markdown(result, agg, charts), encoding="utf-8")
    payload = {"aggregates": agg, **result.to_dict()}
    paths["results"].write_text(
        json.dumps(_clean_json(payload), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return paths
