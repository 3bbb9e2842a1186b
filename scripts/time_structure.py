"""What the structure analysis (tables, then layout) costs per page beside the OCR itself.

    python scripts/time_structure.py examples/receipt.jpg ../shared/dev-data/oldbooks/c050.png

Prints the median of --runs reads of each file's first page: OCR, tables, layout (ms)."""

from __future__ import annotations

import argparse
import statistics
import time

from vlocr.io.loader import load_pages
from vlocr.layout.order import analyse_layout
from vlocr.layout.tables import annotate_tables
from vlocr.service.reading import ocr_page_with_image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for path in args.images:
        page = load_pages(path)[0]
        ocr_page_with_image(page)  # models loaded and graphs warm before timing
        ocr, tables, layout = [], [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            result, _ = ocr_page_with_image(page)
            ocr.append(time.perf_counter() - start)
            start = time.perf_counter()
            annotate_tables(result, page.image)
            tables.append(time.perf_counter() - start)
            start = time.perf_counter()
            analyse_layout(result, page.image)
            layout.append(time.perf_counter() - start)
        ms = [statistics.median(x) * 1000 for x in (ocr, tables, layout)]
        print(
            f"{path}: OCR {ms[0]:.0f} ms, tables {ms[1]:.0f} ms, layout {ms[2]:.0f} ms "
            f"({len(result.tables)} tables, {len(result.blocks)} blocks)"
        )


if __name__ == "__main__":
    main()
