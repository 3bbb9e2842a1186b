"""The bundled examples exist, load, stay small, and match their generator and true text."""

from __future__ import annotations

import collections
import importlib.util
import sys
from pathlib import Path

import pytest

from vlocr.io import load_pages

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
NAMES = {
    "receipt": "receipt.jpg",
    "screenshot": "screenshot.png",
    "notice_zh_en": "notice_zh_en.png",
}


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_examples", ROOT / "scripts" / "make_examples.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("stem", "filename"), NAMES.items())
def test_example_is_small_loadable_and_has_truth(stem: str, filename: str) -> None:
    path = EXAMPLES / filename
    assert path.stat().st_size < 300 * 1024
    [page] = load_pages(path)
    assert page.format == ("jpeg" if filename.endswith(".jpg") else "png")
    assert 600 <= page.width <= 1000
    lines = (EXAMPLES / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    assert lines and all(line.strip() == line and line for line in lines)


def test_receipt_truth_is_consistent() -> None:
    lines = (EXAMPLES / "receipt.txt").read_text(encoding="utf-8").splitlines()
    assert 25 <= len(lines) <= 40
    assert lines[0] == "GREENLEAF MARKET"
    values = {
        line.rsplit(" ", 1)[0]: line.rsplit(" ", 1)[1]
        for line in lines
        if line.split()[-1][-3:-2] == "."
    }
    assert values["Subtotal"] == "41.62" and values["TOTAL"] == "39.54"
    assert round(41.62 - 2.08, 2) == float(values["TOTAL"])


def test_generator_is_deterministic_and_matches_committed_text(tmp_path: Path) -> None:
    generator = _generator()
    generator.main(["--out", str(tmp_path / "a")])
    generator.main(["--out", str(tmp_path / "b")])
    for stem, filename in NAMES.items():
        assert (tmp_path / "a" / filename).read_bytes() == (tmp_path / "b" / filename).read_bytes()
        committed = (EXAMPLES / f"{stem}.txt").read_text(encoding="utf-8")
        assert (tmp_path / "a" / f"{stem}.txt").read_text(encoding="utf-8") == committed


@pytest.mark.slow
def test_receipt_is_readable_by_rapidocr() -> None:
    rapidocr = pytest.importorskip("rapidocr")
    [page] = load_pages(EXAMPLES / "receipt.jpg")
    result = rapidocr.RapidOCR()(page.image)
    got = collections.Counter(" ".join(result.txts or ()).replace("\u00d7", "x").split())
    truth = collections.Counter((EXAMPLES / "receipt.txt").read_text(encoding="utf-8").split())
    missing = truth - got
    assert sum(missing.values()) <= 2, missing
