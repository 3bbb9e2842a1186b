"""Parallel runs give the local run's results: worker processes and a real local Ray cluster,
including a worker or actor that dies mid-input."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from vlocr.batch import BatchRecord, OutputStore, TaskSpec, run_job
from vlocr.batch.ray_backend import local_runtime_env, pool_size
from vlocr.testing.batch_faults import CrashingTask

READ = {"kind": "read", "preprocess": "none"}


def texts(out: Path) -> dict[str, str]:
    rows = OutputStore(out).read_results()
    names = [Path(r.source).name for r in rows]
    assert len(names) == len(set(names)), "one record per input"
    return {Path(r.source).name: _text(r) for r in rows}


def _text(rec: BatchRecord) -> str:
    assert rec.status == "ok", rec.error
    return (rec.result or {})["text"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, page_pool: list[Path]) -> Path:
    """The 24 pages, one renamed so that a task can single it out."""
    folder = tmp_path_factory.mktemp("parallel")
    for src in page_pool:
        shutil.copy(src, folder / src.name)
    (folder / "page03.png").rename(folder / "page03-crash.png")
    return folder


@pytest.fixture(scope="module")
def local_texts(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("one-worker")
    run_job([folder], out, TaskSpec(**READ), workers=1)
    found = texts(out)
    assert len(found) == 24 and "INVOICE 0005" in found["page05.png"]
    return found


def test_two_worker_processes_match_one_and_survive_a_dying_worker(
    folder: Path, local_texts: dict[str, str], tmp_path: Path
) -> None:
    marker = tmp_path / "crashed-once"
    task = CrashingTask(**READ, marker=str(marker))
    summary = run_job([folder], tmp_path / "out", task, workers=2)
    assert marker.exists(), "a worker died on the marked input"
    assert summary.pages_ok == 24 and summary.pages_failed == 0
    assert texts(tmp_path / "out") == local_texts


def test_an_input_that_always_kills_its_worker_is_recorded_not_fatal(
    folder: Path, tmp_path: Path
) -> None:
    small = tmp_path / "in"
    small.mkdir()
    for name in ("page01.png", "page02.png", "page03-crash.png", "page04.png"):
        shutil.copy(folder / name, small / name)
    summary = run_job([small], tmp_path / "out", CrashingTask(**READ), workers=2)
    assert summary.pages_ok == 3 and summary.pages_failed == 1
    assert "page03-crash.png" in summary.failures[0] and "died" in summary.failures[0]


def test_pool_leaves_a_cpu_for_ray_data_on_a_small_cluster() -> None:
    size = pool_size(2, 2)
    assert size.actors == 2 and size.actors * size.cpus_per_actor <= 1.0 and size.threads == 1
    assert pool_size(2, None).actors == 1
    assert pool_size(64, None).cpus_per_actor == 1.0


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    import ray

    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        runtime_env=local_runtime_env(),
        logging_level=logging.ERROR,
        log_to_driver=False,
    )
    try:
        yield
    finally:
        ray.shutdown()


@pytest.mark.slow
def test_ray_matches_the_local_run_and_redoes_a_killed_actors_work(
    ray_cluster: None, folder: Path, local_texts: dict[str, str], tmp_path: Path
) -> None:
    import ray

    assert ray.cluster_resources()["CPU"] == 2
    marker = tmp_path / "actor-died"
    task = CrashingTask(**READ, marker=str(marker))
    out = tmp_path / "ray"
    summary = run_job([folder], out, task, use_ray=True, workers=2)
    assert marker.exists(), "an actor died on the marked input"
    assert summary.backend == "ray" and summary.pages_ok == 24
    assert texts(out) == local_texts

    again = run_job([folder], out, task, use_ray=True, workers=2)
    assert again.skipped == 24 and again.processed == 0, "resume by the same keys"
