"""Batch output in a bucket (``--out s3://bucket/prefix``, ``gs://...``): a local working copy is
the store, and the bucket mirrors it.

Object stores have no append, no rename and no lock, which the output store needs to survive a
``kill -9``. So the job runs on a local folder exactly as for a local ``--out`` (same atomic writes,
same lock, same resume), and the bucket receives:

- each input's ``<stem>.<key>.json`` as soon as the input is done: one whole-object upload, so the
  object is there whole or not at all;
- ``results.jsonl`` and the extract tables when the run ends.

A run, on this machine or another, first pulls the finished JSONs and ``results.jsonl`` down, so
it skips exactly the keys that are done; a ``results.jsonl`` left behind by a killed run is rebuilt
from those JSONs, as for a local folder. One writer per prefix: two machines writing one prefix
at once are not detected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from vlocr.batch.inputs import open_filesystem
from vlocr.batch.store import RESULTS, is_done_name, write_atomic
from vlocr.errors import InputNotFoundError


def is_bucket(out: Path | str) -> bool:
    return "://" in str(out)


def local_copy_dir(uri: str) -> Path:
    """Where the working copy of a bucket output lives: one folder per URI in vlocr's cache."""
    from vlocr.config import cache_dir

    name = hashlib.sha256(uri.rstrip("/").encode()).hexdigest()[:16]
    return cache_dir() / "batch-out" / name


class BucketMirror:
    """Copies finished outputs between a local folder and ``uri`` (through pyarrow's file
    systems)."""

    def __init__(self, uri: str, local: Path | None = None) -> None:
        self.uri = uri.rstrip("/")
        self.fs, root = open_filesystem(self.uri)
        self.root = root.rstrip("/")
        self.local = local or local_copy_dir(self.uri)
        self.uploaded: set[str] = set()
        self.failed: dict[str, str] = {}  # name -> why its upload failed (retried at the end)

    def _remote(self, name: str) -> str:
        return f"{self.root}/{name}"

    def _listing(self) -> list[str]:
        from pyarrow import fs as pafs

        bucket = self.root.split("/", 1)[0]
        try:
            if self.fs.get_file_info(bucket).type == pafs.FileType.NotFound:
                scheme = self.uri.split("://", 1)[0]
                raise InputNotFoundError(
                    f"the bucket {scheme}://{bucket} does not exist",
                    "create it first, or check the URI and credentials",
                )
            found = self.fs.get_file_info(pafs.FileSelector(self.root, allow_not_found=True))
        except OSError as err:
            raise InputNotFoundError(
                f"cannot list {self.uri}: {err}", "check the URI and credentials"
            ) from None
        return [Path(info.path).name for info in found if info.type == pafs.FileType.File]

    def pull(self) -> int:
        """Bring down the finished inputs' JSONs this copy lacks (each is named by its content
        key, so one that is here is the same), and ``results.jsonl`` when this copy has none;
        returns how many files came down."""
        self.local.mkdir(parents=True, exist_ok=True)
        pulled = 0
        for name in self._listing():
            if not (is_done_name(name) or name == RESULTS):
                continue
            self.uploaded.add(name)
            here = self.local / name
            if here.is_file():
                continue
            try:
                with self.fs.open_input_stream(self._remote(name)) as handle:
                    data = bytes(handle.read())
            except OSError as err:
                raise InputNotFoundError(
                    f"cannot read {self.uri}/{name}: {err}", "check the URI and credentials"
                ) from None
            write_atomic(here, data)
            pulled += 1
        return pulled

    def push(self, path: Path) -> bool:
        """Upload one local file under its name; a failure is remembered, not raised (the file
        stays in the working copy and :meth:`finish` tries again)."""
        try:
            data = path.read_bytes()
            with self.fs.open_output_stream(self._remote(path.name)) as handle:
                handle.write(data)
        except OSError as err:
            self.failed[path.name] = str(err)
            return False
        self.uploaded.add(path.name)
        self.failed.pop(path.name, None)
        return True

    def finish(self, extra: Iterable[Path] = ()) -> None:
        """Upload what the bucket still lacks: finished JSONs that failed or were never sent,
        then ``results.jsonl`` and ``extra`` (the tables). Raises when something stays behind."""
        for path in sorted(self.local.iterdir()):
            if is_done_name(path.name) and path.name not in self.uploaded:
                self.push(path)
        for path in [self.local / RESULTS, *extra]:
            if path.is_file():
                self.push(path)
        if self.failed:
            name, why = next(iter(self.failed.items()))
            raise InputNotFoundError(
                f"could not upload {len(self.failed)} file(s) to {self.uri} (first: {name}: {why})",
                f"the results are kept in {self.local}; run the same command again to upload them",
            )
