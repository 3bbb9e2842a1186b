"""`vlocr batch`: folders expanded, results written per input, failures reported, resume works."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path


def run_batch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vlocr.cli.main", "batch", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_batch_writes_results_and_resumes(tmp_path: Path, text_png: Path) -> None:
    src = tmp_path / "in" / "sub"
    src.mkdir(parents=True)
    shutil.copy(text_png, src / "a.png")
    (tmp_path / "in" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # signature only: truncated
    (tmp_path / "in" / "notes.txt").write_text("not an image")  # not collected from a folder
    out = tmp_path / "out"

    first = run_batch(str(tmp_path / "in"), "--out", str(out))
    assert first.returncode == 2, first.stderr
    assert "broken.png" in first.stderr and "1 pages ok, 1 failed" in first.stderr
    assert "notes.txt" in first.stderr, "a folder entry that is not read is named"
    done = list(out.glob("a.*.json"))
    assert len(done) == 1
    pages = json.loads(done[0].read_text())
    assert "TOTAL" in pages[0]["result"]["text"]
    lines = [json.loads(ln) for ln in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(Path(p["source"]).name for p in lines) == ["a.png", "broken.png"]
    assert not list(out.glob("broken.*.json")), "a failed input is not marked done"

    second = run_batch(str(tmp_path / "in"), "--out", str(out))
    assert "1 skipped" in second.stderr and "0 pages ok, 1 failed" in second.stderr
    lines = (out / "results.jsonl").read_text().splitlines()
    assert len(lines) == 2, "the failed input is recorded again, not appended again"
