"""Batch inputs from, and outputs to, an S3 bucket: a real S3 API (moto's server) on 127.0.0.1,
reached through pyarrow exactly as a user's bucket would be (``AWS_ENDPOINT_URL``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from vlocr.batch import TaskSpec, run_job
from vlocr.errors import InputNotFoundError

REPO = Path(__file__).resolve().parents[2]
BUCKET = "scans"


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    """An S3 endpoint on loopback with one empty bucket; the process's AWS settings point at it."""
    from moto.server import ThreadedMotoServer
    from pyarrow import fs

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"127.0.0.1:{server._server.server_port}"
    env = {
        "AWS_ENDPOINT_URL": f"http://{endpoint}",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    before = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    admin = fs.S3FileSystem(
        endpoint_override=endpoint, scheme="http", region="us-east-1", allow_bucket_creation=True
    )
    admin.create_dir(BUCKET)
    try:
        yield endpoint
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


def bucket() -> object:
    from pyarrow import fs

    return fs.FileSystem.from_uri(f"s3://{BUCKET}")[0]


def put(name: str, data: bytes) -> None:
    with bucket().open_output_stream(f"{BUCKET}/{name}") as handle:  # type: ignore[attr-defined]
        handle.write(data)


def get(name: str) -> bytes:
    with bucket().open_input_stream(f"{BUCKET}/{name}") as handle:  # type: ignore[attr-defined]
        return bytes(handle.read())


def listing(prefix: str) -> list[str]:
    from pyarrow import fs

    infos = bucket().get_file_info(  # type: ignore[attr-defined]
        fs.FileSelector(f"{BUCKET}/{prefix}", allow_not_found=True)
    )
    return sorted(Path(i.path).name for i in infos)


def records(prefix: str) -> list[dict]:
    return [json.loads(line) for line in get(f"{prefix}/results.jsonl").decode().splitlines()]


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """vlocr's cache (where a bucket output's working copy lives) in this test's folder."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("VLOCR_CACHE_DIR", str(folder))
    return folder


def test_a_job_from_bucket_to_bucket_resumes_on_another_machine(
    s3: str, cache: Path, page_pool: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    for src in page_pool[:3]:
        put(f"in1/{src.name}", src.read_bytes())
    put("in1/broken.png", b"\x89PNG\r\n\x1a\n not really")
    task = TaskSpec(kind="read", preprocess="none")
    out = f"s3://{BUCKET}/out1"
    seen: list[str] = []

    def stop_after_two(path: str, recs: list) -> None:  # type: ignore[type-arg]
        seen.append(path)
        if len(seen) == 2:
            raise KeyboardInterrupt  # the run is stopped after two inputs

    with pytest.raises(KeyboardInterrupt):
        run_job([f"s3://{BUCKET}/in1/"], out, task, on_input=stop_after_two)
    uploaded = [n for n in listing("out1") if n.endswith(".json")]
    assert len(uploaded) == len([p for p in seen if "broken" not in p]), uploaded
    assert "results.jsonl" in listing("out1"), "what finished is uploaded when a run stops"

    # Another machine: an empty cache, the same command.
    monkeypatch.setenv("VLOCR_CACHE_DIR", str(cache.parent / "other-machine"))
    summary = run_job([f"s3://{BUCKET}/in1/"], out, task)
    assert summary.out == out and summary.local_copy is not None
    assert str(summary.local_copy).startswith(str(cache.parent / "other-machine"))
    assert summary.skipped == len(uploaded) and summary.processed == 4 - len(uploaded)
    rows = records("out1")
    assert sorted(r["source"] for r in rows) == sorted(
        f"s3://{BUCKET}/in1/{n}" for n in ["broken.png", *(p.name for p in page_pool[:3])]
    ), "exactly one record per input"
    assert [r["status"] for r in rows if "broken" in r["source"]] == ["error"]
    for src, row in ((p, r) for p in page_pool[:3] for r in rows if r["source"].endswith(p.name)):
        assert row["status"] == "ok" and row["result"]["text"].strip(), src
    assert len([n for n in listing("out1") if n.endswith(".json")]) == 3

    # A third run skips every good input and tries the broken one again.
    again = run_job([f"s3://{BUCKET}/in1/"], out, task)
    assert (again.skipped, again.processed, again.pages_failed) == (3, 1, 1)
    assert len(records("out1")) == 4


def test_extract_tables_reach_the_bucket_through_the_cli(
    s3: str, cache: Path, page_pool: list[Path], tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for src in page_pool[3:5]:
        (folder / src.name).write_bytes(src.read_bytes())
    out = f"s3://{BUCKET}/out2"
    done = subprocess.run(
        [sys.executable, "-m", "vlocr.cli.main", "batch", str(folder), "-o", out]
        + ["--task", "extract", "--schema", "receipt", "--engine", "ocr", "-p", "none"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert f"results in {out}" in done.stderr and f"table: {out}/extract.csv" in done.stderr
    names = listing("out2")
    assert {"results.jsonl", "extract.csv", "extract.parquet"} <= set(names), names
    table = get("out2/extract.csv").decode().splitlines()
    assert table[0].startswith("source,page,status,error,") and len(table) == 3


def test_an_output_bucket_that_does_not_exist_is_one_clear_error(
    s3: str, cache: Path, page_pool: list[Path]
) -> None:
    with pytest.raises(
        InputNotFoundError, match="the bucket s3://no-such-bucket does not exist"
    ) as err:
        run_job([page_pool[0]], "s3://no-such-bucket/out", TaskSpec(kind="read"))
    assert "credentials" in (err.value.hint or "")
