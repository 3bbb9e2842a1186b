"""`vlocr read` keeps its documented contract: one JSON shape, a word when nothing was read,
output paths checked before reading, options checked once, settings from ``VLOCR_*``, and
``--engine vlm`` as a first-class engine (also in ``vlocr batch``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vlocr.testing.openai_stub import StubServer

PY = sys.executable


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "-m", "vlocr.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def stub() -> Iterator[StubServer]:
    server = StubServer(answer="GROCERY MART\nTOTAL 16.50").start()
    yield server
    server.stop()


def test_json_is_always_pages(text_png: Path) -> None:
    proc = run_cli("read", str(text_png), "-f", "json", "-p", "none")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert list(data) == ["pages"] and len(data["pages"]) == 1
    assert "TOTAL" in data["pages"][0]["text"]


def test_an_image_without_text_says_so(tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    Image.new("RGB", (200, 120), "white").save(blank)
    proc = run_cli("read", str(blank))
    assert proc.returncode == 0 and proc.stdout == ""
    assert proc.stderr.strip() == f"vlocr: note: {blank}: no text found"


@pytest.mark.parametrize(
    "option, target, needle",
    [
        ("--annotate", "/nonexistent/dir/a.png", "does not exist"),
        ("--annotate", "out.txt", "not an image format"),
        ("--save-preprocessed", "/nonexistent/b.png", "does not exist"),
    ],
)
def test_bad_output_path_fails_before_reading(
    text_png: Path, option: str, target: str, needle: str
) -> None:
    proc = run_cli("read", str(text_png), option, target)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and needle in proc.stderr, proc.stderr
    assert not Path(target).exists()


@pytest.mark.parametrize(
    "args, needle",
    [(["-p", "bogus"], "bogus"), (["-e", "rapidocrr"], "rapidocr-v6, rapidocr-v4, tesseract, vlm")],
)
def test_invalid_option_reported_once_up_front(
    text_png: Path, tmp_path: Path, args: list[str], needle: str
) -> None:
    files = [str(text_png), str(tmp_path / "missing.png"), str(text_png)]
    for command in ("read", "batch"):
        extra = ["-o", str(tmp_path / "out")] if command == "batch" else []
        proc = run_cli(command, *files, *args, *extra)
        assert proc.returncode == 2 and proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and needle in lines[0], proc.stderr


def test_io_settings_apply_to_read(text_png: Path, tmp_path: Path) -> None:
    proc = run_cli("read", str(text_png), env={"VLOCR_IO__MAX_PIXELS": "1000"})
    assert proc.returncode == 2 and "VLOCR_IO__MAX_PIXELS" in proc.stderr
    page = Image.open(text_png).convert("RGB")
    pdf = tmp_path / "one.pdf"
    page.save(pdf, "PDF", resolution=100)
    proc = run_cli("read", str(pdf), "-f", "json", "-p", "none", env={"VLOCR_IO__PDF_DPI": "50"})
    assert proc.returncode == 0, proc.stderr
    assert abs(json.loads(proc.stdout)["pages"][0]["width"] - page.width / 2) <= 1


def test_io_settings_apply_to_batch(text_png: Path, tmp_path: Path) -> None:
    proc = run_cli(
        "batch", str(text_png), "-o", str(tmp_path / "o"), env={"VLOCR_IO__MAX_PIXELS": "1000"}
    )
    assert proc.returncode == 2 and "VLOCR_IO__MAX_PIXELS" in proc.stderr


def test_read_engine_vlm_through_an_openai_server(
    text_png: Path, tmp_path: Path, stub: StubServer
) -> None:
    vlm = ["-e", "vlm", "--vlm", "openai", "--base-url", stub.base_url, "--model", "stub-vl"]
    proc = run_cli("read", str(text_png), *vlm, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    page = json.loads(proc.stdout)["pages"][0]
    assert page["text"] == "GROCERY MART\nTOTAL 16.50" and page["engine"] == "vlm:stub-vl"
    assert stub.requests[-1]["model"] == "stub-vl"
    proc = run_cli("read", str(text_png), *vlm, "-f", "lines")  # the line table names the engine
    assert proc.returncode == 0 and "TOTAL 16.50" in proc.stdout and "vlm:stub-vl" in proc.stdout
    proc = run_cli("read", str(text_png), *vlm, "-f", "markdown")
    assert proc.returncode == 0 and "TOTAL 16.50" in proc.stdout
    proc = run_cli("read", str(text_png), *vlm, "--annotate", str(tmp_path / "a.png"))
    assert proc.returncode == 2 and "--engine vlm returns text only" in proc.stderr
    proc = run_cli("read", str(text_png), "--base-url", stub.base_url)
    assert proc.returncode == 2 and "only apply to --engine vlm" in proc.stderr


def test_batch_engine_vlm_uses_the_vlm_settings(
    text_png: Path, tmp_path: Path, stub: StubServer
) -> None:
    env = {
        "VLOCR_VLM__BACKEND": "openai",
        "VLOCR_VLM__BASE_URL": stub.base_url,
        "VLOCR_VLM__MODEL": "stub-vl",
    }
    out = tmp_path / "out"
    proc = run_cli("batch", str(text_png), "-e", "vlm", "-o", str(out), env=env)
    assert proc.returncode == 0, proc.stderr
    record = json.loads((out / "results.jsonl").read_text().splitlines()[0])
    assert record["status"] == "ok" and record["error"] is None
    assert record["result"]["text"].endswith("TOTAL 16.50")
    assert record["result"]["engine"].startswith("vlm")


def test_annotate_many_pages_writes_each(text_png: Path, tmp_path: Path) -> None:
    out = tmp_path / "ann.png"
    proc = run_cli("read", str(text_png), str(text_png), "--annotate", str(out), "-p", "none")
    assert proc.returncode == 0, proc.stderr
    first, second = out, tmp_path / "ann-2.png"
    assert np.asarray(Image.open(first)).shape == np.asarray(Image.open(second)).shape
