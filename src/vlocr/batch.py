"""Batch runs over folders: every page's result written as it finishes, resumable, never losing
the rest of the batch to one bad file."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from vlocr.results import PageResult

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif", ".pdf"}


@dataclass
class BatchSummary:
    inputs: int = 0
    pages_ok: int = 0
    pages_failed: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)


def collect_inputs(paths: Iterable[Path], recursive: bool = True) -> list[Path]:
    """Expand folders into the image/PDF files inside them (sorted); keep files as given, so a
    misnamed or missing file still reaches the loader and is reported instead of vanishing."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            pattern = "**/*" if recursive else "*"
            found.extend(
                sorted(
                    p
                    for p in path.glob(pattern)
                    if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                )
            )
        else:
            found.append(path)
    return found


def output_name(path: Path) -> str:
    """A stable, collision-free file name for one input's results."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]
    return f"{path.stem}.{digest}.json"


def run_batch(
    inputs: list[Path],
    out_dir: Path,
    *,
    engine: str = "rapidocr",
    preprocess: str | list[str] = "auto",
    resume: bool = True,
    on_input: Callable[[Path, list[PageResult]], None] | None = None,
) -> BatchSummary:
    """OCR every input; write ``<stem>.<hash>.json`` (a list of page results) per input plus one line
    per page to ``results.jsonl``. With ``resume``, inputs whose JSON exists are skipped."""
    from vlocr.service import read

    out_dir.mkdir(parents=True, exist_ok=True)
    summary = BatchSummary(inputs=len(inputs))
    with (out_dir / "results.jsonl").open("a", encoding="utf-8") as log:
        for path in inputs:
            target = out_dir / output_name(path)
            if resume and target.exists():
                summary.skipped += 1
                continue
            pages = read([path], engine=engine, preprocess=preprocess).pages
            for page in pages:
                if page.ok:
                    summary.pages_ok += 1
                else:
                    summary.pages_failed += 1
                    summary.failures.append(
                        f"{page.label}: {page.error.message if page.error else ''}"
                    )
                log.write(page.model_dump_json() + "\n")
            log.flush()
            if all(p.ok for p in pages):
                tmp = target.with_suffix(".tmp")
                tmp.write_text(
                    json.dumps(
                        [p.model_dump(mode="json") for p in pages], ensure_ascii=False, indent=1
                    ),
                    encoding="utf-8",
                )
                tmp.replace(target)
            if on_input:
                on_input(path, pages)
    return summary
