"""External engines as commands, and fresh-process measurements (wall, CPU, peak memory).

A peer is ``NAME=COMMAND`` where COMMAND holds ``{img}`` (one image path) or ``{imgs}`` (one or
more paths; pages are then separated on stdout by a line holding only a form feed). The command
prints the recognised text lines on stdout. It runs in its own environment, so an engine that
cannot be installed next to ours (``rapidocrlite`` replaces the ``rapidocr`` package) is still
measured in the same run as ours.

Every measured process is started by a tiny launcher (``python -S``, a few MB) that reaps it with
``os.wait4`` and reports that child's own resource usage: CPU time and peak resident memory come
from the kernel, not from polling. The launcher matters: Linux carries a process's memory
high-water mark across fork and exec, so a command spawned straight from the benchmark (which
holds every engine, a GB or more) would report the benchmark's peak as its own.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vlocr.errors import InvalidOptionError

PAGE_SEPARATOR = "\f"
USAGE_MARK = "@@vlocr-usage "
# Runs argv[1:], waits for it and prints its wall time and rusage as the last stderr line.
_LAUNCHER = (
    "import os,sys,time,json\n"
    "t=time.perf_counter()\n"
    "pid=os.posix_spawnp(sys.argv[1],sys.argv[1:],os.environ)\n"
    "_,st,ru=os.wait4(pid,0)\n"
    "w=time.perf_counter()-t\n"
    "sys.stderr.write('\\n%s%s\\n'%(" + repr(USAGE_MARK) + ",json.dumps({'wall':w,"
    "'cpu':ru.ru_utime+ru.ru_stime,'maxrss_kb':ru.ru_maxrss})))\n"
    "sys.exit(os.waitstatus_to_exitcode(st) & 255)\n"
)
Reader = Callable[[np.ndarray], tuple[str, list[str]]]


@dataclass(frozen=True)
class PeerCommand:
    name: str
    template: str

    @property
    def batch(self) -> bool:
        """Whether the command reads several images in one process (``{imgs}``)."""
        return "{imgs}" in self.template

    def argv(self, images: Sequence[str | Path]) -> list[str]:
        """The command line for ``images`` (exactly one unless ``batch``)."""
        paths = [str(p) for p in images]
        if not self.batch and len(paths) != 1:
            raise ValueError(f"peer {self.name} reads one image per run")
        out: list[str] = []
        for token in shlex.split(self.template):
            if token == "{imgs}":
                out += paths
            elif token == "{img}":
                out.append(paths[0])
            else:
                out.append(token.replace("{img}", paths[0]).replace("{imgs}", " ".join(paths)))
        return out


def parse_peer(spec: str) -> PeerCommand:
    """``NAME=COMMAND`` -> PeerCommand; the command must name its image with {img} or {imgs}."""
    name, sep, template = spec.partition("=")
    name = name.strip()
    if not sep or not name or not template.strip():
        raise InvalidOptionError(
            f"bad peer '{spec}'", "write --peer NAME='command {img}' (text lines on stdout)"
        )
    if "{img}" not in template and "{imgs}" not in template:
        raise InvalidOptionError(
            f"peer '{name}' does not say where the image goes",
            "put {img} (one image) or {imgs} (several) in the command",
        )
    if not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise InvalidOptionError(f"bad peer name '{name}'", "use letters, digits, - _ .")
    return PeerCommand(name, template.strip())


@dataclass
class ProcessRun:
    """One finished process: exit code, output, and its own wall, CPU and peak memory."""

    returncode: int
    stdout: str
    stderr: str
    wall_ms: float
    cpu_ms: float
    peak_mb: float

    def last_error_line(self) -> str:
        text = (self.stderr or self.stdout).strip()
        return text.splitlines()[-1][:300] if text else f"exit {self.returncode}"


def run_process(
    argv: Sequence[str], timeout: float = 600.0, env: dict[str, str] | None = None
) -> ProcessRun:
    """Run ``argv`` to completion through the launcher; wall time is from spawn to reaping."""
    launcher = [sys.executable, "-S", "-c", _LAUNCHER, *argv]
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            launcher, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, env=env
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            out, _ = proc.communicate()
        finally:
            timer.cancel()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    body, _, mark = stderr.rpartition(USAGE_MARK)
    try:
        usage = json.loads(mark)
    except json.JSONDecodeError:  # the launcher itself failed (or was killed by the timeout)
        body, usage = stderr, {"wall": float("nan"), "cpu": float("nan"), "maxrss_kb": 0}
    return ProcessRun(
        returncode=proc.returncode,
        stdout=out.decode("utf-8", "replace"),
        stderr=body.rstrip("\n"),
        wall_ms=usage["wall"] * 1000,
        cpu_ms=usage["cpu"] * 1000,
        peak_mb=usage["maxrss_kb"] / 1024,  # KiB on Linux
    )


def split_pages(stdout: str) -> list[list[str]]:
    """Pages of non-empty text lines from a peer's stdout (form-feed lines separate pages)."""
    pages: list[list[str]] = [[]]
    for line in stdout.split("\n"):  # not splitlines(): it breaks lines at form feeds too
        if line.strip(" \t\r") == PAGE_SEPARATOR:
            pages.append([])
        elif line.strip():
            pages[-1].append(line.strip())
    return pages


def peer_reader(peer: PeerCommand, timeout: float = 600.0) -> Reader:
    """A reader that saves the image as PNG and runs the peer on it in a fresh process."""
    from PIL import Image

    def read(image: np.ndarray) -> tuple[str, list[str]]:
        with tempfile.TemporaryDirectory(prefix="vlocr-peer-") as tmp:
            path = Path(tmp) / "page.png"
            Image.fromarray(image).save(path)
            run = run_process(peer.argv([path]), timeout)
        if run.returncode != 0:
            raise RuntimeError(f"peer {peer.name} failed: {run.last_error_line()}")
        lines = split_pages(run.stdout)[0]
        return "\n".join(lines), lines

    return read
