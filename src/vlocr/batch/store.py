"""The output folder of a batch: what is done, and writes that a ``kill -9`` cannot tear.

- ``<stem>.<key>.json``: the records of one finished input, written to a temporary file, synced
  and renamed into place, so it exists whole or not at all. Its presence means "done".
- ``results.jsonl``: one record per page. Each input's lines go out in one ``write`` on an
  ``O_APPEND`` descriptor. On start the file is repaired (a torn last line is cut off) and
  compacted: the records of this run's inputs are dropped and the finished ones re-added from their
  JSON, so a resumed run ends with exactly one record per input page, failures included once.
- ``.vlocr-batch.lock``: two runs writing one folder would interleave; the second is refused.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from vlocr.batch.task_runner import KEY_CHARS, BatchRecord, relabel
from vlocr.errors import InvalidOptionError

RESULTS = "results.jsonl"
LOCK = ".vlocr-batch.lock"
_DONE_RE = re.compile(rf"^(?P<stem>.*)\.(?P<key>[0-9a-f]{{{KEY_CHARS}}})\.json$")


def is_done_name(name: str) -> bool:
    """Whether a file name is a finished input's ``<stem>.<key>.json``."""
    return _DONE_RE.match(name) is not None


@dataclass(frozen=True)
class Item:
    """One input of this run: its path as given and its job key."""

    path: str
    key: str


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that readers see the old file or the new one, never half."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    _sync_dir(target.parent)


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _dumps(records: Iterable[BatchRecord]) -> bytes:
    return "".join(r.model_dump_json() + "\n" for r in records).encode("utf-8")


class OutputStore:
    def __init__(self, out_dir: Path) -> None:
        self.out = out_dir
        self.results = out_dir / RESULTS
        self._done: dict[str, Path] = {}
        self._lock_fd: int | None = None
        self.repaired_lines = 0

    # ---- locking -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[OutputStore]:
        import fcntl

        self.out.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InvalidOptionError(
                f"another vlocr batch is writing to {self.out}",
                "wait for it to finish, or pass another --out folder",
            ) from None
        self._lock_fd = fd
        try:
            self.rescan()
            yield self
        finally:
            os.close(fd)
            self._lock_fd = None

    # ---- what is done ------------------------------------------------------------------------

    def rescan(self) -> None:
        """Index finished inputs; delete temporary files a killed run left (we hold the lock, so
        no other writer owns them)."""
        self._done = {}
        for entry in self.out.iterdir():
            if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                entry.unlink(missing_ok=True)
                continue
            match = _DONE_RE.match(entry.name)
            if match and entry.is_file():
                self._done[match["key"]] = entry

    def forget(self, keys: set[str]) -> None:
        """Treat these keys as not done (``--no-resume``); their files are replaced when rerun."""
        for key in keys & set(self._done):
            self._done.pop(key).unlink(missing_ok=True)

    def is_done(self, key: str) -> bool:
        return key in self._done

    def done_records(self, key: str, source: str) -> list[BatchRecord]:
        """The stored records of a finished key, relabelled with the path it has now."""
        rows = json.loads(self._done[key].read_text(encoding="utf-8"))
        return relabel(
            [BatchRecord.model_validate({**row, "source": source}) for row in rows], source
        )

    # ---- results.jsonl -----------------------------------------------------------------------

    def read_results(self) -> list[BatchRecord]:
        """Every whole, parseable line; a torn last line (a crash mid-write) is cut off first."""
        if not self.results.exists():
            return []
        raw = self.results.read_bytes()
        if raw and not raw.endswith(b"\n"):
            cut = raw.rfind(b"\n") + 1
            with self.results.open("r+b") as handle:
                handle.truncate(cut)
                os.fsync(handle.fileno())
            raw = raw[:cut]
            self.repaired_lines += 1
        records = []
        for line in raw.splitlines():
            try:
                records.append(BatchRecord.model_validate_json(line))
            except ValueError:
                self.repaired_lines += 1
        return records

    def prepare(self, items: list[Item]) -> None:
        """Make ``results.jsonl`` hold only what is settled before this run adds to it: records of
        other sources stay (minus those of moved files), this run's sources lose their old lines,
        and the finished ones get theirs back from their JSON (with the current path)."""
        ours = {item.path for item in items}
        keys = {item.key for item in items}
        old = self.read_results()
        kept: dict[tuple[str, int, str], BatchRecord] = {}
        previous: dict[tuple[str, str], dict[int, BatchRecord]] = {}
        for rec in old:
            if rec.source in ours:
                if rec.status != "error" and self.is_done(rec.key):
                    previous.setdefault((rec.source, rec.key), {})[rec.page] = rec
                continue
            if rec.key in keys and not os.path.lexists(rec.source):
                continue  # the same content now lives under another name in this run
            kept[(rec.source, rec.page, rec.key)] = rec
        lines = list(kept.values())
        for item in items:
            if not self.is_done(item.key):
                continue
            reuse = previous.get((item.path, item.key))
            lines.extend(reuse.values() if reuse else self.done_records(item.key, item.path))
        data = _dumps(lines)
        if old or data:
            write_atomic(self.results, data)

    def save(self, item: Item, records: list[BatchRecord]) -> Path | None:
        """Mark an input done (when every page worked) and append its lines in one write.
        Returns the finished input's JSON when this call wrote it."""
        done_file = None
        if item.key not in self._done and all(r.status != "error" for r in records):
            stem = Path(item.path).stem or "input"
            target = self.out / f"{stem}.{item.key}.json"
            payload = [r.model_dump(mode="json", exclude={"source"}) for r in records]
            write_atomic(target, json.dumps(payload, ensure_ascii=False, indent=1).encode())
            self._done[item.key] = target
            done_file = target
        fd = os.open(self.results, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            data = _dumps(records)
            written = os.write(fd, data)
            while written < len(data):  # only on a full disk or a signal mid-write
                written += os.write(fd, data[written:])
            os.fsync(fd)
        finally:
            os.close(fd)
        return done_file
