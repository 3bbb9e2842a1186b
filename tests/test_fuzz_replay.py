"""Replay the committed fuzz corpus (tests/fuzz_corpus, grown by scripts/fuzz.py) through the
loader and the OCR pipeline: only vlocr's typed errors, and under 1.5 GB (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

from vlocr.testing.fuzz import load_corpus, seeds
from vlocr.testing.hostile import run_measured

CORPUS = Path(__file__).parent / "fuzz_corpus"


def test_corpus_holds_the_seed_shapes() -> None:
    names = set(load_corpus(CORPUS))
    assert set(seeds()) <= names, "seeds: very flat, very tall, thin, many-page PDF/TIFF"
    assert len(names) > len(seeds()), "the corpus also holds mutated inputs the fuzzer kept"


def test_replay_gives_only_typed_errors_under_1_5_gb() -> None:
    out = run_measured(
        "from pathlib import Path\n"
        "from vlocr.testing.fuzz import check, load_corpus\n"
        f"corpus = load_corpus(Path({str(CORPUS)!r}))\n"
        "found = []\n"
        "for name, data in corpus.items():\n"
        "    for target in ('loader', 'ocr'):\n"
        "        outcome, finding = check(target, data, name)\n"
        "        if finding is not None:\n"
        "            found.append([target, name, finding.error])\n"
        "OUT['findings'] = found\n"
        "OUT['inputs'] = len(corpus)\n",
        timeout_s=900,
    )
    assert "error" not in out, out
    assert out["inputs"] > 12
    assert out["findings"] == [], json.dumps(out["findings"], indent=1)
    assert out["peak_mb"] < 1536
