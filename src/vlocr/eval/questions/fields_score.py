"""Key-field precision, recall and F1: the SROIE 2019 task-3 score, for any field extractor.

A predicted field is a true positive when it equals the truth after NFKC, case folding and
removing all whitespace (SROIE's truth has stray spaces around ``:`` and ``.``, and is upper
case where the print is). An empty prediction is not counted as a prediction; an empty truth is
not counted as a field to find. Precision = TP / predicted, recall = TP / truth, per field and
micro-averaged over fields.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SROIE_FIELDS = ("company", "date", "address", "total")
# SROIE names -> the receipt schema's names (the schema calls the company ``merchant``)
SROIE_TO_SCHEMA = {"company": "merchant", "date": "date", "address": "address", "total": "total"}


def field_key(value: Any) -> str:
    """The normalised form two values are compared in."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return "".join(text.split())


@dataclass
class FieldCounts:
    tp: int = 0
    predicted: int = 0
    truth: int = 0
    misses: list[dict[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.truth if self.truth else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "predicted": self.predicted,
            "truth": self.truth,
        }


@dataclass
class FieldScores:
    """Counts per field over a set of documents."""

    fields: dict[str, FieldCounts] = field(default_factory=dict)

    def add(self, doc_id: str, truth: Mapping[str, Any], predicted: Mapping[str, Any]) -> None:
        for name, true_value in truth.items():
            counts = self.fields.setdefault(name, FieldCounts())
            want, got = field_key(true_value), field_key(predicted.get(name))
            counts.truth += bool(want)
            counts.predicted += bool(got)
            if want and got == want:
                counts.tp += 1
            elif want or got:
                counts.misses.append(
                    {"id": doc_id, "truth": str(true_value), "got": str(predicted.get(name) or "")}
                )

    @property
    def mean_f1(self) -> float:
        return sum(c.f1 for c in self.fields.values()) / len(self.fields) if self.fields else 0.0

    def micro(self) -> FieldCounts:
        total = FieldCounts()
        for c in self.fields.values():
            total.tp += c.tp
            total.predicted += c.predicted
            total.truth += c.truth
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "fields": {k: c.to_dict() for k, c in self.fields.items()},
            "mean_f1": round(self.mean_f1, 4),
            "micro": self.micro().to_dict(),
        }


def score_documents(
    docs: Iterable[tuple[str, Mapping[str, Any], Mapping[str, Any]]],
) -> FieldScores:
    """Score ``(doc_id, truth, predicted)`` triples."""
    scores = FieldScores()
    for doc_id, truth, predicted in docs:
        scores.add(doc_id, truth, predicted)
    return scores


def sroie_prediction(printed: Mapping[str, Any]) -> dict[str, Any]:
    """SROIE-named fields from the OCR extractor's printed texts (schema names -> SROIE names)."""
    return {name: printed.get(schema) for name, schema in SROIE_TO_SCHEMA.items()}


# ---- the SROIE field benchmark of the OCR-only extractor ---------------------------------------


def field_bench(
    folder: str,
    fmt: str = "sroie",
    *,
    ocr_engine: str = "rapidocr",
    preset: str = "auto",
    limit: int | None = None,
    holdout: int = 0,
    progress: bool = False,
    ocr_cache: str | None = None,
) -> dict[str, Any]:
    """Read every labelled receipt once with the default OCR settings, fill the receipt schema
    from OCR alone, and score company/date/address/total. With ``holdout=N`` the last N
    documents (sorted by id) are also scored apart, as the set that rules were not tuned on."""
    from vlocr.eval.data.loaders import load_folder
    from vlocr.fields import extract_ocr_fields

    samples = load_folder(folder, fmt, limit)
    rows: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    details = []
    for n, sample in enumerate(samples, 1):
        page = cached_ocr(sample.image, sample.sample_id, ocr_engine, preset, ocr_cache)
        result = extract_ocr_fields(None, "receipt", lines=list(page.lines))
        printed = {k: (v.text if v else None) for k, v in result.fields.items()}
        truth = {k: sample.fields.get(k, "") for k in SROIE_FIELDS}
        predicted = sroie_prediction(printed)
        rows.append((sample.sample_id, truth, predicted))
        details.append({"id": sample.sample_id, "truth": truth, "predicted": predicted})
        if progress:
            import sys

            print(f"fields {n}/{len(samples)} {sample.sample_id}", file=sys.stderr, flush=True)
    rows.sort(key=lambda r: r[0])
    out: dict[str, Any] = {
        "command_settings": {"ocr_engine": ocr_engine, "preset": preset, "n": len(rows)},
        "all": score_documents(rows).to_dict(),
        "documents": sorted(details, key=lambda d: d["id"]),
    }
    if 0 < holdout < len(rows):
        out["tuned"] = score_documents(rows[:-holdout]).to_dict()
        out["holdout"] = score_documents(rows[-holdout:]).to_dict()
        out["holdout_ids"] = [r[0] for r in rows[-holdout:]]
    return out


def cached_ocr(image: Any, key: str, engine: str, preset: str, cache: str | None) -> Any:
    """OCR of one page image (an array or a path), kept as ``<key>.<engine>.<preset>.json`` in
    ``cache`` (when given) so reruns of a benchmark skip the OCR."""
    from pathlib import Path

    from vlocr.io.page import Page
    from vlocr.results import PageResult
    from vlocr.service.reading import ocr_page

    path = Path(cache) / f"{key}.{engine}.{preset}.json" if cache else None
    if path is not None and path.is_file():
        return PageResult.model_validate_json(path.read_text(encoding="utf-8"))
    if isinstance(image, (str, Path)):
        from vlocr.io.loader import load_pages

        page_in = load_pages(image)[0]
    else:
        page_in = Page(image=image, source=key)
    page = ocr_page(page_in, engine=engine, preprocess=preset)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.model_dump_json(), encoding="utf-8")
    return page


def field_bench_markdown(report: dict[str, Any]) -> str:
    """The report's tables: all documents, and the tuned / held-out split when there is one."""

    def table(part: dict[str, Any], title: str) -> str:
        lines = [
            f"**{title}**",
            "",
            "| field | precision | recall | F1 | correct / truth |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, c in part["fields"].items():
            lines.append(
                f"| {name} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} "
                f"| {c['tp']} / {c['truth']} |"
            )
        lines.append(f"| **mean** | | | **{part['mean_f1']:.3f}** | |")
        return "\n".join(lines)

    s = report["command_settings"]
    head = (
        f"OCR-only receipt fields (`extract --engine ocr`), {s['n']} documents, OCR "
        f"{s['ocr_engine']}/{s['preset']}; exact match after NFKC, case folding and removing "
        "whitespace (SROIE task 3)."
    )
    parts = [head, "", table(report["all"], "all documents")]
    if "holdout" in report:
        n_hold = len(report["holdout_ids"])
        parts += [
            "",
            table(report["tuned"], f"the {s['n'] - n_hold} documents the rules were developed on"),
        ]
        parts += [
            "",
            table(report["holdout"], f"the last {n_hold} documents, held out while developing"),
        ]
    return "\n".join(parts) + "\n"
