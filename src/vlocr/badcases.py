"""Bad cases: results a user marked wrong, with the correct text, kept as a regression set.

One case is one folder ``<dir>/<id>/`` holding the input (``image.<ext>``, the bytes as uploaded)
and ``case.json`` (kind, options, the result that was wrong, the correction). The web page writes
them (only when the server runs with ``--bad-cases DIR``), ``GET /v1/bad-cases`` lists and exports
them, and ``vlocr bench --data DIR --format badcases`` scores engines on them. The same layout sits
inside the exported zip, so an unzipped export is a valid ``--data`` folder too.

The store never deletes what users collected: past its size cap it refuses new cases with a hint.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from vlocr.errors import InvalidOptionError, VlocrError

log = logging.getLogger("vlocr.badcases")

Kind = Literal["read", "answer", "extract"]
CASE_FILE = "case.json"
MAX_CORRECTION_CHARS = 64 * 1024
_ID = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$")


class BadCaseStoreFullError(VlocrError):
    """The store reached its size cap; nothing is deleted to make room."""

    http_status = 507
    code = "bad_case_store_full"


class BadCase(BaseModel):
    """What was asked, what came back, and what the user says is right."""

    id: str
    kind: Kind
    created_at: str = Field(description="UTC time, ISO 8601")
    source: str = Field("", description="File name as uploaded")
    image: str = Field(description="Input file name inside the case folder")
    image_bytes: int = 0
    page: int = 1
    options: dict[str, Any] = Field(
        default_factory=dict, description="engine, preprocess, region, question, schema, ..."
    )
    result: dict[str, Any] = Field(default_factory=dict, description="The result marked wrong")
    correction: str = Field(
        description="The correct text (read), answer (answer) or JSON object (extract)"
    )
    note: str = ""

    def correction_fields(self) -> dict[str, str]:
        """Expected values as flat ``field -> value`` pairs (the benchmark's key fields)."""
        if self.kind == "answer":
            return {"answer": self.correction.strip()} if self.correction.strip() else {}
        if self.kind != "extract":
            return {}
        try:
            data = json.loads(self.correction)
        except json.JSONDecodeError:
            return {"value": self.correction.strip()} if self.correction.strip() else {}
        out: dict[str, str] = {}
        _flatten("", data, out)
        return out


def _flatten(prefix: str, value: Any, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _flatten(f"{prefix}[{i}]", item, out)
    elif value not in (None, ""):
        out[prefix or "value"] = str(value)


def check_correction(kind: str, correction: str) -> str:
    """The correction, stripped; refuses empty or oversized text and non-JSON for extractions."""
    text = (correction or "").strip()
    if not text:
        raise InvalidOptionError(
            "the correction is empty", "type the correct text or value / 请填写正确内容"
        )
    if len(text) > MAX_CORRECTION_CHARS:
        raise InvalidOptionError(
            f"the correction is longer than {MAX_CORRECTION_CHARS} characters",
            "keep only the part that is wrong",
        )
    if kind == "extract":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidOptionError(
                f"the corrected extraction is not valid JSON ({exc.msg}, line {exc.lineno})",
                'edit the JSON shown, e.g. {"total": "3.78"}',
            ) from None
    return text


class BadCaseStore:
    """A folder of cases under a byte cap; safe to share between the page and the API threads."""

    def __init__(self, directory: str | Path, max_mb: float = 500.0) -> None:
        self.directory = Path(directory)
        self.max_bytes = int(max_mb * 1024 * 1024)
        self._lock = threading.Lock()

    def used_bytes(self) -> int:
        if not self.directory.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.directory.rglob("*") if p.is_file())

    def add(
        self,
        data: bytes,
        *,
        kind: Kind,
        correction: str,
        result: dict[str, Any],
        options: dict[str, Any] | None = None,
        source: str = "",
        page: int = 1,
        note: str = "",
    ) -> BadCase:
        """Write one case atomically (a temporary folder renamed into place)."""
        from vlocr.io import sniff_format

        correction = check_correction(kind, correction)
        payload_size = len(data) + len(json.dumps(result, ensure_ascii=False)) + len(correction)
        with self._lock:
            used = self.used_bytes()
            if used + payload_size > self.max_bytes:
                raise BadCaseStoreFullError(
                    f"the bad-case store is full ({used / 1e6:.1f} MB of "
                    f"{self.max_bytes / 1e6:.1f} MB)",
                    "export the cases (GET /v1/bad-cases/export), move them away, or raise "
                    "--bad-cases-max-mb",
                )
            case_id = f"{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:8]}"
            ext = sniff_format(data) or "bin"
            case = BadCase(
                id=case_id,
                kind=kind,
                created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                source=Path(source).name[-120:] if source else "",
                image=f"image.{ext}",
                image_bytes=len(data),
                page=page,
                options=options or {},
                result=result,
                correction=correction,
                note=note.strip()[:2000],
            )
            self.directory.mkdir(parents=True, exist_ok=True)
            staging = self.directory / f".tmp-{case_id}"
            staging.mkdir()
            try:
                (staging / case.image).write_bytes(data)
                (staging / CASE_FILE).write_text(case.model_dump_json(indent=1), encoding="utf-8")
                os.replace(staging, self.directory / case_id)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        log.info("bad case %s (%s) saved in %s", case_id, kind, self.directory)
        return case

    def list(self) -> list[BadCase]:
        """Every readable case, newest first; broken folders are skipped with a log line."""
        return sorted(iter_cases(self.directory), key=lambda c: c.id, reverse=True)

    def get(self, case_id: str) -> BadCase | None:
        if not _ID.match(case_id):
            return None
        return read_case(self.directory / case_id)

    def export_zip(self) -> Iterator[bytes]:
        """All cases as a zip in the store's own layout (``<id>/case.json``, ``<id>/image.*``),
        yielded piece by piece so a large store is never held in memory at once."""
        sink = _Sink()
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for case in self.list():
                folder = self.directory / case.id
                archive.write(folder / CASE_FILE, f"{case.id}/{CASE_FILE}")
                archive.write(folder / case.image, f"{case.id}/{case.image}")
                yield sink.drain()
        yield sink.drain()


class _Sink(io.RawIOBase):
    """A write-only stream that hands out what was written so far (zipfile streams into it)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def read_case(folder: Path) -> BadCase | None:
    meta = folder / CASE_FILE
    if not meta.is_file():
        return None
    try:
        case = BadCase.model_validate_json(meta.read_bytes())
    except (ValidationError, OSError) as exc:
        log.warning("skipping unreadable bad case %s: %s", folder, exc)
        return None
    if Path(case.image).name != case.image or not (folder / case.image).is_file():
        log.warning("skipping bad case %s: its image file is missing", folder)
        return None
    return case


def iter_cases(directory: Path) -> Iterator[BadCase]:
    if not directory.is_dir():
        return
    for folder in sorted(directory.iterdir()):
        if folder.is_dir() and _ID.match(folder.name):
            case = read_case(folder)
            if case is not None:
                yield case
