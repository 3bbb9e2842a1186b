"""External engines as commands, and fresh-process measurements (wall, CPU, peak memory).

A peer is ``NAME=COMMAND`` where COMMAND holds ``{img}`` (one image path) or ``{imgs}`` (one or
more paths; pages are then separated on stdout by a line holding only a form feed). The command
prints the recognised text lines on stdout. It runs in its own environment, so an engine that
cannot be installed next to ours (``rapidocrlite`` replaces the ``rapidocr`` package) is still
measured in the same run as ours.

Every process is reaped with ``os.wait4``, which returns that child's own resource usage: its
CPU time and peak resident memory come from the kernel, not from polling.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vlocr.errors import InvalidOptionError

PAGE_SEPARATOR = "\f"
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
    """Run ``argv`` to completion and measure it (wall clock from spawn to reaping)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, env=env
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            assert proc.stdout is not None
            out = proc.stdout.read()
            proc.stdout.close()
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = (time.perf_counter() - start) * 1000
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen.wait
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return ProcessRun(
        returncode=proc.returncode,
        stdout=out.decode("utf-8", "replace"),
        stderr=stderr,
        wall_ms=wall,
        cpu_ms=(usage.ru_utime + usage.ru_stime) * 1000,
        peak_mb=usage.ru_maxrss / 1024,  # KiB on Linux
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
