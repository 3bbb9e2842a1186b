"""Tables on the synthetic pages, whose text and kind are known (``vlocr.eval.synth``).

Each page goes to ``find_tables`` with its own truth lines and image (no OCR), and is scored by
what its kind should give:

- **prose pages** (newspapers, two-column articles, notices, small print, a screenshot) must
  give no table: a table found there is a false table;
- **table pages** (a report of figures) must give one table holding the whole grid (at least as
  many rows and columns as the report prints, the title left out);
- **receipt and invoice pages** must give an ``items`` table, and the line items read from them
  must add up to the page's subtotal (the amount before tax; ``合计`` on a Chinese receipt).
"""

from __future__ import annotations

from typing import Any

from vlocr.results import OcrLine

PROSE = (
    "newspaper_zh",
    "newspaper_en",
    "columns_zh",
    "columns_en",
    "notice_mixed",
    "notice_zh",
    "small_print",
    "screenshot",
)
# the field of each kind that the items add up to
ITEMS = {
    "receipt": "subtotal",
    "receipt_zh": "total",
    "invoice": "subtotal",
    "invoice_zh": "amount",
}


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def table_bench(seeds: int = 5) -> dict[str, Any]:
    """Per group: pages, pages right, and what went wrong on the others."""
    from vlocr.eval.synth import generate
    from vlocr.fields.line_items import line_items
    from vlocr.layout.tables import find_tables

    groups: dict[str, dict[str, Any]] = {
        "prose pages with no table": {"n": 0, "ok": 0, "misses": []},
        "table pages read as one full grid": {"n": 0, "ok": 0, "misses": []},
        "receipts/invoices whose items add up": {"n": 0, "ok": 0, "misses": []},
    }
    for kind in (*PROSE, "table", *ITEMS):
        for seed in range(seeds):
            doc = generate(kind, seed)
            lines = [
                OcrLine(text=g.text, box=[(float(x), float(y)) for x, y in g.box], confidence=1.0)
                for g in doc.lines
            ]
            h, w = doc.image.shape[:2]
            tables = find_tables(lines, w, h, doc.image)
            label = f"{kind}/{seed}"
            if kind in PROSE:
                group = groups["prose pages with no table"]
                ok = not tables
                why = [f"{t.kind} {t.n_rows}x{t.n_cols}" for t in tables]
            elif kind == "table":
                group = groups["table pages read as one full grid"]
                rows = sum(1 for g in doc.lines if g.text.strip()) - 2  # less title and note
                grid = [t for t in tables if t.n_cols >= 6]
                ok = len(tables) == 1 and bool(grid) and grid[0].n_rows * 6 >= rows
                why = [f"{t.kind} {t.n_rows}x{t.n_cols}" for t in tables]
            else:
                group = groups["receipts/invoices whose items add up"]
                key = ITEMS[kind]
                target = _number(doc.fields[key])
                items = line_items(lines, w, h)
                total = round(sum(i["price"] for i in items), 2)
                has_table = any(t.kind == "items" for t in tables)
                ok = has_table and abs(total - target) <= 0.011
                why = [f"items {total} vs {key} {target}, items table {has_table}"]
            group["n"] += 1
            group["ok"] += int(ok)
            if not ok:
                group["misses"].append({"page": label, "got": why})
    return {"command_settings": {"seeds": seeds}, "groups": groups}


def table_markdown_report(report: dict[str, Any]) -> str:
    lines = [
        f"Tables on the synthetic pages (truth lines and page image, {report['command_settings']['seeds']} "
        "seeds per kind, no OCR).",
        "",
        "| pages | right / pages |",
        "| --- | ---: |",
    ]
    for name, g in report["groups"].items():
        lines.append(f"| {name} | {g['ok']} / {g['n']} |")
    return "\n".join(lines) + "\n"
