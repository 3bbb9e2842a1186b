"""``--format badcases``: the results users marked wrong on the web page, as benchmark samples.

Reads a bad-case folder (``vlocr serve --bad-cases DIR``) or an unzipped export of one. A wrong
read becomes a sample whose truth is the corrected text (scored by CER/WER); a wrong answer or
extraction becomes a sample whose key fields are the corrected values (scored by whether the
engine's text holds them), so any OCR engine can be compared on the collected failures.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from vlocr.badcases import iter_cases
from vlocr.eval.canvas import GtLine
from vlocr.eval.loaders import Sample, guess_lang


def load_badcases(folder: Path) -> Iterator[Sample]:
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
