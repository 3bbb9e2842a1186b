"""The same batch on a Ray cluster: a Ray Data actor pool where each actor loads the engine once.

The driver plans the job (hashes, resume) and is the only writer of the output folder, exactly as
on one machine; actors only turn ``(path, key)`` rows into records. Inputs must be readable at
the same path on every node (a shared folder). An actor that dies is restarted and its block is
run again; records the driver has already saved are not written twice.

Sizing: Ray Data needs a CPU for its own tasks next to the actors. On a small cluster, actors
that reserve every CPU leave that task waiting forever, so one CPU is kept free and the actors
share the rest (fractional CPUs are fine: the reservation is bookkeeping, the threads are real).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vlocr.batch.store import Item
from vlocr.batch.task_runner import BatchRecord, TaskSpec
from vlocr.errors import EngineUnavailableError

OnResult = Callable[[Item, list[BatchRecord]], None]
RESTARTS = 3  # per actor, and retries per block: a poison input cannot loop forever


@dataclass(frozen=True)
class PoolSize:
    actors: int
    cpus_per_actor: float
    threads: int


def pool_size(cluster_cpus: float, requested: int | None) -> PoolSize:
    """Actors, the CPUs each reserves and the threads each runs, from the cluster's CPU count."""
    cpus = max(float(cluster_cpus), 1.0)
    actors = requested if requested and requested > 0 else max(1, int(cpus) - 1)
    spare = 1.0 if cpus >= 2 else 0.0
    per_actor = min(1.0, (cpus - spare) / actors)
    return PoolSize(actors, max(round(per_actor, 3), 0.01), max(1, int(cpus // actors)))


def local_runtime_env() -> dict[str, Any]:
    """Workers of a local cluster import this very checkout of vlocr (not another install)."""
    here = str(Path(__file__).resolve().parents[2])
    extra = [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {"env_vars": {"PYTHONPATH": os.pathsep.join([here, *extra])}}


class _Actor:
    """Holds one task (and so one loaded engine) for the actor's life."""

    def __init__(self, task: TaskSpec) -> None:
        from vlocr.batch.local import _init_worker

        _init_worker(task)
        self.task = task

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {"path": [], "key": [], "records": []}
        for path, key in zip(batch["path"], batch["key"], strict=True):
            records = self.task.run(str(path), str(key))
            out["path"].append(str(path))
            out["key"].append(str(key))
            out["records"].append(json.dumps([r.model_dump(mode="json") for r in records]))
        return out


@contextlib.contextmanager
def connected(address: str | None) -> Iterator[Any]:
    """Use the Ray session this process already has, or join/start one and leave it afterwards.

    ``address``: ``local`` starts a private cluster for this run; ``auto`` joins the one that
    ``ray start`` runs on this machine; anything else is a cluster address (``ray://host:10001``).
    """
    import ray

    if ray.is_initialized():
        yield ray
        return
    if address in (None, "", "local"):
        ray.init(
            address="local",
            include_dashboard=False,
            runtime_env=local_runtime_env(),
            logging_level=logging.ERROR,
            log_to_driver=False,
        )
    else:
        ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def run_ray(
    task: TaskSpec,
    items: list[Item],
    on_result: OnResult,
    *,
    address: str | None = None,
    actors: int | None = None,
) -> PoolSize:
    """Run ``task`` over ``items`` on the cluster; each finished input goes to ``on_result``."""
    try:
        import ray  # noqa: F401
        from ray.data import DataContext
    except ImportError:
        raise EngineUnavailableError("Ray is not installed", "pip install 'vlocr[ray]'") from None
    with connected(address) as ray:
        size = pool_size(ray.cluster_resources().get("CPU", 1), actors)
        if not items:
            return size
        ctx = DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        job = task.model_copy(update={"threads": task.threads or size.threads})
        by_key = {item.key: item for item in items}
        rows = [{"path": item.path, "key": item.key} for item in items]
        blocks = min(len(rows), max(size.actors * 8, len(rows) // 100))
        with warnings.catch_warnings():  # Ray 2.60 has no named parameter for restarts yet
            warnings.simplefilter("ignore")
            ds = ray.data.from_items(rows, override_num_blocks=blocks).map_batches(
                _Actor,
                fn_constructor_args=(job,),
                batch_size=1,
                compute=ray.data.ActorPoolStrategy(size=size.actors),
                num_cpus=size.cpus_per_actor,
                max_restarts=RESTARTS,
                max_task_retries=RESTARTS,
            )
        try:
            for row in ds.iter_rows():
                records = [BatchRecord.model_validate(r) for r in json.loads(row["records"])]
                on_result(by_key[str(row["key"])], records)
        except Exception as err:  # the cluster gave up on a block after its retries
            raise EngineUnavailableError(
                f"the Ray job stopped: {' '.join(str(err).split())[:300]}",
                "finished inputs are saved; run the same command again to resume",
            ) from None
    return size
