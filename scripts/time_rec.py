"""Recognition time of one page's text crops, three ways side by side (interleaved, medians).

- ``padded-batches``: crops sorted by width, 8 per batch, each batch padded to its widest crop,
  one session using every core (the pipeline before 2026-11-29);
- ``one-by-one``: each crop alone at its own width, the same multi-threaded session;
- ``threads``: each crop alone, spread over one Python thread per core sharing a single-threaded
  session (the pipeline's default, ``rec_parallel``).

All three read the same crops (those the pipeline cuts from IMAGE) and must give the same text.

    .venv/bin/python scripts/time_rec.py examples/receipt.jpg --runs 7
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from PIL import Image

from vlocr.ocr._common import default_threads
from vlocr.ocr.ppocr_pipeline import PipelineConfig, PpOcrPipeline


def page_crops(pipe: PpOcrPipeline, image: np.ndarray) -> list[np.ndarray]:
    scale, _, small = pipe.det_scale(image)
    return pipe._crops(image, pipe.detect_page(image, scale, small))[1]


def padded_batches(pipe: PpOcrPipeline, crops: list[np.ndarray], batch: int = 8) -> list[str]:
    """The old way: 8 crops per run, padded to the widest one."""
    import cv2

    cfg = pipe.config
    hh = cfg.rec_height
    widths = [
        max(1, int(np.ceil(hh * min(cfg.rec_max_ratio, cfg.rec_squeeze * c.shape[1] / c.shape[0]))))
        for c in crops
    ]
    order = sorted(range(len(crops)), key=lambda i: widths[i])
    texts = [""] * len(crops)
    for beg in range(0, len(order), batch):
        idx = order[beg : beg + batch]
        pad_w = max(cfg.rec_min_width, widths[idx[-1]])
        data = np.zeros((len(idx), 3, hh, pad_w), np.float32)
        for j, i in enumerate(idx):
            resized = cv2.resize(crops[i], (widths[i], hh)).astype(np.float32)
            data[j, :, :, : widths[i]] = (resized * (2 / 255.0) - 1.0).transpose(2, 0, 1)
        preds = pipe.rec(data)
        for j, i in enumerate(idx):
            texts[i] = pipe._decode(preds[j], 1.0)[0]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("image")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    image = np.asarray(Image.open(args.image).convert("RGB"))
    cores = default_threads()
    threaded = PpOcrPipeline(PipelineConfig(rec_parallel=True))
    whole = PpOcrPipeline(replace(PipelineConfig(), rec_parallel=False))
    crops = page_crops(whole, image)
    ways: dict[str, Callable[[], list[str]]] = {
        "padded-batches": lambda: padded_batches(whole, crops),
        "one-by-one": lambda: [t for t, _, _ in whole.recognize_crops(crops)],
        "threads": lambda: [t for t, _, _ in threaded.recognize_crops(crops)],
    }
    texts = {name: way() for name, way in ways.items()}  # also warms every session up
    same = all(texts[name] == texts["threads"] for name in texts)
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.runs):
        for name, way in ways.items():
            start = time.perf_counter()
            way()
            times[name].append((time.perf_counter() - start) * 1000)
    base = statistics.median(times["padded-batches"])
    print(
        f"{len(crops)} crops from {args.image}, {cores} cores, {args.runs} runs, same text: {same}"
    )
    print("| way | median ms | min ms | / padded-batches |")
    print("| --- | ---: | ---: | ---: |")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"| {name} | {med:,.0f} | {min(values):,.0f} | {med / base:.2f} |")


if __name__ == "__main__":
    main()
