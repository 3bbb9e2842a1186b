"""One batch job from start to end: collect inputs, key them by content, skip what is done, run the
rest on the chosen backend, save each result as it arrives, write the extract table."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vlocr.batch.bucket import BucketMirror, is_bucket
from vlocr.batch.inputs import collect_inputs, content_hash
from vlocr.batch.local import run_local
from vlocr.batch.store import Item, OutputStore
from vlocr.batch.table import write_tables
from vlocr.batch.task_runner import BatchRecord, TaskSpec, error_info, error_record, relabel
from vlocr.config import IoOptions, get_settings
from vlocr.errors import VlocrError


@dataclass
class BatchSummary:
    inputs: int = 0
    processed: int = 0  # inputs run in this call
    skipped: int = 0  # inputs already done by an earlier run
    pages_ok: int = 0
    pages_invalid: int = 0
    pages_failed: int = 0
    failures: list[str] = field(default_factory=list)
    ignored: list[tuple[Path | str, str]] = field(default_factory=list)
    repaired_lines: int = 0
    tables: list[str] = field(default_factory=list)  # paths or URIs
    backend: str = "local"
    out: str = ""  # where the results are: the --out folder or bucket URI
    local_copy: Path | None = None  # a bucket output's working copy
    to_run: int = 0  # inputs this call set out to run (the rest were done already)

    @property
    def left(self) -> int:
        """Inputs not run yet (after an interruption): the next run with the same options
        picks them up."""
        return max(0, self.to_run - self.processed)


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch: carries what was done so far (every finished input is saved)."""

    def __init__(self, summary: BatchSummary) -> None:
        super().__init__("interrupted")
        self.summary = summary


OnInput = Callable[[str, list[BatchRecord]], None]


def default_workers_threads(workers: int) -> int:
    """OCR threads per worker process: the cores split between workers, at least one each."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, workers))


def run_job(
    paths: list[Path | str],
    out_dir: Path | str,
    task: TaskSpec,
    *,
    workers: int | None = None,
    ray_address: str | None = None,
    use_ray: bool = False,
    resume: bool = True,
    io_options: IoOptions | None = None,
    on_plan: Callable[[int, int], None] | None = None,
    on_input: OnInput | None = None,
) -> BatchSummary:
    """Run ``task`` over every input under ``paths``; results land in ``out_dir`` as they finish.
    ``out_dir`` may be a bucket URI (``s3://``, ``gs://``): see :mod:`vlocr.batch.bucket`.

    ``on_plan(to_run, already_done)`` is called once before work starts and ``on_input(path,
    records)`` after each input (a progress bar). Failed inputs are recorded, and run again next
    time; inputs already done (same bytes, same options) are skipped wherever they now live.
    """
    collected = collect_inputs(paths)
    summary = BatchSummary(inputs=len(collected.inputs), ignored=collected.ignored)
    max_bytes = (io_options or get_settings().io).max_bytes
    mirror = BucketMirror(str(out_dir)) if is_bucket(out_dir) else None
    local_out = mirror.local if mirror else Path(out_dir)
    summary.out = mirror.uri if mirror else str(local_out)
    summary.local_copy = mirror.local if mirror else None
    store = OutputStore(local_out)
    with store.locked():
        if mirror and mirror.pull():
            store.rescan()
        items, unreadable = _plan(collected.inputs, task, max_bytes)
        if not resume:
            store.forget({item.key for item in items})
        store.prepare(items)
        summary.repaired_lines = store.repaired_lines
        todo = [
            it for it in items if not store.is_done(it.key) and not it.key.startswith("unread-")
        ]
        summary.skipped = sum(1 for it in items if store.is_done(it.key))
        same_key: dict[str, list[Item]] = {}
        for item in todo:
            same_key.setdefault(item.key, []).append(item)
        unique = [group[0] for group in same_key.values()]
        summary.to_run = len(todo) + len(unreadable)
        if on_plan:
            on_plan(summary.to_run, summary.skipped)

        def finish(item: Item, records: list[BatchRecord]) -> None:
            # same bytes under several names run once; a block Ray re-ran may come back twice
            for twin in same_key.pop(item.key, []):
                relabelled = relabel(records, twin.path)
                done_file = store.save(twin, relabelled)
                if mirror and done_file:
                    mirror.push(done_file)
                _count(summary, twin.path, relabelled)
                if on_input:
                    on_input(twin.path, relabelled)

        for item, record in unreadable:
            same_key[item.key] = [item]
            finish(item, [record])
        try:
            if use_ray:
                from vlocr.batch.ray_backend import run_ray

                summary.backend = "ray"
                run_ray(task, unique, finish, address=ray_address, actors=workers or None)
            else:
                job = task
                workers = workers or 1
                if workers > 1 and not task.threads and not task.uses_remote_vlm:
                    job = task.model_copy(update={"threads": default_workers_threads(workers)})
                run_local(job, unique, workers, finish)
        except BaseException as exc:
            if mirror:  # what finished is uploaded whatever stopped the run
                with contextlib.suppress(Exception):
                    mirror.finish()
            if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, BatchInterrupted):
                raise BatchInterrupted(summary) from None
            raise
        tables = (
            write_tables(local_out, task.schema_, store.read_results())
            if task.kind == "extract"
            else []
        )
        if mirror:
            mirror.finish(tables)
            summary.tables = [f"{mirror.uri}/{t.name}" for t in tables]
        else:
            summary.tables = [str(t) for t in tables]
    return summary


def _plan(
    inputs: list[Path | str], task: TaskSpec, max_bytes: int
) -> tuple[list[Item], list[tuple[Item, BatchRecord]]]:
    """Key every input by its bytes; one that cannot be read gets its error record right away
    (and a key from its path, never "done", so it is tried again next time)."""
    items: list[Item] = []
    unreadable: list[tuple[Item, BatchRecord]] = []
    for path in inputs:
        label = str(path)
        try:
            items.append(Item(label, task.key(content_hash(path, max_bytes))))
        except VlocrError as err:
            key = "unread-" + hashlib.sha256(label.encode()).hexdigest()[:16]
            items.append(Item(label, key))
            record = error_record(key, label, task.kind, error_info(err, label))
            unreadable.append((items[-1], record))
    return items, unreadable


def _count(summary: BatchSummary, path: str, records: list[BatchRecord]) -> None:
    summary.processed += 1
    for rec in records:
        if rec.status == "ok":
            summary.pages_ok += 1
        elif rec.status == "invalid":
            summary.pages_invalid += 1
        else:
            summary.pages_failed += 1
            where = path if rec.page_count <= 1 else f"{path} [page {rec.page}/{rec.page_count}]"
            message = rec.error.message if rec.error else "failed"
            hint = f" ({rec.error.hint})" if rec.error and rec.error.hint else ""
            summary.failures.append(f"{where}: {message}{hint}")
