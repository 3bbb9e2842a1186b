"""Peak memory of the loader on tiny hostile files, each in a fresh interpreter.

    PYTHONPATH=src python scripts/measure_bombs.py

Prints one JSON line per case: input bytes, outcome, seconds, and peak MB (the interpreter or
the PDF render child it waited for). Numbers in docs/hostile-inputs.md come from here.
"""

from __future__ import annotations

import json
import time

from vlocr.testing.hostile import run_measured

CASES = {
    "pdf-200-pages-49mp": "d = many_page_pdf(200)\nOUT['bytes'] = len(d)\nload_pages(d)",
    "pdf-10-pages-49mp-lazily": "d = many_page_pdf(10)\nOUT['bytes'] = len(d)\n"
    "OUT['pages'] = sum(1 for _ in iter_pages(d))",
    "tiff-20-pages-49mp-lazily": "d = many_page_tiff(20, 7000, 7000)\nOUT['bytes'] = len(d)\n"
    "OUT['pages'] = sum(1 for _ in iter_pages(d))",
    "pdf-content-stream-bomb": "d = content_bomb_pdf(60)\nOUT['bytes'] = len(d)\nload_pages(d)",
    "jpeg-claiming-7000x7000": "d = lying_jpeg()\nOUT['bytes'] = len(d)\nload_pages(d)",
    "png-100000x1": "d = flat_png(100000, 1)\nOUT['bytes'] = len(d)\nload_pages(d)",
}
HEAD = "from vlocr.io import iter_pages, load_pages\nfrom vlocr.testing.hostile import *\n"


def main() -> None:
    for name, body in CASES.items():
        start = time.monotonic()
        out = run_measured(HEAD + body, timeout_s=600)
        out["seconds"] = round(time.monotonic() - start, 1)
        out["peak_mb"] = round(out["peak_mb"])
        print(json.dumps({"case": name, **out}))


if __name__ == "__main__":
    main()
