"""Render PDF pages one at a time in a child process with memory, CPU and wall-clock limits.

A PDF's content stream can be a bomb (a few KB that ask PDFium for gigabytes or minutes), and
PDFium cannot be interrupted in-process. The child (``_pdf_child.py``) is killed past its limits,
when the caller stops iterating, or when the request is cancelled, so nothing keeps running (or
holds a lock) after a timeout.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from vlocr import cancel
from vlocr.errors import ImageTooLargeError, InvalidImageError, VlocrError
from vlocr.io.budget import PixelBudget
from vlocr.io.page import Page, page_out_of_range
from vlocr.io.pdf_text import to_ocr_lines

_CHILD = str(Path(__file__).with_name("_pdf_child.py"))
_REEXPORT = "re-export or re-download the file"
_POLL_S = 0.2
_BASE_MEMORY_MB = 512


class _Child:
    """The running render process and a deadline-aware reader of its stdout."""

    def __init__(self, data: bytes, args: list[int]) -> None:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-B", _CHILD, *map(str, args)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.buffer = bytearray()
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.close()
        except BrokenPipeError:
            pass

    def _fill(self, deadline: float) -> bool:
        """Read more bytes; False at EOF. Raises TimeoutError past ``deadline``."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while True:
            cancel.check()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], min(_POLL_S, left))
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    return False
                self.buffer += chunk
                return True

    def line(self, deadline: float) -> dict[str, object] | None:
        while b"\n" not in self.buffer:
            if len(self.buffer) > 1 << 20 or not self._fill(deadline):
                return None
        raw, _, rest = bytes(self.buffer).partition(b"\n")
        self.buffer = bytearray(rest)
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def exact(self, size: int, deadline: float) -> bytearray | None:
        out = bytearray(size)
        have = min(size, len(self.buffer))
        out[:have] = self.buffer[:have]
        del self.buffer[:have]
        while have < size:
            if not self._fill(deadline):
                return None
            take = min(size - have, len(self.buffer))
            out[have : have + take] = self.buffer[:take]
            del self.buffer[:take]
            have += take
        return out

    def failure(self) -> str:
        """Why the child stopped early: 'time', 'memory' or 'crash'."""
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.close()
        code = self.proc.returncode
        err = self.proc.stderr.read(4096) if self.proc.stderr else b""
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            return "time"
        if (
            b"MemoryError" in err
            or b"bad_alloc" in err
            or code in (-signal.SIGSEGV, -signal.SIGABRT)
        ):
            return "memory"
        return "crash"

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def iter_pdf(
    data: bytes,
    *,
    source: str,
    dpi: int,
    max_pixels: int,
    max_pages: int,
    budget: PixelBudget,
    first_pages: int | None = None,
    timeout_s: float = 60.0,
    memory_mb: int = 1024,
    only_page: int | None = None,
) -> Iterator[Page]:
    """Yield the PDF's pages (or its first ``first_pages``) as RGB pages, rendering lazily.
    ``only_page`` (1-based) renders that page alone; the pages before it are not rendered."""
    first = only_page or 1
    last = max_pages if first_pages is None else min(first_pages, max_pages)
    if only_page is not None:
        last = min(only_page, max_pages)
    memory = max(memory_mb, _BASE_MEMORY_MB + max_pixels * 8 // (1 << 20))
    cpu_s = int(timeout_s * (last - first + 2)) + 5
    child = _Child(data, [dpi, max_pixels, first, last, memory, cpu_s])
    try:
        deadline = time.monotonic() + timeout_s
        try:
            head = child.line(deadline)
        except TimeoutError:
            raise _too_slow(source, "opening it", timeout_s) from None
        if head is None:
            raise _broken(source, "opening it", child.failure(), memory)
        if "error" in head:
            raise _open_error(str(head.get("message", "")), source)
        count = int(head.get("count", 0))  # type: ignore[call-overload]
        sizes = [(int(w), int(h)) for w, h in head.get("sizes", [])]  # type: ignore[attr-defined]
        if count == 0:
            raise InvalidImageError("PDF has no pages", _REEXPORT, source=source)
        if count > max_pages:
            raise ImageTooLargeError(
                f"PDF has {count} pages, more than the limit of {max_pages}",
                "split the document or raise VLOCR_IO__MAX_PAGES",
                source=source,
            )
        if only_page is not None and only_page > count:
            raise page_out_of_range(only_page, count, source)
        for index, (width, height) in enumerate(sizes):
            _check_page(width, height, first + index, dpi, max_pixels, source)
        budget.check_total(
            sum(w * h for w, h in sizes), source=source, what=f"{len(sizes)} PDF page(s)"
        )
        for index in range(first - 1, first - 1 + len(sizes)):
            yield _next_page(
                child, index, count, sizes, dpi, max_pixels, budget, source, timeout_s, memory
            )
    finally:
        child.close()


def pdf_page_count(data: bytes, *, source: str, timeout_s: float = 60.0) -> int:
    """How many pages the PDF has, without rendering any (same child, same limits)."""
    child = _Child(data, [72, 1, 1, 0, _BASE_MEMORY_MB, int(timeout_s) + 5])
    try:
        try:
            head = child.line(time.monotonic() + timeout_s)
        except TimeoutError:
            raise _too_slow(source, "opening it", timeout_s) from None
        if head is None:
            raise _broken(source, "opening it", child.failure(), _BASE_MEMORY_MB)
        if "error" in head:
            raise _open_error(str(head.get("message", "")), source)
        return int(head.get("count", 0))  # type: ignore[call-overload]
    finally:
        child.close()


def _next_page(
    child: _Child,
    index: int,
    count: int,
    sizes: list[tuple[int, int]],
    dpi: int,
    max_pixels: int,
    budget: PixelBudget,
    source: str,
    timeout_s: float,
    memory: int,
) -> Page:
    number = index + 1
    where = f"rendering page {number}"
    deadline = time.monotonic() + timeout_s
    try:
        meta = child.line(deadline)
        if meta is None:
            raise _broken(source, where, child.failure(), memory)
        width, height = int(meta["width"]), int(meta["height"])  # type: ignore[call-overload]
        _check_page(width, height, number, dpi, max_pixels, source)
        budget.take(width * height, source=source, page=f"PDF page {number}")
        raw = child.exact(width * height * 3, deadline)
    except TimeoutError:
        raise _too_slow(source, where, timeout_s) from None
    if raw is None:
        raise _broken(source, where, child.failure(), memory)
    image = np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3)
    return Page(
        image=image,
        source=source,
        page=number,
        page_count=count,
        format="pdf",
        text_lines=to_ocr_lines(meta.get("text")),  # type: ignore[arg-type]
        pictures=[tuple(box) for box in meta.get("pictures") or []],  # type: ignore[attr-defined,misc]
    )


def _check_page(
    width: int, height: int, number: int, dpi: int, max_pixels: int, source: str
) -> None:
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"PDF page {number} is {width}x{height} pixels at {dpi} DPI, "
            f"over the limit of {max_pixels:,} pixels",
            "lower --pdf-dpi (VLOCR_IO__PDF_DPI)",
            source=source,
        )


def _too_slow(source: str, where: str, timeout_s: float) -> ImageTooLargeError:
    return ImageTooLargeError(
        f"PDF took longer than {timeout_s:g} s {where} (its content is too complex)",
        "simplify or re-export the PDF, or send the page as an image",
        source=source,
    )


def _broken(source: str, where: str, why: str, memory_mb: int) -> VlocrError:
    if why == "memory":
        return ImageTooLargeError(
            f"PDF needs more than {memory_mb:,} MB {where} (its content is too complex)",
            "simplify or re-export the PDF, or send the page as an image",
            source=source,
        )
    if why == "time":
        return ImageTooLargeError(
            f"PDF used too much CPU time {where} (its content is too complex)",
            "simplify or re-export the PDF, or send the page as an image",
            source=source,
        )
    return InvalidImageError(f"corrupt PDF: the renderer failed {where}", _REEXPORT, source=source)


def _open_error(text: str, source: str) -> InvalidImageError:
    if "password" in text.lower():
        return InvalidImageError(
            "PDF is password-protected", "remove the password and try again", source=source
        )
    # PDFium reports some parse failures with the error text "Success": say what it means.
    detail = "" if not text or "success" in text.lower() else f": {text}"
    return InvalidImageError(
        f"truncated or corrupt PDF (it cannot be parsed){detail}", _REEXPORT, source=source
    )
