"""Fuzz the loader and the OCR pipeline with a seeded mutation loop (see vlocr.testing.fuzz).

    PYTHONPATH=src python scripts/fuzz.py --iterations 5000 --seed 1           # grows tests/fuzz_corpus
    PYTHONPATH=src python scripts/fuzz.py --corpus /tmp/c --no-grow --targets loader

Prints a JSON report; exits 1 when a finding (a non-vlocr exception) was saved under
``<corpus>-findings/``. Inputs reaching a new outcome join the corpus (commit the small ones:
``tests/test_fuzz_replay.py`` replays them).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from vlocr.testing.fuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "fuzz_corpus")
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--targets", default="loader,ocr")
    parser.add_argument("--ocr-every", type=int, default=10, help="OCR every n-th input")
    parser.add_argument("--max-seconds", type=float, default=None)
    parser.add_argument("--no-grow", action="store_true", help="do not add inputs to the corpus")
    args = parser.parse_args()
    report = fuzz(
        args.corpus,
        iterations=args.iterations,
        seed=args.seed,
        targets=args.targets.split(","),
        ocr_every=args.ocr_every,
        max_seconds=args.max_seconds,
        grow=not args.no_grow,
    )
    print(
        json.dumps(
            {
                "runs": report.runs,
                "outcomes": len(report.outcomes),
                "added_to_corpus": report.added,
                "peak_mb": round(report.peak_mb),
                "findings": [f.__dict__ for f in report.findings],
            },
            indent=2,
        )
    )
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
