"""Side-by-side OCR comparison on rendered receipts, English/mixed and Chinese documents.

Run: ``python -m vlocr.ocr.compare --receipts 8 --chinese 4 --mixed 8 [--engines a,b] [--diffs]``.
Prints word F1, CER, median wall and CPU time per engine and document kind. Documents come from
:mod:`vlocr.ocr.samples` and, when installed, the benchmark generator :mod:`vlocr.eval.synth`.
Used to choose models and settings for the default engine; the full benchmark is in vlocr.eval.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from vlocr.ocr.base import OcrEngine
from vlocr.ocr.samples import Sample, make_samples


def tokens(text: str) -> list[str]:
    """Words as the benchmark counts them (:func:`vlocr.eval.metrics.words`)."""
    from vlocr.eval.metrics import words

    return words(text)


def word_f1(pred: str, truth: str) -> float:
    from vlocr.eval.metrics import word_prf

    return word_prf(truth, pred)[2]


def cer(pred: str, truth: str) -> float:
    """Character error rate over each document's lines joined in reading order."""
    from vlocr.eval.metrics import cer as bench_cer

    return bench_cer(" ".join(truth.splitlines()), " ".join(pred.splitlines()))


@dataclass
class Scores:
    f1: list[float] = field(default_factory=list)
    cer: list[float] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    def row(self) -> tuple[float, float, float, float]:
        return (
            statistics.mean(self.f1),
            statistics.mean(self.cer),
            statistics.median(self.ms),
            statistics.median(self.cpu_ms),
        )


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (Tesseract runs as a subprocess), so
    engines can be compared even when other jobs share the cores."""
    import resource

    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def mixed_samples(n: int, seed: int) -> list[Sample]:
    """English invoices, forms and mixed Chinese/English notices from ``vlocr.eval.synth``."""
    import random

    from vlocr.eval import synth
    from vlocr.ocr.samples import degrade

    rng = random.Random(seed)
    kinds = [k for k in ("invoice", "notice_mixed", "form", "small_print") if k in synth.KINDS]
    out = []
    for i in range(n if kinds else 0):
        doc = synth.generate(kinds[i % len(kinds)], seed + i)
        out.append(
            Sample(f"synth-{doc.doc_id}", "mixed", degrade(doc.image, rng), doc.text.splitlines())
        )
    return out


def synth_samples(n_receipts: int, n_chinese: int, seed: int) -> list[Sample]:
    """Long receipts and Chinese documents from the benchmark generator (``vlocr.eval.synth``),
    lightly degraded (blur + JPEG) like this module's own renders."""
    import random

    from vlocr.eval import synth
    from vlocr.ocr.samples import degrade

    rng = random.Random(seed)
    out = []
    for i in range(n_receipts):
        doc = synth.long_receipt(seed + i)
        out.append(
            Sample(f"synth-{doc.doc_id}", "receipt", degrade(doc.image, rng), doc.text.splitlines())
        )
    zh_kinds = [k for k in ("receipt_zh", "invoice_zh", "notice_zh") if k in synth.KINDS]
    for i in range(n_chinese if zh_kinds else 0):
        doc = synth.generate(zh_kinds[i % len(zh_kinds)], seed + i)
        out.append(
            Sample(f"synth-{doc.doc_id}", "chinese", degrade(doc.image, rng), doc.text.splitlines())
        )
    return out


def load_samples(n_receipts: int, n_chinese: int, seed: int, source: str = "both") -> list[Sample]:
    """``own``: this module's renders; ``synth``: the benchmark generator's documents (preferred
    when it is installed); ``both``: half of each."""
    if source in ("synth", "both"):
        try:
            import vlocr.eval.synth  # noqa: F401
        except ImportError:
            source = "own"
    if source == "own":
        return make_samples(n_receipts, n_chinese, seed)
    if source == "synth":
        return synth_samples(n_receipts, n_chinese, seed)
    own = make_samples(n_receipts - n_receipts // 2, n_chinese - n_chinese // 2, seed)
    return own + synth_samples(n_receipts // 2, n_chinese // 2, seed)


def run(
    engines: Sequence[str] | Mapping[str, OcrEngine],
    samples: Sequence[Sample],
    *,
    repeats: int = 1,
    show_diffs: bool = False,
) -> dict[str, dict[str, Scores]]:
    """Score every engine on every sample. Engines take turns on each sample (interleaved) and
    each timing is the best of ``repeats`` runs, so load from other jobs on the machine hits
    all engines alike."""
    from vlocr.ocr.registry import get_engine

    built = dict(engines) if isinstance(engines, Mapping) else {n: get_engine(n) for n in engines}
    for engine in built.values():
        engine.recognize(samples[0].image)  # warm-up: session creation, first-run allocations
    table: dict[str, dict[str, Scores]] = {name: {} for name in built}
    for sample in samples:
        for name, engine in built.items():
            best_wall = best_cpu = float("inf")
            pred = ""
            for _ in range(max(1, repeats)):
                c0, w0 = cpu_seconds(), time.perf_counter()
                out = engine.recognize(sample.image)
                best_cpu = min(best_cpu, cpu_seconds() - c0)
                best_wall = min(best_wall, time.perf_counter() - w0)
                pred = out.text
            s = table[name].setdefault(sample.kind, Scores())
            s.f1.append(word_f1(pred, sample.text))
            s.cer.append(cer(pred, sample.text))
            s.ms.append(best_wall * 1000)
            s.cpu_ms.append(best_cpu * 1000)
            if show_diffs:
                missing = Counter(tokens(sample.text)) - Counter(tokens(pred))
                extra = Counter(tokens(pred)) - Counter(tokens(sample.text))
                print(
                    f"[{name} {sample.name}] missing={sorted(missing.elements())[:40]} "
                    f"extra={sorted(extra.elements())[:40]}",
                    flush=True,
                )
    return table


def format_table(table: dict[str, dict[str, Scores]]) -> str:
    kinds = sorted({k for per in table.values() for k in per})
    head = f"{'engine':<16}" + "".join(f"| {k:<9} F1    CER    wall_ms cpu_ms " for k in kinds)
    rows = [head, "-" * len(head)]
    for name, per in table.items():
        cells = ""
        for k in kinds:
            f1, c, ms, cpu = per[k].row() if k in per else (float("nan"),) * 4
            cells += f"| {'':<9}{f1:.3f} {c:.3f} {ms:7.0f} {cpu:6.0f} "
        rows.append(f"{name:<16}{cells}")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--receipts", type=int, default=8)
    ap.add_argument("--chinese", type=int, default=3)
    ap.add_argument(
        "--mixed", type=int, default=0, help="English/mixed documents (vlocr.eval.synth)"
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--engines", default="rapidocr,rapidocr-v6,rapidocr-v4,tesseract")
    ap.add_argument("--source", choices=["own", "synth", "both"], default="both")
    ap.add_argument("--repeats", type=int, default=1, help="timing = best of this many runs")
    ap.add_argument("--diffs", action="store_true", help="print missing/extra words per document")
    args = ap.parse_args(argv)
    samples = load_samples(args.receipts, args.chinese, args.seed, args.source)
    if args.mixed:
        samples += mixed_samples(args.mixed, args.seed)
    table = run(
        [e for e in args.engines.split(",") if e],
        samples,
        repeats=args.repeats,
        show_diffs=args.diffs,
    )
    print(format_table(table))


if __name__ == "__main__":
    main()
