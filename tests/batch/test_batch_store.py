"""Batch bookkeeping: job keys, folder scanning, torn-line repair, failures recorded once, tables."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vlocr.batch import TaskSpec, collect_inputs, run_job
from vlocr.batch.store import Item, OutputStore
from vlocr.batch.table import write_tables
from vlocr.batch.task_runner import BatchRecord
from vlocr.config import VlmOptions


def lines(out: Path) -> list[dict]:
    return [json.loads(ln) for ln in (out / "results.jsonl").read_text().splitlines()]


def test_key_follows_content_and_result_options_only() -> None:
    read = TaskSpec(kind="read")
    assert read.key("a" * 64) != read.key("b" * 64)
    assert read.key("a" * 64) == TaskSpec(kind="read", threads=3).key("a" * 64)
    assert read.key("a" * 64) != TaskSpec(kind="read", preprocess="none").key("a" * 64)
    ask = TaskSpec(kind="ask", question="Total?", vlm=VlmOptions(backend="openai"))
    moved = ask.model_copy(
        update={"vlm": VlmOptions(backend="openai", base_urls=["http://x/v1", "http://y/v1"])}
    )
    assert ask.key("a" * 64) == moved.key("a" * 64), "where the model runs is not a result option"
    other = ask.model_copy(update={"question": "Date?"})
    assert ask.key("a" * 64) != other.key("a" * 64)


def test_folder_entries_that_are_not_inputs_are_named(
    tmp_path: Path, page_pool: list[Path]
) -> None:
    shutil.copy(page_pool[0], tmp_path / "a.png")
    shutil.copy(page_pool[1], tmp_path / "scan0001")  # an image without a suffix is an input
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "gone.png").symlink_to(tmp_path / "nowhere.png")
    os.mkfifo(tmp_path / "pipe.png")
    (tmp_path / "elsewhere").symlink_to(tmp_path.parent, target_is_directory=True)
    found = collect_inputs([tmp_path])
    assert [p.name for p in found.inputs] == ["a.png", "scan0001"]
    reasons = {p.name: why for p, why in found.ignored}
    assert reasons["notes.txt"] == "not an image or PDF"
    assert reasons["gone.png"] == "dangling link"
    assert "FIFO" in reasons["pipe.png"]
    assert reasons["elsewhere"] == "link to a folder, not followed"


def test_read_of_a_fifo_fails_fast_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "in.png"
    os.mkfifo(fifo)
    run = subprocess.run(
        [sys.executable, "-m", "vlocr.cli.main", "read", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "not a regular file" in run.stderr and "FIFO" in run.stderr


def test_torn_last_line_is_cut_before_new_records(tmp_path: Path) -> None:
    store = OutputStore(tmp_path)
    whole = BatchRecord(key="k" * 24, source="/x/old.png", status="error").model_dump_json()
    (tmp_path / "results.jsonl").write_text(whole + "\n" + whole[:40])  # killed mid-write
    with store.locked():
        store.prepare([Item("/x/new.png", "f" * 24)])
        store.save(Item("/x/new.png", "f" * 24), [BatchRecord(key="f" * 24, source="/x/new.png")])
    rows = lines(tmp_path)
    assert [r["source"] for r in rows] == ["/x/old.png", "/x/new.png"]
    assert store.repaired_lines == 1


def test_failed_inputs_are_recorded_once_per_run_not_appended(
    tmp_path: Path, page_pool: list[Path]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(page_pool[0], folder / "good.png")
    (folder / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "empty.png").write_bytes(b"")
    out = tmp_path / "out"
    for _ in range(3):
        summary = run_job([folder], out, TaskSpec(kind="read", preprocess="none"))
        rows = lines(out)
        assert sorted(Path(r["source"]).name for r in rows) == ["bad.png", "empty.png", "good.png"]
        assert summary.pages_failed == 2
    assert summary.skipped == 1 and summary.processed == 2  # the good one is not read again
    assert {r["status"] for r in rows if "good" not in r["source"]} == {"error"}


def test_extract_table_has_one_column_per_schema_field(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"seller": {}, "amount": {}, "items": {}}}
    records = [
        BatchRecord(
            key="a" * 24,
            source="/in/b.png",
            task="extract",
            result={"data": {"seller": "ACME", "amount": 12.5, "items": [1, 2], "extra": "x"}},
        ),
        BatchRecord(
            key="b" * 24,
            source="/in/a.png",
            task="extract",
            status="invalid",
            result={"data": {"seller": "Z"}, "validation_errors": ["amount is required"]},
        ),
        BatchRecord(key="c" * 24, source="/in/c.png", task="extract", status="error"),
    ]
    written = write_tables(tmp_path, schema, records)
    with (tmp_path / "extract.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "source",
        "page",
        "status",
        "error",
        "seller",
        "amount",
        "items",
        "extra",
    ]
    assert [r["source"] for r in rows] == ["/in/a.png", "/in/b.png", "/in/c.png"]
    assert rows[0]["error"] == "amount is required" and rows[0]["status"] == "invalid"
    assert rows[1]["items"] == "[1, 2]" and rows[1]["amount"] == "12.5"
    pq = pytest.importorskip("pyarrow.parquet")
    assert written[-1].name == "extract.parquet"
    table = pq.read_table(written[-1]).to_pylist()
    assert table[1]["amount"] == 12.5 and table[1]["seller"] == "ACME"


def test_a_second_run_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    from vlocr.errors import InvalidOptionError

    second = OutputStore(tmp_path)
    with OutputStore(tmp_path).locked(), pytest.raises(InvalidOptionError, match="another"):
        second.locked().__enter__()


def test_uri_inputs_are_listed_and_read_through_pyarrow(
    tmp_path: Path, page_pool: list[Path]
) -> None:
    folder = tmp_path / "bucket" / "scans"
    folder.mkdir(parents=True)
    shutil.copy(page_pool[7], folder / "a.png")
    (folder / "readme.txt").write_text("not a page")
    uri = f"file://{folder}"
    summary = run_job([uri], tmp_path / "out", TaskSpec(kind="read", preprocess="none"))
    assert [why for _, why in summary.ignored] == ["not an image or PDF (by its name)"]
    (row,) = lines(tmp_path / "out")
    assert row["source"] == f"{uri}/a.png" and row["result"]["source"] == row["source"]
    assert "INVOICE 0007" in row["result"]["text"]
    missing = run_job([f"{uri}/gone.png"], tmp_path / "out2", TaskSpec(kind="read"))
    assert missing.pages_failed == 1 and "gone.png" in missing.failures[0]


def test_a_crash_inside_the_engine_is_recorded_and_the_batch_goes_on(
    tmp_path: Path, page_pool: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like cv2.error on a 200000x1 PNG (issue 16): not a VlocrError, still only that input fails."""
    import vlocr.service

    real_read = vlocr.service.read

    def read(sources, **kw):  # type: ignore[no-untyped-def]
        if "page01" in str(sources[0]):
            raise MemoryError("Failed to allocate 29999400000 bytes")
        return real_read(sources, **kw)

    monkeypatch.setattr(vlocr.service, "read", read)
    folder = tmp_path / "in"
    folder.mkdir()
    for src in page_pool[:3]:
        shutil.copy(src, folder / src.name)
    summary = run_job([folder], tmp_path / "out", TaskSpec(kind="read", preprocess="none"))
    assert summary.pages_ok == 2 and summary.pages_failed == 1
    bad = [r for r in lines(tmp_path / "out") if r["status"] == "error"]
    assert bad[0]["error"]["code"] == "internal_error" and "allocate" in bad[0]["error"]["message"]
    assert Path(bad[0]["source"]).name == "page01.png"
