"""`vlocr batch` as a user runs it: every task over good and bad files, and `kill -9` mid-run."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from batch_helpers import ScriptedServer, add_bad_files, make_page
from PIL import Image

CLI = [sys.executable, "-m", "vlocr.cli.main", "batch"]


def batch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)


def records(out: Path) -> list[dict]:
    """Every line must parse: a corrupt line fails the test here."""
    return [json.loads(ln) for ln in (out / "results.jsonl").read_text().splitlines()]


def by_name(rows: list[dict]) -> dict[str, dict]:
    names = [Path(r["source"]).name for r in rows]
    assert len(names) == len(set(names)), f"duplicate records: {sorted(names)}"
    return dict(zip(names, rows, strict=True))


def test_ask_and_extract_over_good_and_bad_files(
    tmp_path: Path, mixed_folder: tuple[Path, list[Path], list[Path]], vlm_servers: list
) -> None:
    folder, good, bad = mixed_folder
    pages = [Image.open(p).convert("RGB") for p in good[:2]]
    pages[0].save(folder / "two-pages.pdf", save_all=True, append_images=pages[1:])
    server: ScriptedServer = vlm_servers[0]
    vlm = ["--vlm", "openai", "--base-url", server.url, "--no-check-numbers"]

    run = batch(str(folder), "-o", str(tmp_path / "ask"), "--task", "ask", "-q", "Total?", *vlm)
    assert run.returncode == 2, run.stderr
    all_rows = records(tmp_path / "ask")
    pdf = [r for r in all_rows if r["source"].endswith(".pdf")]
    assert [(r["page"], r["page_count"], r["status"]) for r in pdf] == [(1, 2, "ok"), (2, 2, "ok")]
    rows = by_name([r for r in all_rows if r not in pdf])
    assert set(rows) == {p.name for p in good + bad}
    for p in good:
        assert rows[p.name]["status"] == "ok"
        assert rows[p.name]["result"]["text"] == "answer from A"
    for p in bad:
        assert rows[p.name]["status"] == "error" and rows[p.name]["error"]["message"]
        assert p.name in run.stderr

    schema = tmp_path / "doc.json"
    schema.write_text(
        json.dumps(
            {
                "title": "doc",
                "type": "object",
                "properties": {"number": {"type": "string"}, "total": {"type": "number"}},
                "required": ["number", "total"],
            }
        )
    )
    out = tmp_path / "extract"
    run = batch(str(folder), "-o", str(out), "--task", "extract", "-s", str(schema), *vlm)
    assert run.returncode == 2, run.stderr
    with (out / "extract.csv").open() as handle:
        table = {(Path(r["source"]).name, r["page"]): r for r in csv.DictReader(handle)}
    assert {("two-pages.pdf", "1"), ("two-pages.pdf", "2")} <= set(table)
    table = {name: row for (name, _), row in table.items() if not name.endswith(".pdf")}
    assert set(table) == {p.name for p in good + bad}
    assert list(next(iter(table.values()))) == [
        "source",
        "page",
        "status",
        "error",
        "number",
        "total",
    ]
    for p in good:
        assert table[p.name]["status"] == "ok" and table[p.name]["number"] == "A"
        assert float(table[p.name]["total"]) == 12.5
    for p in bad:
        assert table[p.name]["status"] == "error" and table[p.name]["error"]
    assert (out / "extract.parquet").exists()


def test_kill_minus_9_then_resume_keeps_exactly_one_record_per_input(
    tmp_path: Path, page_pool: list[Path]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for src in page_pool[:20]:
        shutil.copy(src, folder / src.name)
    bad = add_bad_files(folder)
    inputs = {p.name for p in folder.iterdir()}
    out = tmp_path / "out"
    log = out / "results.jsonl"

    proc = subprocess.Popen(
        [*CLI, str(folder), "-o", str(out), "--workers", "1", "-p", "none"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and log.read_bytes().count(b"\n") >= 6:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    partial = records(out)
    assert 6 <= len(partial) < len(inputs), "killed mid-run"
    with log.open("ab") as handle:  # a write torn by a crash (power loss, full disk)
        handle.write(b'{"key": "0123", "source": "/torn')

    (out / ".page05.0123456789abcdef01234567.json.999.tmp").write_bytes(b"[{")  # killed mid-write
    resumed = batch(str(folder), "-o", str(out), "-p", "none")
    assert not list(out.glob(".*.tmp")), "no partial file left behind"
    assert resumed.returncode == 2, resumed.stderr
    rows = by_name(records(out))
    assert set(rows) == inputs
    for p in bad:
        assert rows[p.name]["status"] == "error" and p.name in resumed.stderr
    assert sum(r["status"] == "ok" for r in rows.values()) == 20
    assert "repaired 1" in resumed.stderr
    first_text = rows["page01.png"]["result"]["text"]

    make_page(folder / "page00.png", "CHANGED 9999")
    (folder / "page01.png").rename(folder / "moved.png")
    again = batch(str(folder), "-o", str(out), "-p", "none")
    assert "4 run, 19 skipped" in again.stderr, again.stderr  # page00 + the 3 bad ones
    rows = by_name(records(out))
    assert set(rows) == (inputs - {"page01.png"}) | {"moved.png"}
    assert "9999" in rows["page00.png"]["result"]["text"]
    assert rows["moved.png"]["result"]["text"] == first_text
    assert rows["moved.png"]["result"]["source"] == str(folder / "moved.png")


def test_extract_with_the_ocr_engine_fills_the_table_without_a_model(tmp_path: Path) -> None:
    """`--task extract --engine ocr`: the same fields as `vlocr extract --engine ocr`, one row per
    document, no VLM configured at all."""
    from vlocr.fields import extract_ocr_fields

    folder = tmp_path / "in"
    folder.mkdir()
    receipt = Path(__file__).resolve().parents[2] / "examples" / "receipt.jpg"
    shutil.copy(receipt, folder / "receipt.jpg")
    run = batch(str(folder), "-o", str(tmp_path / "out"), "--task", "extract", "--engine", "ocr")
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader((tmp_path / "out" / "extract.csv").open()))
    assert len(rows) == 1 and rows[0]["status"] == "ok"
    expected = extract_ocr_fields(receipt, "receipt").data
    assert expected["total"] and expected["merchant"]
    for field in ("merchant", "date", "total"):
        assert str(rows[0][field]) == str(expected[field])
    refused = batch(str(folder), "-o", str(tmp_path / "o2"), "--task", "extract", "-e", "tesseract")
    assert refused.returncode == 2 and "takes --engine vlm or ocr" in refused.stderr


def test_ask_with_the_local_transformers_model_in_two_workers(
    tmp_path: Path, page_pool: list[Path]
) -> None:
    """The local engine in a batch: each worker process loads the (tiny) Qwen3-VL once and every
    page gets its answer record; a resumed run asks nothing again."""
    from vlocr.testing.tiny_qwen import build_tiny_qwen3_vl

    model = build_tiny_qwen3_vl(tmp_path / "tiny-qwen3-vl")
    folder = tmp_path / "in"
    folder.mkdir()
    for src in page_pool[:3]:
        shutil.copy(src, folder / src.name)
    args = [str(folder), "-o", str(tmp_path / "out"), "--task", "ask", "-q", "What is the total?"]
    args += ["--vlm", "transformers", "--model", str(model), "--device", "cpu"]
    args += ["--max-new-tokens", "4", "--workers", "2", "--no-check-numbers"]
    run = batch(*args)
    assert run.returncode == 0, run.stderr
    rows = by_name(records(tmp_path / "out"))
    assert set(rows) == {p.name for p in page_pool[:3]}
    for row in rows.values():
        assert row["status"] == "ok", row
        answer = row["result"]
        assert answer["engine"]["dtype"] in ("float32", "bfloat16")  # the local model answered
        assert answer["usage"]["completion_tokens"] > 0
    again = batch(*args)
    assert again.returncode == 0, again.stderr
    assert len(records(tmp_path / "out")) == 3  # nothing asked twice
