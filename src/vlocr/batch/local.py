"""Running a task over inputs on this machine: inline, in worker processes (OCR and the local
VLM: CPU-bound, one engine per process) or in threads (a remote VLM: the time is spent waiting).

Results always come back to the calling process, which is the only writer of the output folder.
A worker process that dies (a crash inside a native library) is replaced; the inputs it may
have been working on are tried again one at a time, and one that kills a worker twice is
recorded as failed instead of taking the run down.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool

from vlocr.batch.store import Item
from vlocr.batch.task_runner import BatchRecord, ErrorInfo, TaskSpec, error_record

OnResult = Callable[[Item, list[BatchRecord]], None]
_WORKER_TASK: TaskSpec | None = None


def run_local(task: TaskSpec, items: list[Item], workers: int, on_result: OnResult) -> None:
    if workers <= 1 or len(items) <= 1:
        for item in items:
            on_result(item, task.run(item.path, item.key))
    elif task.uses_remote_vlm:
        _run_threads(task, items, workers, on_result)
    else:
        _run_processes(task, items, workers, on_result)


def _run_threads(task: TaskSpec, items: list[Item], workers: int, on_result: OnResult) -> None:
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vlocr-batch") as pool:

        def submit(item: Item) -> Future[list[BatchRecord]]:
            return pool.submit(task.run, item.path, item.key)

        _pump(submit, deque(items), 2 * workers, {}, on_result)


def _pump(
    submit: Callable[[Item], Future[list[BatchRecord]]],
    queue: deque[Item],
    limit: int,
    inflight: dict[Future[list[BatchRecord]], Item],
    on_result: OnResult,
) -> None:
    """Keep at most ``limit`` inputs in flight (memory stays flat for a million inputs) and hand
    each result to ``on_result`` as soon as it is ready."""
    while queue or inflight:
        while queue and len(inflight) < limit:
            inflight[submit(queue[0])] = queue[0]  # a broken pool raises here: keep the item
            queue.popleft()
        done, _ = wait(inflight, return_when=FIRST_COMPLETED)
        for future in done:
            records = future.result()  # a dead worker process raises BrokenProcessPool here
            on_result(inflight.pop(future), records)


def _init_worker(task: TaskSpec) -> None:
    """Load the engine once per process, before the first input arrives."""
    global _WORKER_TASK
    _WORKER_TASK = task
    if task.kind == "read":
        from vlocr.ocr.languages import choose_engine, parse_langs
        from vlocr.ocr.registry import get_engine

        with contextlib.suppress(Exception):  # reported per input by the task itself
            choice = choose_engine(parse_langs(task.lang), task.engine)
            threads = {"threads": task.threads} if task.threads else {}
            get_engine(choice.engine, **{**choice.options, **threads})


def _work(path: str, key: str) -> list[BatchRecord]:
    assert _WORKER_TASK is not None
    return _WORKER_TASK.run(path, key)


def _crashed(item: Item, task: TaskSpec) -> list[BatchRecord]:
    info = ErrorInfo(
        type="WorkerCrash",
        code="worker_crashed",
        message="the worker process died while reading this input (twice)",
        hint="this input crashes a native library; please report it with the file",
        source=item.path,
    )
    return [error_record(item.key, item.path, task.kind, info)]


def _run_processes(task: TaskSpec, items: list[Item], workers: int, on_result: OnResult) -> None:
    context = multiprocessing.get_context("spawn")  # no inherited ONNX Runtime / torch threads
    pending = deque(items)
    suspects: deque[Item] = deque()
    crashes: Counter[str] = Counter()
    while pending or suspects:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(task,)
        ) as pool:
            inflight: dict[Future[list[BatchRecord]], Item] = {}

            def submit(item: Item) -> Future[list[BatchRecord]]:
                return pool.submit(_work, item.path, item.key)

            try:
                # after a crash the suspects run alone, so a second crash names its input
                _pump(submit, suspects, 1, inflight, on_result)
                _pump(submit, pending, 2 * workers, inflight, on_result)
            except BrokenProcessPool:
                for item in inflight.values():
                    crashes[item.key] += 1
                    if crashes[item.key] >= 2:
                        on_result(item, _crashed(item, task))
                    else:
                        suspects.append(item)
