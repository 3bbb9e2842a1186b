"""Small hostile inputs (tiny files that claim huge pages) for tests, the fuzz harness and the load
test, plus a way to measure the peak memory of code run in a fresh process.

Every builder returns bytes of at most a few hundred KB; what they decode to is the danger.
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import zlib
from typing import Any

import numpy as np
from PIL import Image


def flat_png(width: int, height: int) -> bytes:
    """A white PNG of ``width`` x ``height`` (100000x1 is ~100 bytes)."""
    buffer = io.BytesIO()
    Image.new("L", (width, height), 255).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def many_page_tiff(pages: int, width: int, height: int) -> bytes:
    """A bilevel CCITT G4 TIFF of ``pages`` white pages (20 x 49 MP is ~100 KB)."""
    frame = Image.new("1", (width, height), 1)
    buffer = io.BytesIO()
    frame.save(
        buffer, "TIFF", compression="group4", save_all=True, append_images=[frame] * (pages - 1)
    )
    return buffer.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    """Assemble numbered objects (1..n, object 1 the catalog) into a PDF with a valid xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def many_page_pdf(pages: int, width_pt: float = 2520, height_pt: float = 2520) -> bytes:
    """``pages`` blank pages sharing one content stream (at 200 DPI, 2520 pt = 7000 px)."""
    kids = " ".join(f"{4 + i} 0 R" for i in range(pages)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    box = f"[0 0 {width_pt:g} {height_pt:g}]".encode()
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox " + box + b" /Contents 3 0 R >>"
        for _ in range(pages)
    ]
    return _pdf(objects)


def content_bomb_pdf(megabytes: int = 60) -> bytes:
    """One small page whose Flate content stream inflates to ``megabytes`` MB of path operators.

    PDFium builds an object per operator while parsing, so memory grows with the inflated size.
    """
    op = b"1 1 m 2 2 l S\n"
    block = op * (1 << 16)
    packer = zlib.compressobj(9)
    parts = [packer.compress(block) for _ in range(megabytes * (1 << 20) // len(block))]
    parts.append(packer.flush())
    stream = b"".join(parts)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 3 0 R >>",
    ]
    return _pdf(objects)


def lying_jpeg(width: int = 7000, height: int = 7000) -> bytes:
    """A few-hundred-byte JPEG whose frame header claims ``width`` x ``height``."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (255, 255, 255)).save(buffer, "JPEG", quality=50)
    data = bytearray(buffer.getvalue())
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


def deep_schema(depth: int) -> dict[str, Any]:
    """A JSON Schema nested ``depth`` objects deep."""
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


def text_png(width: int = 320, height: int = 64) -> bytes:
    """A small page with dark strokes (something for the OCR to look at)."""
    image = np.full((height, width, 3), 255, dtype=np.uint8)
    image[height // 3 : height // 3 + 6, 10 : width - 10] = 0
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG")
    return buffer.getvalue()


def peak_rss_mb() -> float:
    """Peak resident MB of this process (VmHWM) or of any child it waited for.

    Not ``getrusage(RUSAGE_SELF)``: Linux carries the parent's peak across fork+exec into it, so
    a process started from a big test runner would report the runner's memory.
    """
    own = 0.0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return max(own, children)


def run_measured(body: str, *, timeout_s: float = 300) -> dict[str, Any]:
    """Run ``body`` (Python that may fill the dict ``OUT``) in a fresh interpreter.

    Returns ``OUT`` with ``error``/``message`` when ``body`` raised, and ``peak_mb``: the largest
    resident size of that interpreter or of any process it waited for (PDF render children).
    """
    code = (
        "import json, resource, traceback\nOUT = {}\ntry:\n"
        + "".join(f"    {line}\n" for line in body.strip().splitlines())
        + "except Exception as exc:\n"
        + "    OUT['error'] = type(exc).__name__\n    OUT['message'] = str(exc)\n"
        + "from vlocr.testing.hostile import peak_rss_mb\n"
        + "OUT['peak_mb'] = peak_rss_mb()\nprint(json.dumps(OUT))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout_s
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise AssertionError(f"measured run failed ({proc.returncode}): {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result
