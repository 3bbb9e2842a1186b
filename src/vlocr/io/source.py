"""Resolve what a caller passed (path, bytes, base64, data URL, file object) into raw bytes.

The byte cap is enforced here, before anything is read in full. URLs are refused on purpose:
fetching is a network decision the caller makes (the API has its own allow-list).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import stat as st
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from vlocr.errors import (
    ImageTooLargeError,
    InputNotFoundError,
    InvalidImageError,
    InvalidOptionError,
)

_BASE64_RE = re.compile(rb"^[A-Za-z0-9+/\-_]+={0,2}$")
_WHITESPACE = re.compile(rb"\s+")
_MIN_BARE_BASE64 = 64


@dataclass(frozen=True)
class RawInput:
    """Bytes to decode and the label errors and pages will carry."""

    data: bytes
    label: str


def read_source(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO,
    *,
    max_bytes: int,
    label: str | None = None,
) -> RawInput:
    """Return the raw bytes behind ``source``; raise a typed error for anything unusable."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        name = label or "<bytes>"
        data = bytes(source)
        _check_bytes(len(data), max_bytes, name)
        return RawInput(data, name)
    if isinstance(source, os.PathLike):
        return _read_path(Path(os.fspath(source)), max_bytes=max_bytes, label=label)
    if isinstance(source, str):
        return _read_string(source, max_bytes=max_bytes, label=label)
    if hasattr(source, "read"):
        name = label or str(getattr(source, "name", "") or "<stream>")
        data = source.read(max_bytes + 1)
        if isinstance(data, str):
            raise InvalidOptionError(
                "file object is opened in text mode", "open it with 'rb'", source=name
            )
        _check_bytes(len(data), max_bytes, name)
        return RawInput(bytes(data), name)
    raise InvalidOptionError(
        f"cannot read an input of type {type(source).__name__}",
        "pass a file path, bytes, base64 text, a data: URL, a PIL image or a numpy array",
        source=label,
    )


def _read_string(text: str, *, max_bytes: int, label: str | None) -> RawInput:
    stripped = text.strip()
    lowered = stripped[:16].lower()
    if lowered.startswith(("http://", "https://")):
        raise InvalidOptionError(
            "URLs are not fetched",
            "download the file first and pass its path or bytes",
            source=label or _short(stripped),
        )
    if lowered.startswith("data:"):
        name = label or "<data-url>"
        return RawInput(_decode_data_url(stripped, max_bytes=max_bytes, label=name), name)
    path_like = len(stripped) < 4096 and "\x00" not in stripped
    if path_like and stripped and os.path.exists(stripped):
        return _read_path(Path(stripped), max_bytes=max_bytes, label=label)
    payload = _as_base64(stripped)
    if payload is not None:
        name = label or "<base64>"
        data = _b64decode(payload, max_bytes=max_bytes, label=name)
        looks_like_path = stripped.startswith(("/", "~", "."))
        long_enough = len(payload) >= _MIN_BARE_BASE64 and not looks_like_path
        if data is not None and (long_enough or _is_known_format(data)):
            return RawInput(data, name)
    raise InputNotFoundError(
        f"no such file: {_short(stripped)}",
        "check the path; to pass image data as text use base64 or a data: URL",
        source=label or _short(stripped),
    )


def _read_path(path: Path, *, max_bytes: int, label: str | None) -> RawInput:
    name = label or str(path)
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise InputNotFoundError(
            f"no such file: {path}", "check the path and try again", source=name
        ) from exc
    except OSError as exc:
        raise InputNotFoundError(
            f"cannot access {path}: {exc.strerror}",
            "check the path and its permissions",
            source=name,
        ) from exc
    if path.is_dir():
        raise InvalidOptionError(
            f"{path} is a directory",
            "pass an image or PDF file (use batch for folders)",
            source=name,
        )
    if not st.S_ISREG(stat.st_mode):
        raise InvalidOptionError(
            f"{path} is not a regular file (it is a {_file_kind(stat.st_mode)})",
            "pass an image or PDF file; copy piped data into a file first",
            source=name,
        )
    _check_bytes(stat.st_size, max_bytes, name)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except PermissionError as exc:
        raise InputNotFoundError(
            f"permission denied: {path}", "check the file permissions", source=name
        ) from exc
    except OSError as exc:
        raise InputNotFoundError(
            f"cannot read {path}: {exc.strerror}", "check the path and try again", source=name
        ) from exc
    _check_bytes(len(data), max_bytes, name)
    return RawInput(data, name)


def _file_kind(mode: int) -> str:
    """Name a non-regular file, so the error says why it is refused (opening a FIFO would block)."""
    kinds = (
        (st.S_ISFIFO, "FIFO"),
        (st.S_ISSOCK, "socket"),
        (st.S_ISCHR, "character device"),
        (st.S_ISBLK, "block device"),
    )
    return next((label for test, label in kinds if test(mode)), "special file")


def _decode_data_url(url: str, *, max_bytes: int, label: str) -> bytes:
    header, sep, payload = url.partition(",")
    if not sep:
        raise InvalidImageError(
            "malformed data: URL (no ',' before the payload)",
            "use data:image/png;base64,<base64 bytes>",
            source=label,
        )
    if header.lower().endswith(";base64"):
        clean = _as_base64(payload)
        data = _b64decode(clean, max_bytes=max_bytes, label=label) if clean is not None else None
        if data is None:
            raise InvalidImageError(
                "data: URL payload is not valid base64",
                "re-encode the image as base64",
                source=label,
            )
        return data
    _check_bytes(len(payload), max_bytes, label)
    return urllib.parse.unquote_to_bytes(payload)


def _as_base64(text: str) -> bytes | None:
    """Return ``text`` without whitespace if it only holds base64 characters, else None."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        return None
    raw = _WHITESPACE.sub(b"", raw)
    return raw if raw and _BASE64_RE.match(raw) else None


def _b64decode(payload: bytes, *, max_bytes: int, label: str) -> bytes | None:
    _check_bytes(len(payload) * 3 // 4, max_bytes, label)
    padded = payload + b"=" * (-len(payload) % 4)
    try:
        if b"-" in payload or b"_" in payload:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def _is_known_format(data: bytes) -> bool:
    from vlocr.io.sniff import sniff_format

    return sniff_format(data) is not None


def _check_bytes(size: int, max_bytes: int, label: str) -> None:
    if size > max_bytes:
        raise ImageTooLargeError(
            f"input is {_size(size, max_bytes)}, over the limit of {_size(max_bytes, size)}",
            "compress or downscale it, or raise VLOCR_IO__MAX_BYTES",
            source=label,
        )


def _size(n: int, other: int) -> str:
    """MB with one decimal, or exact bytes when that would print both sizes the same."""
    if f"{n / 1e6:.1f}" == f"{other / 1e6:.1f}":
        return f"{n:,} bytes"
    return f"{n / 1e6:.1f} MB"


def _short(text: str, limit: int = 120) -> str:
    one_line = text.replace("\n", " ").replace("\r", " ")
    return one_line if len(one_line) <= limit else one_line[: limit - 3] + "..."
