"""Keep inputs whose recognition failed or was unsure, for later review, within a size budget."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from vlocr.io import sniff_format

log = logging.getLogger("vlocr.api")


class FailedSampleStore:
    """Writes ``<stamp>-<id>.<ext>`` (the input bytes) and ``.json`` (the result) side by side.

    After each write the oldest files are deleted until the folder is under ``max_bytes``.
    """

    def __init__(self, directory: str | Path, max_mb: float, low_confidence: float) -> None:
        self.directory = Path(directory)
        self.max_bytes = int(max_mb * 1024 * 1024)
        self.low_confidence = low_confidence
        self._lock = threading.Lock()

    def should_keep(self, pages: list[Any]) -> str | None:
        """Why these page results deserve review, or None."""
        for page in pages:
            if getattr(page, "error", None) is not None:
                return "error"
            conf = getattr(page, "mean_confidence", None)
            if conf is None:
                return "no_text"
            if conf < self.low_confidence:
                return "low_confidence"
        return None

    def save(self, data: bytes, result: dict[str, Any], reason: str) -> Path | None:
        try:
            with self._lock:
                self.directory.mkdir(parents=True, exist_ok=True)
                stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
                ext = sniff_format(data) or "bin"
                image_path = self.directory / f"{stem}.{ext}"
                image_path.write_bytes(data)
                meta = {
                    "reason": reason,
                    "saved_at": time.time(),
                    "bytes": len(data),
                    "result": result,
                }
                (self.directory / f"{stem}.json").write_text(
                    json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8"
                )
                self._trim()
                return image_path
        except OSError as exc:
            log.warning("could not save a failed sample to %s: %s", self.directory, exc)
            return None

    def _trim(self) -> None:
        """Delete whole samples (image + JSON), oldest first, until under the budget."""
        groups: dict[str, list[Path]] = {}
        for path in self.directory.iterdir():
            if path.is_file():
                groups.setdefault(path.stem, []).append(path)
        total = sum(p.stat().st_size for paths in groups.values() for p in paths)
        oldest_first = sorted(
            groups.items(), key=lambda kv: (min(p.stat().st_mtime_ns for p in kv[1]), kv[0])
        )
        for _, paths in oldest_first:
            if total <= self.max_bytes:
                break
            for path in paths:
                total -= path.stat().st_size
                path.unlink(missing_ok=True)
