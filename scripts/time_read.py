"""Median wall time of `vlocr read IMAGE`, split into start-up, model load and recognition.

Each run is a fresh process (what a user waits for). Start-up is everything that is not image
loading, model load or OCR: interpreter start, imports, argument parsing, printing.

    .venv/bin/python scripts/time_read.py examples/receipt.jpg --runs 5 [--engine rapidocr]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("image")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--engine", default="rapidocr")
    args = parser.parse_args()
    rows: dict[str, list[float]] = {
        "total": [],
        "startup": [],
        "load_image": [],
        "model_load": [],
        "recognition": [],
    }
    for _ in range(args.runs):
        start = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "vlocr.cli.main",
                "read",
                args.image,
                "--format",
                "json",
                "--engine",
                args.engine,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        total = (time.perf_counter() - start) * 1000
        timings = json.loads(proc.stdout)["pages"][0]["timings_ms"]
        recognition = sum(v for k, v in timings.items() if k == "ocr" or k == "preprocess")
        parts = {
            "load_image": timings.get("load", 0.0),
            "model_load": timings.get("engine_load", 0.0),
            "recognition": recognition,
        }
        rows["total"].append(total)
        rows["startup"].append(total - sum(parts.values()))
        for key, value in parts.items():
            rows[key].append(value)
    print(f"vlocr read {args.image} --engine {args.engine}: median of {args.runs} fresh processes")
    for key, values in rows.items():
        print(
            f"  {key:<12} {statistics.median(values):8.0f} ms   (min {min(values):.0f}, max {max(values):.0f})"
        )


if __name__ == "__main__":
    main()
