"""Line items on labelled receipts: the totals check and item precision / recall.

- **Totals check** (SROIE has no item truth, but it has the total): a receipt passes when the
  amounts of the items read from it add up to the printed total (SROIE's key), or to the
  subtotal, or to the total less the tax / the rounding adjustment read from the page. Run on
  the OCR lines (what users get) and on the truth transcripts' lines (the rules alone, without
  OCR errors).
- **Item precision / recall** on hand-checked receipts: the true items were typed from the box
  transcripts into a small JSON file (``tests/fields/data/sroie_items.json``). A predicted item
  is correct when its amount equals a true item's amount and the names agree (one contains the
  other after dropping non-letters, or at least half of the true name's words are in it); each
  true item is matched once.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from vlocr.results import OcrLine


def _key(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", unicodedata.normalize("NFKC", text).upper())


def names_agree(predicted: str, truth: str) -> bool:
    p, t = _key(predicted), _key(truth)
    if not p or not t:
        return False
    if t in p or p in t:
        return True
    words = [w for w in re.findall(r"[A-Z0-9]+", unicodedata.normalize("NFKC", truth).upper())]
    got = set(re.findall(r"[A-Z0-9]+", unicodedata.normalize("NFKC", predicted).upper()))
    return bool(words) and sum(w in got for w in words) >= 0.5 * len(words)


def match_items(predicted: list[dict[str, Any]], truth: list[dict[str, Any]]) -> int:
    """How many predicted items match a true item (amount equal, names agree), one-to-one."""
    used: set[int] = set()
    tp = 0
    for item in predicted:
        amount = item.get("price", item.get("amount"))
        for j, true in enumerate(truth):
            if j in used or amount is None:
                continue
            if abs(float(amount) - float(true["price"])) <= 0.005 and names_agree(
                str(item.get("name", "")), str(true["name"])
            ):
                used.add(j)
                tp += 1
                break
    return tp


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.011


def totals_check(items: list[dict[str, Any]], total: float | None, data: dict[str, Any]) -> str:
    """Which printed amount the items add up to: ``total``, ``subtotal``, ``total-tax``,
    ``total-rounding``; ``no-items``, or ``no`` when none."""
    if not items:
        return "no-items"
    s = round(sum(float(i["price"]) for i in items), 2)
    positive = round(sum(float(i["price"]) for i in items if float(i["price"]) > 0), 2)
    if total is not None and _close(s, total):
        return "total"
    subtotal = data.get("subtotal")
    if subtotal is not None and (_close(s, subtotal) or _close(positive, subtotal)):
        return "subtotal"
    tax = data.get("tax")
    if total is not None and tax and _close(s + float(tax), total):
        return "total-tax"
    if total is not None and abs(s - total) <= 0.04 and round(total * 20) == total * 20:
        return "total-rounding"
    return "no"


def _truth_lines(sample: Any) -> list[OcrLine]:
    return [
        OcrLine(text=g.text, box=[(float(x), float(y)) for x, y in g.box], confidence=1.0)
        for g in sample.lines
    ]


def _total(fields: dict[str, str]) -> float | None:
    from vlocr.tasks.jsonfix import parse_number

    n = parse_number(fields.get("total") or "")
    return float(n) if n is not None else None


def line_item_bench(
    folder: str,
    *,
    truth_file: str | None = None,
    ocr_engine: str = "rapidocr",
    preset: str = "auto",
    limit: int | None = None,
    ocr_cache: str | None = None,
    use_ocr: bool = True,
) -> dict[str, Any]:
    """Totals check on every receipt (OCR lines and truth lines), item P/R on the hand-checked."""
    from vlocr.eval.data.loaders import load_folder
    from vlocr.eval.questions.fields_score import cached_ocr
    from vlocr.fields.ocr_extraction import extract_ocr_fields

    truth_items: dict[str, list[dict[str, Any]]] = {}
    held_out: set[str] = set()
    if truth_file:
        truth_doc = json.loads(Path(truth_file).read_text(encoding="utf-8"))
        truth_items, held_out = truth_doc["receipts"], set(truth_doc.get("held_out", []))
    samples = load_folder(folder, "sroie", limit)
    sources = ["truth-lines"] + (["ocr"] if use_ocr else [])
    counts: dict[str, dict[str, int]] = {s: {} for s in sources}
    parts = ("all", "held_out")
    pr = {(s, p): {"tp": 0, "predicted": 0, "truth": 0} for s in sources for p in parts}
    docs = []
    for sample in samples:
        total = _total(sample.fields)
        doc: dict[str, Any] = {"id": sample.sample_id, "total": total}
        for source in sources:
            if source == "ocr":
                page = cached_ocr(sample.image, sample.sample_id, ocr_engine, preset, ocr_cache)
                lines = list(page.lines)
            else:
                lines = _truth_lines(sample)
            result = extract_ocr_fields(None, "receipt", lines=lines)
            data = result.data or {}
            items = data.get("items") or []
            verdict = totals_check(items, total, data)
            counts[source][verdict] = counts[source].get(verdict, 0) + 1
            doc[source] = {"items": items, "check": verdict}
            if sample.sample_id in truth_items:
                truth = truth_items[sample.sample_id]
                for part in parts:
                    if part == "held_out" and sample.sample_id not in held_out:
                        continue
                    c = pr[(source, part)]
                    c["tp"] += match_items(items, truth)
                    c["predicted"] += len(items)
                    c["truth"] += len(truth)
        docs.append(doc)
    out: dict[str, Any] = {
        "command_settings": {
            "ocr_engine": ocr_engine,
            "preset": preset,
            "n": len(samples),
            "hand_checked": sorted(k for k in truth_items if k in {s.sample_id for s in samples}),
            "held_out": sorted(held_out),
        },
        "totals_check": {},
        "items": {},
        "items_held_out": {},
        "documents": docs,
    }
    for source in sources:
        c = counts[source]
        adds_up = sum(v for k, v in c.items() if k not in ("no", "no-items"))
        out["totals_check"][source] = {"adds_up": adds_up, "n": len(samples), "by_kind": c}
        for part in parts:
            p = pr[(source, part)]
            out["items" if part == "all" else "items_held_out"][source] = {
                **p,
                "precision": round(p["tp"] / p["predicted"], 4) if p["predicted"] else 0.0,
                "recall": round(p["tp"] / p["truth"], 4) if p["truth"] else 0.0,
            }
    return out


def line_item_markdown(report: dict[str, Any]) -> str:
    s = report["command_settings"]
    n_held = len(s.get("held_out", []))
    lines = [
        f"Line items (`extract --engine ocr`, receipt schema), {s['n']} receipts, OCR "
        f"{s['ocr_engine']}/{s['preset']}; item P/R on {len(s['hand_checked'])} hand-checked "
        f"receipts, of which {n_held} held out (not looked at while writing the rules).",
        "",
        "| lines read from | items add up to the printed total | item precision | item recall | "
        "correct / predicted / true | held out: P / R (correct / predicted / true) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for source, tc in report["totals_check"].items():
        it, ho = report["items"][source], report["items_held_out"][source]
        lines.append(
            f"| {source} | {tc['adds_up']} / {tc['n']} | {it['precision']:.3f} | "
            f"{it['recall']:.3f} | {it['tp']} / {it['predicted']} / {it['truth']} | "
            f"{ho['precision']:.3f} / {ho['recall']:.3f} ({ho['tp']} / {ho['predicted']} / "
            f"{ho['truth']}) |"
        )
    lines.append("")
    for source, tc in report["totals_check"].items():
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(tc["by_kind"].items()))
        lines.append(f"- {source}: {kinds}")
    return "\n".join(lines) + "\n"
