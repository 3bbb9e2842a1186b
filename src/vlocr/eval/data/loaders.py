"""Users' own labelled data for the benchmark, in three common layouts.

- ``txt``: ``name.png`` + ``name.txt`` (the expected text); an optional ``name.json`` holds key
  fields as ``{"field": "value"}``.
- ``sroie``: SROIE 2019 style. Images with box files (one ``x1,y1,x2,y2,x3,y3,x4,y4,text`` per
  line; the text may contain commas) and key files (JSON ``{company, date, address, total}``).
  Either sub-folders ``img/``, ``box/``, ``key/`` (``entities/`` also accepted) or everything in
  one folder with ``name.txt`` as the box file and ``name.json`` as the key file.
- ``funsd``: FUNSD style. ``images/name.png`` + ``annotations/name.json`` with
  ``{"form": [{"id", "text", "box": [x0, y0, x1, y1], "label", "linking", "words"}]}``; key
  fields are the question -> answer links.
- ``badcases``: the results users marked wrong on the web page (``vlocr serve --bad-cases DIR``,
  or an unzipped export). A wrong read becomes a sample whose truth is the corrected text (scored
  by CER/WER); a wrong answer or extraction one whose key fields are the corrected values (scored
  by whether the engine's text holds them), so any OCR engine can be compared on the failures.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vlocr.errors import InputNotFoundError, InvalidOptionError
from vlocr.eval.data.canvas import GtLine, is_cjk, quad_from_rect

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
FORMATS = ("txt", "sroie", "funsd", "badcases")


@dataclass
class Sample:
    """One labelled image: the page, its truth lines (box ``[]`` when unknown), text and fields."""

    image: np.ndarray
    lines: list[GtLine]
    text: str
    fields: dict[str, str]
    sample_id: str
    lang: str = "en"
    kind: str = "user"
    meta: dict[str, str] = field(default_factory=dict)


def guess_lang(text: str) -> str:
    cjk = sum(1 for ch in text if is_cjk(ch))
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if cjk and latin > cjk // 2:
        return "mixed"
    return "zh" if cjk else "en"


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _load_image(path: Path) -> np.ndarray:
    from vlocr.io import load_pages

    return load_pages(path, label=str(path))[0].image


def _images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def _find(stem: str, folders: list[Path], suffixes: tuple[str, ...]) -> Path | None:
    for folder in folders:
        for suffix in suffixes:
            candidate = folder / f"{stem}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def _fields_from_json(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise InvalidOptionError(
            f"{path} is not valid JSON ({exc.msg})",
            "key files hold one JSON object of field -> value",
        ) from None
    if not isinstance(data, dict):
        raise InvalidOptionError(
            f"{path} holds {type(data).__name__}, not an object", 'write {"field": "value", ...}'
        )
    return {str(k): str(v) for k, v in data.items() if v not in (None, "")}


def load_txt(folder: Path) -> Iterator[Sample]:
    for image_path in _images(folder):
        truth = _find(image_path.stem, [folder], (".txt", ".gt.txt"))
        if truth is None:
            continue
        text = _read_text(truth).strip("\n")
        lines = [GtLine(t, []) for t in text.splitlines() if t.strip()]
        fields = _fields_from_json(_find(image_path.stem, [folder], (".json",)))
        yield Sample(
            _load_image(image_path), lines, text, fields, image_path.stem, guess_lang(text)
        )


def parse_sroie_boxes(content: str) -> list[GtLine]:
    """Rows of ``x1,y1,...,x4,y4,text``; the text keeps its own commas."""
    lines: list[GtLine] = []
    for row in content.splitlines():
        parts = row.strip().split(",", 8)
        if len(parts) < 9:
            continue
        try:
            coords = [float(v) for v in parts[:8]]
        except ValueError:
            continue
        text = parts[8].strip()
        if text:
            lines.append(GtLine(text, [(coords[i], coords[i + 1]) for i in range(0, 8, 2)]))
    return lines


def load_sroie(folder: Path) -> Iterator[Sample]:
    image_dir = next((folder / d for d in ("img", "images") if (folder / d).is_dir()), folder)
    box_dirs = [folder / d for d in ("box", "boxes") if (folder / d).is_dir()] or [folder]
    key_dirs = [folder / d for d in ("key", "entities", "keys") if (folder / d).is_dir()] or [
        folder
    ]
    for image_path in _images(image_dir):
        box_file = _find(image_path.stem, box_dirs, (".txt", ".csv"))
        if box_file is None:
            continue
        lines = parse_sroie_boxes(_read_text(box_file))
        key_suffixes = (".json",) if key_dirs == [folder] else (".txt", ".json")
        fields = _fields_from_json(_find(image_path.stem, key_dirs, key_suffixes))
        text = "\n".join(ln.text for ln in lines)
        yield Sample(
            _load_image(image_path),
            lines,
            text,
            fields,
            image_path.stem,
            guess_lang(text),
            kind="sroie",
        )


def load_funsd(folder: Path) -> Iterator[Sample]:
    image_dir = next((folder / d for d in ("images", "img") if (folder / d).is_dir()), folder)
    ann_dirs = [folder / d for d in ("annotations", "annotation") if (folder / d).is_dir()] or [
        folder
    ]
    for image_path in _images(image_dir):
        ann = _find(image_path.stem, ann_dirs, (".json",))
        if ann is None:
            continue
        try:
            form = json.loads(_read_text(ann)).get("form", [])
        except (json.JSONDecodeError, AttributeError):
            raise InvalidOptionError(
                f"{ann} is not a FUNSD annotation", "expected a JSON object with a 'form' list"
            ) from None
        lines: list[GtLine] = []
        by_id: dict[object, dict] = {}
        for entry in form:
            by_id[entry.get("id")] = entry
            text = str(entry.get("text", "")).strip()
            box = entry.get("box") or []
            if text:
                lines.append(
                    GtLine(text, quad_from_rect(*map(float, box)) if len(box) == 4 else [])
                )
        fields: dict[str, str] = {}
        for entry in form:
            if entry.get("label") != "question":
                continue
            for link in entry.get("linking", []):
                other = by_id.get(link[1] if link[0] == entry.get("id") else link[0])
                if other and other.get("label") == "answer" and str(other.get("text", "")).strip():
                    fields[str(entry.get("text", "")).strip().rstrip(":")] = str(
                        other["text"]
                    ).strip()
        text = "\n".join(ln.text for ln in lines)
        yield Sample(
            _load_image(image_path),
            lines,
            text,
            fields,
            image_path.stem,
            guess_lang(text),
            kind="funsd",
        )


def load_badcases(folder: Path) -> Iterator[Sample]:
    from vlocr.badcases import iter_cases
    from vlocr.io import load_pages

    for case in iter_cases(folder):
        pages = load_pages(folder / case.id / case.image, label=f"{case.id}/{case.image}")
        image = pages[min(max(case.page, 1), len(pages)) - 1].image
        text = case.correction if case.kind == "read" else ""
        fields = case.correction_fields()
        yield Sample(
            image=image,
            lines=[GtLine(t, []) for t in text.splitlines() if t.strip()],
            text=text,
            fields=fields,
            sample_id=case.id,
            lang=guess_lang(text or " ".join(fields.values())),
            kind=f"badcase-{case.kind}",
            meta={"source": case.source, "kind": case.kind, "note": case.note},
        )


def load_folder(folder: str | Path, fmt: str = "txt", limit: int | None = None) -> list[Sample]:
    """Every labelled sample in ``folder`` (images without truth are skipped), at most ``limit``."""
    path = Path(folder)
    if not path.is_dir():
        raise InputNotFoundError(
            f"data folder '{folder}' does not exist",
            "pass --data with a folder of images and ground truth",
        )
    loaders = {"txt": load_txt, "sroie": load_sroie, "funsd": load_funsd, "badcases": load_badcases}
    if fmt not in loaders:
        raise InvalidOptionError(
            f"unknown data format '{fmt}'", f"choose one of: {', '.join(FORMATS)}"
        )
    samples: list[Sample] = []
    for sample in loaders[fmt](path):
        samples.append(sample)
        if limit is not None and len(samples) >= limit:
            break
    if not samples:
        raise InvalidOptionError(
            f"no labelled images found in '{folder}' for format '{fmt}'",
            {
                "txt": "put name.png next to name.txt",
                "sroie": "use img/, box/ and key/ folders (or name.txt box files next to images)",
                "funsd": "use images/ and annotations/ folders",
                "badcases": "pass a 'vlocr serve --bad-cases' folder or an unzipped export",
            }[fmt],
        )
    return samples
