"""Pages per second of `vlocr batch` on the same inputs: 1 worker, 2 workers, and Ray with 2 actors,
in one run (so the ratios are measured side by side on the same machine load).

    .venv/bin/python scripts/bench_batch.py                       # 40 SROIE receipts, OCR
    .venv/bin/python scripts/bench_batch.py --count 40 --rounds 3 --json bench-out/batch.json
    .venv/bin/python scripts/bench_batch.py --configs w1,w2 --task ask -q "Total?" \\
        --base-url http://gpu-a:8000/v1 --base-url http://gpu-b:8000/v1   # a VLM fleet

Each configuration starts from an empty output folder (nothing to resume). ``wall`` includes
starting the workers and loading the engine in each; ``steady`` counts from the first finished
input to the last, which is what a long batch sees. ``CPU s per page`` (this process and its
worker processes; not Ray's) is the figure to scale from: on a shared machine, wall time depends
on how many other processes compete for the cores, and N workers get N shares of them. The Ray cluster is started before timing
(its start-up is printed separately). With ``--rounds`` > 1 the configurations alternate and the
median is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from vlocr.batch import TaskSpec, run_job  # noqa: E402
from vlocr.config import VlmOptions  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "dev-data" / "sroie-train" / "img"


def cpu_seconds() -> float:
    """CPU time of this process and its finished children: fair under a shared machine's load,
    where wall time depends on how many other processes compete for the cores."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        return os.cpu_count() or 1


def run_once(name: str, inputs: Path, task: TaskSpec, workers: int, use_ray: bool) -> dict:
    out = Path(tempfile.mkdtemp(prefix=f"bench-batch-{name}-"))
    stamps: list[float] = []
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    summary = run_job(
        [inputs],
        out,
        task,
        workers=workers,
        use_ray=use_ray,
        on_input=lambda path, records: stamps.append(time.perf_counter()),
    )
    wall = time.perf_counter() - start
    cpu = cpu_seconds() - cpu0  # worker processes are counted once they exit (end of run_job)
    shutil.rmtree(out, ignore_errors=True)
    pages = summary.pages_ok + summary.pages_invalid + summary.pages_failed
    steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 2 else float("nan")
    return {
        "config": name,
        "pages": pages,
        "failed": summary.pages_failed,
        "wall_s": round(wall, 2),
        "pages_per_s": round(pages / wall, 3),
        "steady_pages_per_s": round(steady, 3),
        # Ray workers are not children of this process: their CPU time is not seen here
        "cpu_s_per_page": None if use_ray else round(cpu / max(pages, 1), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of images")
    parser.add_argument("--count", type=int, default=40, help="first N images of --data")
    parser.add_argument("--configs", default="w1,w2,ray2", help="comma list of w<N> and ray<N>")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--task", default="read", choices=["read", "ask", "extract"])
    parser.add_argument("-q", "--question", default="What is the total amount?")
    parser.add_argument("--schema", default="receipt")
    parser.add_argument("--base-url", action="append", default=[])
    parser.add_argument("--model", default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args()

    files = sorted(p for p in args.data.iterdir() if p.is_file())[: args.count]
    if len(files) < args.count:
        sys.exit(f"only {len(files)} files in {args.data}")
    inputs = Path(tempfile.mkdtemp(prefix="bench-batch-in-"))
    for p in files:
        os.symlink(p.resolve(), inputs / p.name)
    task = make_task(args)

    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    ray_started = None
    if any(c.startswith("ray") for c in configs):
        import ray

        from vlocr.batch.ray_backend import local_runtime_env

        t0 = time.perf_counter()
        ray.init(
            address="local",
            num_cpus=cores(),
            include_dashboard=False,
            runtime_env=local_runtime_env(),
            log_to_driver=False,
        )
        ray_started = round(time.perf_counter() - t0, 2)
    rows: list[dict[str, Any]] = []
    try:
        for _ in range(args.rounds):
            for name in configs:
                n = int(name.lstrip("wray") or 1)
                rows.append(run_once(name, inputs, task, n, name.startswith("ray")))
                print(json.dumps(rows[-1]), flush=True)
    finally:
        if ray_started is not None:
            import ray

            ray.shutdown()
        shutil.rmtree(inputs, ignore_errors=True)
    report(rows, configs, args, ray_started)


def make_task(args: argparse.Namespace) -> TaskSpec:
    if args.task == "read":
        return TaskSpec(kind="read")
    vlm = VlmOptions(
        backend="openai" if args.base_url else "transformers",
        base_url=args.base_url[0] if args.base_url else VlmOptions().base_url,
        base_urls=args.base_url,
        **({"model": args.model} if args.model else {}),
    )
    if args.task == "ask":
        return TaskSpec(kind="ask", question=args.question, vlm=vlm)
    from vlocr.tasks import load_schema

    name, schema = load_schema(args.schema)
    return TaskSpec(kind="extract", schema_name=name, schema=schema, vlm=vlm)


def report(
    rows: list[dict], configs: list[str], args: argparse.Namespace, ray_s: float | None
) -> None:
    med = {
        c: {
            k: statistics.median(r[k] for r in rows if r["config"] == c)
            for k in ("wall_s", "pages_per_s", "steady_pages_per_s")
        }
        for c in configs
    }
    base = med[configs[0]]["pages_per_s"]
    print(
        f"\n{args.count} pages of {args.data} (task {args.task}), {cores()} cores, "
        f"{args.rounds} round(s); load average at end: {os.getloadavg()[0]:.1f}"
    )
    if ray_s is not None:
        print(f"Ray local cluster start: {ray_s} s (not counted)")
    print("| config | wall s | pages/s | vs first | steady pages/s | CPU s per page |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for c in configs:
        m = med[c]
        cpu = [r["cpu_s_per_page"] for r in rows if r["config"] == c and r["cpu_s_per_page"]]
        print(
            f"| {c} | {m['wall_s']:.1f} | {m['pages_per_s']:.2f} | "
            f"{m['pages_per_s'] / base:.2f}x | {m['steady_pages_per_s']:.2f} | "
            f"{statistics.median(cpu) if cpu else float('nan'):.2f} |"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": rows, "median": med}, indent=1))


if __name__ == "__main__":
    main()
