"""A bad VLOCR_* value is one line naming the setting and exit code 2, for every command (issue 20:
`VLOCR_IO__MAX_PIXELS=abc vlocr read x.jpg` printed 47 lines of traceback, exit 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PY = sys.executable


@pytest.mark.parametrize(
    "args",
    [
        ["read", "{img}"],
        ["batch", "{img}", "--out", "{tmp}/out"],
        ["serve", "--port", "1", "--no-ui"],
        ["extract", "{img}", "--engine", "ocr"],
    ],
    ids=["read", "batch", "serve", "extract"],
)
def test_bad_setting_is_one_line_and_exit_2(
    args: list[str], text_png: Path, tmp_path: Path
) -> None:
    argv = [a.format(img=text_png, tmp=tmp_path) for a in args]
    proc = subprocess.run(
        [PY, "-m", "vlocr.cli.main", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "VLOCR_IO__MAX_PIXELS": "abc"},
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("vlocr: error: setting VLOCR_IO__MAX_PIXELS='abc' is invalid")
    assert "Traceback" not in proc.stderr
