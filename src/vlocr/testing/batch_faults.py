"""Batch tasks that kill their worker on purpose, to prove that no input is lost when a worker
process or a Ray actor dies (a segfault in a native decoder looks the same from outside)."""

from __future__ import annotations

import os
from pathlib import Path

from vlocr.batch.task_runner import BatchRecord, TaskSpec


class CrashingTask(TaskSpec):
    """Exits the process, without cleanup, on inputs whose name contains ``crash_on``: the first
    time only when ``marker`` is set (the file records that it happened), else every time."""

    crash_on: str = "crash"
    marker: str | None = None

    def run(self, path: str, key: str) -> list[BatchRecord]:
        if self.crash_on in Path(path).name:
            if self.marker is None:
                os._exit(3)
            if not os.path.exists(self.marker):
                Path(self.marker).write_text(f"{os.getpid()} {path}\n")
                os._exit(3)
        return super().run(path, key)
