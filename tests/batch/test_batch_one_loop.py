"""Issue 20's batch rows: ask/extract walk pages through the service's page loop under
VLOCR_IO__*, an extract that validates nothing exits 1, Ctrl-C prints what is left."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from batch_helpers import make_page

from vlocr.batch import TaskSpec
from vlocr.testing.openai_stub import StubServer

CLI = [sys.executable, "-m", "vlocr.cli.main", "batch"]


def batch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_extract_obeys_the_io_budgets(tmp_path: Path) -> None:
    """A 420x70 page is over a 1000-pixel VLOCR_IO__MAX_PIXELS: refused, as `vlocr read` does."""
    folder = tmp_path / "in"
    folder.mkdir()
    make_page(folder / "a.png", "TOTAL 9.50")
    out = tmp_path / "out"
    run = batch(
        str(folder), "-o", str(out), "--task", "extract", "--engine", "ocr",
        env={"VLOCR_IO__MAX_PIXELS": "1000"},
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    record = json.loads((out / "results.jsonl").read_text().splitlines()[0])
    assert record["status"] == "error" and record["error"]["code"] == "image_too_large"


def test_ask_and_extract_decode_one_page_at_a_time(
    monkeypatch: pytest.MonkeyPatch, pdf_two_pages: Path
) -> None:
    """Page 2 is decoded after page 1 was asked about, never all pages up front."""
    import vlocr.io

    events: list[str] = []
    real = vlocr.io.iter_pages

    def logged(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for page in real(*args, **kwargs):
            events.append(f"decode {page.page}")
            yield page

    def ask(self: TaskSpec, image: Any, label: str) -> tuple[dict[str, Any], str]:
        events.append(f"ask {label[-4]}")  # "... [page N/2]"
        return {}, "ok"

    monkeypatch.setattr(vlocr.io, "iter_pages", logged)
    monkeypatch.setattr(TaskSpec, "_ask_page", ask)
    spec = TaskSpec(kind="extract", extract_engine="ocr", schema_name="receipt", pdf_dpi=72)
    records = spec.run(str(pdf_two_pages), "k")
    assert [r.page for r in records] == [1, 2] and all(r.status == "ok" for r in records)
    assert events == ["decode 1", "ask 1", "decode 2", "ask 2"]


def test_extract_where_every_page_is_invalid_exits_1(tmp_path: Path) -> None:
    stub = StubServer(answer='{"total": "not a number"}').start()
    try:
        folder = tmp_path / "in"
        folder.mkdir()
        make_page(folder / "a.png", "TOTAL 9.50")
        schema = tmp_path / "schema.json"
        schema.write_text(
            json.dumps(
                {
                    "type": "object",
                    "properties": {"total": {"type": "number"}},
                    "required": ["total"],
                }
            )
        )
        run = batch(
            str(folder), "-o", str(tmp_path / "out"), "--task", "extract", "--schema", str(schema),
            "--vlm", "openai", "--base-url", stub.base_url, "--model", "stub", "--attempts", "1",
        )  # fmt: skip
    finally:
        stub.stop()
    assert run.returncode == 1, run.stderr
    assert "1 invalid" in run.stderr and "no page validated against the schema" in run.stderr


def test_ctrl_c_prints_what_is_left_and_how_to_resume(
    tmp_path: Path, page_pool: list[Path]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for src in page_pool[:20]:
        shutil.copy(src, folder / src.name)
    out = tmp_path / "out"
    log = out / "results.jsonl"
    proc = subprocess.Popen(
        [*CLI, str(folder), "-o", str(out), "--workers", "1", "-p", "none"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and log.read_bytes().count(b"\n") >= 2:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted:" in err and " left" in err, err
    assert "rerun the same command to resume" in err
    assert "Traceback" not in err
    done = log.read_bytes().count(b"\n")
    resumed = batch(str(folder), "-o", str(out), "-p", "none")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{done} skipped" in resumed.stderr, resumed.stderr
