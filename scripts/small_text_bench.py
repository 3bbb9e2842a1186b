"""Small text and photos on the dev data: one rerunnable measurement, before vs after a change.

`make` writes the images (needs this checkout's `vlocr.eval.synth.degrade`); `read` OCRs them with
whatever `vlocr` is on PYTHONPATH and caches the text per label; `compare` prints the tables.

    PY=.venv/bin/python; OUT=/tmp/smalltext
    $PY scripts/small_text_bench.py make ../shared/dev-data $OUT
    PYTHONPATH=/work/main/src nice -n 10 $PY scripts/small_text_bench.py read $OUT before
    PYTHONPATH=src nice -n 10 $PY scripts/small_text_bench.py read $OUT after
    $PY scripts/small_text_bench.py compare $OUT before after
    PYTHONPATH=src $PY scripts/small_text_bench.py strips $OUT   # what the strips add

Sets (fixed choices, so two checkouts read the same pixels):
- `small400`, `small600`: the first 20 SROIE receipts shrunk to a 400 / 600 px long side;
- `photos`: 8 book pages as 12 MP phone-photo stand-ins (`photo_pages.py`'s recipe);
- `dense`: 3 sheets of 3 x 3 book pages photographed the same way (a dense page: body text
  ~12 px tall in the 12 MP frame; scored order-free, word F1);
- `degraded`: 20 other receipts brought to a phone's 1600 px long side, then blurred, dimmed,
  JPEG-compressed, laid on a desk in perspective, shrunk to 600 px or all of these
  (`phone_photo`), in turn;
- `clean`: 10 more receipts, 10 forms and 5 book pages as scanned.
Each set is read with the presets in PRESETS. Write OUT outside the repository.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import cv2
import numpy as np

PRESETS = {
    "small400": ("auto",),
    "small600": ("auto",),
    "photos": ("auto",),
    "dense": ("none", "auto"),
    "degraded": ("none", "auto"),
    "clean": ("none", "auto"),
}
# (degradation, severity) cycled over the degraded receipts; "small" = downscale_to(600)
DEGRADED = [
    ("blur", 2),
    ("low_light", 2),
    ("jpeg", 2),
    ("perspective", 2),
    ("small", 0),
    ("phone_photo", 2),
]
PHONE_LONG_SIDE = 1600


def _save(folder: Path, name: str, image: np.ndarray, truth: dict, jpeg: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    if jpeg:
        cv2.imwrite(str(folder / f"{name}.jpg"), bgr, [cv2.IMWRITE_JPEG_QUALITY, 85])
    else:
        cv2.imwrite(str(folder / f"{name}.png"), bgr)
    (folder / f"{name}.json").write_text(json.dumps(truth, ensure_ascii=False))


def make(dev: Path, out: Path, sets: set[str]) -> None:
    from vlocr.eval.data.loaders import load_folder, load_sroie
    from vlocr.eval.synth.degrade import degrade, downscale_to
    from vlocr.eval.synth.documents import rows_text

    sys.path.insert(0, str(Path(__file__).parent))
    from photo_pages import shoot

    for i, s in enumerate(
        load_sroie(dev / "sroie-train") if sets & {"small", "degraded", "clean"} else []
    ):
        truth = {"text": rows_text(s.lines), "casefold": True, "kind": "receipt"}
        if i < 20 and "small" in sets:
            for side in (400, 600):
                image, _ = downscale_to(s.image, s.lines, side)
                _save(out / f"small{side}", s.sample_id, image, truth)
        elif 20 <= i < 40 and "degraded" in sets:
            name, severity = DEGRADED[i % len(DEGRADED)]
            image, lines = downscale_to(s.image, s.lines, PHONE_LONG_SIDE)
            if name == "small":
                image, lines = downscale_to(image, lines, 600)
            else:
                image, lines = degrade(image, lines, name, severity, seed=i)
            truth["kind"] = f"receipt:{name}"
            _save(out / "degraded", s.sample_id, image, truth)
        elif 40 <= i < 50 and "clean" in sets:
            _save(out / "clean", s.sample_id, s.image, truth)
        elif i >= 50:
            break
    if "clean" in sets:
        for s in load_folder(dev / "funsd-train", "funsd", 10):
            _save(out / "clean", s.sample_id, s.image, {"text": s.text, "kind": "form"})
    books = load_folder(dev / "oldbooks", "txt")
    for s in books[:5] if "clean" in sets else []:
        _save(out / "clean", s.sample_id, s.image, {"text": s.text, "kind": "page"})
    for k, s in enumerate(books[::3][:8] if "photos" in sets else []):
        truth = {"text": s.text, "kind": f"photo{1 + k % 3}"}
        _save(out / "photos", s.sample_id, shoot(s.image, k), truth, jpeg=True)
    for k in range(3 if "dense" in sets else 0):
        pages = [books[(7 * k + j) % len(books)] for j in range(9)]
        sheet = _sheet([p.image for p in pages], 3)
        truth = {"text": "\n".join(p.text for p in pages), "kind": "dense"}
        _save(out / "dense", f"sheet{k}", shoot(sheet, k), truth, jpeg=True)
    print(f"wrote {sum(1 for _ in out.rglob('*.json'))} images under {out}")


def _sheet(images: list[np.ndarray], cols: int) -> np.ndarray:
    """Pages side by side on one white sheet, ``cols`` to a row, each in a cell of the largest
    page's size."""
    ch = max(im.shape[0] for im in images)
    cw = max(im.shape[1] for im in images)
    rows = (len(images) + cols - 1) // cols
    sheet = np.full((rows * ch, cols * cw, 3), 255, np.uint8)
    for i, im in enumerate(images):
        y, x = (i // cols) * ch, (i % cols) * cw
        sheet[y : y + im.shape[0], x : x + im.shape[1]] = im[:, :, :3]
    return sheet


def _items(out: Path) -> list[tuple[str, Path, dict]]:
    items = []
    for set_name in PRESETS:
        for truth in sorted((out / set_name).glob("*.json")):
            image = next(p for p in truth.parent.glob(truth.stem + ".*") if p.suffix != ".json")
            items.append((set_name, image, json.loads(truth.read_text())))
    return items


def read(out: Path, label: str) -> None:
    from vlocr.io import load_pages
    from vlocr.service.reading import ocr_page

    cache_path = out / f"reads-{label}.json"
    cache = json.loads(cache_path.read_text()) if cache_path.is_file() else {}
    for set_name, image_path, _ in _items(out):
        for preset in PRESETS[set_name]:
            key = f"{set_name}/{image_path.stem}/{preset}"
            if key in cache:
                continue
            page = load_pages(image_path, label=str(image_path))[0]
            result = ocr_page(page, engine="rapidocr", preprocess=preset)
            cache[key] = "\n".join(line.text for line in result.lines)
            cache_path.write_text(json.dumps(cache, ensure_ascii=False, indent=0))
            print(key, flush=True)


def compare(out: Path, labels: list[str]) -> None:
    from vlocr.eval.reading.metrics import score_text

    reads = {lb: json.loads((out / f"reads-{lb}.json").read_text()) for lb in labels}
    # group -> label -> [char distance, ref chars, sum of word F1, pages]
    groups: dict[str, dict[str, list[float]]] = {}
    per_kind: dict[str, dict[str, list[float]]] = {}
    for set_name, image_path, truth in _items(out):
        for preset in PRESETS[set_name]:
            key = f"{set_name}/{image_path.stem}/{preset}"
            kind = truth["kind"].split(":")[0]
            group = f"{set_name} {kind}" if set_name == "clean" else set_name
            for lb in labels:
                if key not in reads[lb]:
                    continue
                sc = score_text(
                    truth["text"], reads[lb][key], casefold=truth.get("casefold", False)
                )
                for table, name in ((groups, f"{group} / {preset}"), (per_kind, truth["kind"])):
                    if table is per_kind and set_name != "degraded":
                        continue
                    if table is per_kind:
                        name = f"{truth['kind']} / {preset}"
                    acc = table.setdefault(name, {}).setdefault(lb, [0, 0, 0.0, 0])
                    acc[0] += sc.char_distance
                    acc[1] += sc.ref_chars
                    acc[2] += sc.word_f1
                    acc[3] += 1
    header = " | ".join(f"{lb} CER | {lb} word F1" for lb in labels)
    for title, table in (("sets", groups), ("degraded receipts by degradation", per_kind)):
        print(f"\n{title}\n\n| set / preset | pages | {header} |")
        print("| --- | ---: |" + " ---: | ---: |" * len(labels))
        for name, by_label in table.items():
            n = next(iter(by_label.values()))[3]
            cells = []
            for lb in labels:
                d, c, f, k = by_label.get(lb, [0, 0, 0.0, 0])
                cells += [f"{100 * d / max(c, 1):.1f}%", f"{f / max(k, 1):.3f}"]
            print(f"| {name} | {n} | " + " | ".join(cells) + " |")
    print("\nchar errors of auto / none\n")
    photometric = ("blur", "low_light", "jpeg", "small")
    for lb in labels:
        ratios = []
        for name in sorted({k.rsplit(" / ", 1)[0] for k in groups}):
            none, auto = groups.get(f"{name} / none", {}), groups.get(f"{name} / auto", {})
            if lb in none and lb in auto:
                ratios.append(f"{name} {auto[lb][0] / max(1, none[lb][0]):.2f}x")
        sums = {"none": 0, "auto": 0}
        for name, by_label in per_kind.items():
            kind, preset = name.split(" / ")
            if kind.split(":")[1] in photometric and lb in by_label:
                sums[preset] += by_label[lb][0]
        ratios.append(
            f"degraded blur/low light/JPEG/small {sums['auto'] / max(1, sums['none']):.2f}x"
        )
        print(f"- {lb}: " + ", ".join(ratios))


def strips(out: Path) -> None:
    """The dense sheets read without preprocessing with and without detection in strips
    (``det_min_text_px=0`` keeps every page in one detector input), and the detector's time
    of each, interleaved (median of 3)."""
    import time

    from vlocr.eval.reading.metrics import score_text
    from vlocr.io import load_pages
    from vlocr.ocr.ppocr_pipeline import PipelineConfig
    from vlocr.ocr.rapidocr_engine import VlocrRapidEngine

    engines = {
        "strips": VlocrRapidEngine(config=PipelineConfig()),
        "one input": VlocrRapidEngine(config=PipelineConfig(det_min_text_px=0.0)),
    }
    for set_name, image_path, truth in _items(out):
        if set_name != "dense":
            continue
        image = load_pages(image_path, label=str(image_path))[0].image
        times: dict[str, list[float]] = {name: [] for name in engines}
        for rep in range(3):
            for name, engine in engines.items():
                pipe = engine.pipeline
                t0 = time.perf_counter()
                scale, _, small = pipe.det_scale(image)
                boxes = pipe.detect_page(image, scale, small)
                times[name].append(time.perf_counter() - t0)
                if rep == 0:
                    hyp = "\n".join(line.text for line in engine.recognize(image).lines)
                    f1 = score_text(truth["text"], hyp).word_f1
                    print(
                        f"{image_path.stem} {name}: scale {scale:.3f}, {len(boxes)} boxes, word F1 {f1:.3f}"
                    )
        med = {name: sorted(v)[1] for name, v in times.items()}
        print(
            f"{image_path.stem} detector time strips / one input: {med['strips'] / med['one input']:.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument(
        "dev", type=Path, help="the dev-data folder (sroie-train, funsd-train, oldbooks)"
    )
    m.add_argument("out", type=Path)
    m.add_argument("--sets", default="small,degraded,clean,photos,dense", help="which to write")
    r = sub.add_parser("read")
    r.add_argument("out", type=Path)
    r.add_argument("label", help="a name for this checkout's reads (e.g. before, after)")
    st = sub.add_parser("strips", help="dense sheets with and without detection in strips")
    st.add_argument("out", type=Path)
    c = sub.add_parser("compare")
    c.add_argument("out", type=Path)
    c.add_argument("labels", nargs="+")
    args = parser.parse_args()
    if args.cmd == "make":
        make(args.dev, args.out, set(args.sets.split(",")))
    elif args.cmd == "read":
        read(args.out, args.label)
    elif args.cmd == "strips":
        strips(args.out)
    else:
        compare(args.out, args.labels)


if __name__ == "__main__":
    random.seed(0)
    main()
