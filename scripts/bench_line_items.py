"""Line items of `extract --engine ocr` on labelled receipts: the totals check on every receipt
and item precision / recall on the hand-checked ones (see ``vlocr.eval.structure.line_items``); then the
tables found on the synthetic pages (``vlocr.eval.structure.tables``: no false table on prose pages).

    .venv/bin/python scripts/bench_line_items.py                      # the 100 dev receipts
    .venv/bin/python scripts/bench_line_items.py --data DIR --limit 20 --out bench-out/items

OCR results are kept under ``--ocr-cache`` (default ``bench-out/ocr-cache``), so a rerun only
re-runs the rules. Writes ``line_items.md``, ``line_items.json`` and ``tables.json`` to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared/dev-data/sroie-train"))
    parser.add_argument("--truth", default=str(ROOT / "tests/fields/data/sroie_items.json"))
    parser.add_argument("--out", default=str(ROOT / "bench-out/line-items"))
    parser.add_argument("--ocr-cache", default=str(ROOT / "bench-out/ocr-cache"))
    parser.add_argument("--engine", default="rapidocr")
    parser.add_argument("--preset", default="auto")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--no-ocr", action="store_true", help="Only the truth transcripts' lines")
    parser.add_argument("--seeds", type=int, default=5, help="Synthetic pages per kind")
    args = parser.parse_args(argv)

    from vlocr.eval.structure.line_items import line_item_bench, line_item_markdown

    report = line_item_bench(
        args.data,
        truth_file=args.truth,
        ocr_engine=args.engine,
        preset=args.preset,
        limit=args.limit,
        ocr_cache=args.ocr_cache,
        use_ocr=not args.no_ocr,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    text = line_item_markdown(report)
    (out / "line_items.md").write_text(text, encoding="utf-8")
    (out / "line_items.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    sys.stdout.write(text)

    from vlocr.eval.structure.tables import table_bench, table_markdown_report

    tables = table_bench(args.seeds)
    (out / "tables.json").write_text(
        json.dumps(tables, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    sys.stdout.write("\n" + table_markdown_report(tables))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
