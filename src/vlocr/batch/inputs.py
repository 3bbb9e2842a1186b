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
from typing import Any

from vlocr.errors import EngineUnavailableError, InputNotFoundError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif", ".pdf"}
_SNIFF_BYTES = 1024


@dataclass
class Collected:
    """Inputs in a stable order, and the folder entries left out with the reason for each."""

    inputs: list[Path | str] = field(default_factory=list)  # str: a URI
    ignored: list[tuple[Path | str, str]] = field(default_factory=list)


def is_uri(source: object) -> bool:
    return isinstance(source, str) and "://" in source


def collect_inputs(paths: Iterable[Path | str], recursive: bool = True) -> Collected:
    """Expand folders into the images and PDFs inside them (sorted). A file without an image
    suffix is taken when its first bytes are an accepted format (a scanner's ``scan0001``).
    ``s3://``, ``gs://`` and ``file://`` URIs are listed through pyarrow's file systems."""
    out = Collected()
    for entry in paths:
        if is_uri(entry):
            _collect_uri(str(entry), out)
            continue
        path = Path(entry)
        if not path.is_dir():
            out.inputs.append(path)
            continue
        walker = os.walk(path) if recursive else [next(os.walk(path))]
        for root, dirs, files in walker:
            dirs.sort()
            for name in [d for d in dirs if os.path.islink(os.path.join(root, d))]:
                out.ignored.append((Path(root) / name, "link to a folder, not followed"))
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


def open_filesystem(uri: str) -> tuple[Any, str]:
    try:
        from pyarrow import fs
    except ImportError:
        raise EngineUnavailableError(
            f"reading {uri.split('://')[0]}:// URIs needs pyarrow", "pip install 'vlocr[ray]'"
        ) from None
    try:
        return fs.FileSystem.from_uri(uri)
    except Exception as err:  # pyarrow raises ArrowInvalid/OSError for bad URIs or credentials
        raise InputNotFoundError(
            f"cannot open {uri}: {err}", "check the URI and credentials"
        ) from None


def _collect_uri(uri: str, out: Collected) -> None:
    from pyarrow import fs as pafs

    filesystem, root = open_filesystem(uri)
    scheme = uri.split("://", 1)[0]
    info = filesystem.get_file_info(root)
    if info.type != pafs.FileType.Directory:
        out.inputs.append(uri)  # a file, or missing: the hash step reports it
        return
    found = filesystem.get_file_info(pafs.FileSelector(root, recursive=True))
    for item in sorted(found, key=lambda i: i.path):
        if item.type != pafs.FileType.File:
            continue
        name = f"{scheme}://{item.path}"
        if Path(item.path).suffix.lower() in IMAGE_SUFFIXES:
            out.inputs.append(name)
        else:
            out.ignored.append((name, "not an image or PDF (by its name)"))


def read_input(source: Path | str, max_bytes: int) -> bytes:
    """The bytes of a path or URI, with the loader's typed errors and byte cap."""
    if not is_uri(source):
        from vlocr.io.source import read_source

        return read_source(Path(source), max_bytes=max_bytes, label=str(source)).data
    from vlocr.io.source import _check_bytes

    uri = str(source)
    filesystem, path = open_filesystem(uri)
    try:
        size = filesystem.get_file_info(path).size
        _check_bytes(size or 0, max_bytes, uri)
        with filesystem.open_input_stream(path) as handle:
            data = bytes(handle.read(max_bytes + 1))
    except OSError as err:
        raise InputNotFoundError(f"cannot read {uri}: {err}", "check the URI", source=uri) from None
    _check_bytes(len(data), max_bytes, uri)
    return data


def content_hash(path: Path | str, max_bytes: int) -> str:
    """SHA-256 of the file's bytes: the identity of an input, whatever its name or folder.

    Raises the loader's typed errors (missing, not a regular file, too large, unreadable) so an
    input that cannot be hashed is reported exactly as ``vlocr read`` would report it.
    """
    return hashlib.sha256(read_input(path, max_bytes)).hexdigest()
