"""Which files a batch reads: folders expanded, and every entry that is left out said out loud.

A folder may hold notes, FIFOs, sockets or dangling links; they are not inputs, but a user must
see that they were passed over (a silent skip looks like lost work). Files given by name always
reach the loader, which reports what is wrong with them.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif", ".pdf"}
_SNIFF_BYTES = 1024


@dataclass
class Collected:
    """Inputs in a stable order, and the folder entries left out with the reason for each."""

    inputs: list[Path] = field(default_factory=list)
    ignored: list[tuple[Path, str]] = field(default_factory=list)


def collect_inputs(paths: Iterable[Path], recursive: bool = True) -> Collected:
    """Expand folders into the images and PDFs inside them (sorted). A file without an image
    suffix is taken when its first bytes are an accepted format (a scanner's ``scan0001``)."""
    out = Collected()
    for path in paths:
        if not path.is_dir():
            out.inputs.append(path)
            continue
        walker = os.walk(path) if recursive else [next(os.walk(path))]
        for root, dirs, files in walker:
            dirs.sort()
            for name in sorted(files):
                _classify(Path(root) / name, out)
    return out


def _classify(path: Path, out: Collected) -> None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        out.ignored.append((path, "dangling link"))
        return
    except OSError as err:
        out.ignored.append((path, f"cannot access: {err.strerror}"))
        return
    if not stat.S_ISREG(mode):
        out.ignored.append((path, "not a regular file: a FIFO, socket or device"))
    elif path.suffix.lower() in IMAGE_SUFFIXES or _looks_accepted(path):
        out.inputs.append(path)
    else:
        out.ignored.append((path, "not an image or PDF"))


def _looks_accepted(path: Path) -> bool:
    from vlocr.io.sniff import sniff_format

    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return True  # unreadable: let the loader report why
    return sniff_format(head) is not None


def content_hash(path: Path, max_bytes: int) -> str:
    """SHA-256 of the file's bytes: the identity of an input, whatever its name or folder.

    Raises the loader's typed errors (missing, not a regular file, too large, unreadable) so an
    input that cannot be hashed is reported exactly as ``vlocr read`` would report it.
    """
    from vlocr.io.source import read_source

    return hashlib.sha256(read_source(path, max_bytes=max_bytes, label=str(path)).data).hexdigest()
