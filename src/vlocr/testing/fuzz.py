"""A seeded mutation fuzzer over the loader (``vlocr.io``) and the OCR pipeline (``service.read``).

Each round takes an input from the corpus, mutates it (bit flips, random bytes, huge size fields,
truncation, duplicated or spliced chunks) and runs the targets. A target may succeed or raise a
``VlocrError``; anything else (``cv2.error``, ``MemoryError``, a bare ``ValueError``) is a finding,
saved under ``<corpus>/findings``. Inputs that reach an outcome not seen before (a coverage proxy:
error type plus message shape) join the corpus. ``scripts/fuzz.py`` is the command;
``tests/test_fuzz_replay.py`` replays the committed corpus.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from vlocr.config import IoOptions
from vlocr.errors import VlocrError
from vlocr.testing import hostile

# Caps the fuzzer runs under: small enough that one input costs well under a second and a GB.
FUZZ_IO = IoOptions(
    max_pixels=8_000_000, max_total_pixels=24_000_000, pdf_timeout_s=10, pdf_memory_mb=768
)
OCR_MAX_PIXELS = 1_000_000  # decoded pages larger than this are only loaded, not OCRed
# The detector still pads very flat pages to a fraction of their full width (issue 16 defect 1,
# fixed on the OCR engine's own branch): until that lands, flatter pages are only loaded here.
# Set to None to send every shape through OCR.
OCR_MAX_ASPECT: float | None = 200.0
_DIGITS = re.compile(r"\d[\d,._]*")
_INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]


def seeds() -> dict[str, bytes]:
    """Valid inputs of the shapes that broke things: very flat, very tall, many pages."""
    import io

    from PIL import Image

    def save(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, fmt, **kwargs)
        return buffer.getvalue()

    page = Image.open(io.BytesIO(hostile.text_png(160, 48))).convert("RGB")
    return {
        "flat-100000x1.png": hostile.flat_png(100_000, 1),
        "flat-4000x2.png": hostile.flat_png(4000, 2),
        "tall-1x4000.png": hostile.flat_png(1, 4000),
        "thin-300x3.png": hostile.flat_png(300, 3),
        "text.png": hostile.text_png(160, 48),
        "text.jpg": save(page, "JPEG", quality=80),
        "text.gif": save(page.convert("P"), "GIF"),
        "text.bmp": save(page, "BMP"),
        "text.webp": save(page, "WEBP", quality=80),
        "pages-6.tiff": hostile.many_page_tiff(6, 300, 100),
        "pages-6.pdf": hostile.many_page_pdf(6, 100, 40),
        "lying-7000x7000.jpg": hostile.lying_jpeg(7000, 7000),
    }


def mutate(data: bytes, rng: random.Random, corpus: list[bytes]) -> bytes:
    """One to four random edits of ``data``."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not buf:
            buf = bytearray(rng.choice(corpus))
        kind = rng.randrange(7)
        pos = rng.randrange(len(buf))
        if kind == 0:
            buf[pos] ^= 1 << rng.randrange(8)
        elif kind == 1:
            buf[pos] = rng.randrange(256)
        elif kind == 2:  # a size-like field set to an extreme value
            width = rng.choice((1, 2, 4))
            value = rng.choice(_INTERESTING) & ((1 << (8 * width)) - 1)
            buf[pos : pos + width] = value.to_bytes(width, rng.choice(("big", "little")))
        elif kind == 3:
            del buf[pos:]
        elif kind == 4:
            end = min(len(buf), pos + rng.randint(1, 64))
            buf[pos:pos] = buf[pos:end] * rng.randint(1, 8)
        elif kind == 5:
            other = rng.choice(corpus)
            cut = rng.randrange(len(other)) if other else 0
            buf[pos:] = other[cut:]
        else:
            del buf[pos : pos + rng.randint(1, 16)]
    return bytes(buf[: 4 * 1024 * 1024])


def run_loader(data: bytes) -> str:
    """Decode every page under the fuzz caps; return the outcome's shape."""
    from vlocr.io import iter_pages

    count = 0
    for _ in iter_pages(data, options=FUZZ_IO, label="fuzz"):
        count += 1
    return f"ok:{min(count, 3)}"


def run_ocr(data: bytes) -> str:
    """The whole ``read`` pipeline (auto preprocessing, default engine) on small decoded pages."""
    from vlocr.io import iter_pages
    from vlocr.service.reading import ocr_page

    outcomes = []
    for page in iter_pages(data, options=FUZZ_IO, label="fuzz", first_pages=2):
        if page.width * page.height > OCR_MAX_PIXELS:
            outcomes.append("big")
            continue
        aspect = max(page.width, page.height) / min(page.width, page.height)
        if OCR_MAX_ASPECT is not None and aspect > OCR_MAX_ASPECT:
            outcomes.append("flat")
            continue
        try:
            result = ocr_page(page, preprocess="auto")
            outcomes.append("text" if result.text.strip() else "empty")
        except VlocrError as err:
            outcomes.append(_shape(err))
    return "ocr:" + ",".join(outcomes)


TARGETS: dict[str, Callable[[bytes], str]] = {"loader": run_loader, "ocr": run_ocr}


def _shape(err: BaseException) -> str:
    message = getattr(err, "message", str(err))
    return f"{type(err).__name__}:{_DIGITS.sub('#', str(message))[:48]}"


@dataclass
class Finding:
    target: str
    name: str
    error: str
    trace: str


@dataclass
class Report:
    runs: int = 0
    findings: list[Finding] = field(default_factory=list)
    outcomes: set[str] = field(default_factory=set)
    peak_mb: float = 0.0
    added: int = 0


def check(target: str, data: bytes, name: str = "") -> tuple[str, Finding | None]:
    """Run one target on one input; a non-vlocr exception is a finding."""
    try:
        return TARGETS[target](data), None
    except VlocrError as err:
        return _shape(err), None
    except Exception as exc:  # noqa: BLE001 - exactly what the fuzzer looks for
        return f"BUG:{type(exc).__name__}", Finding(
            target, name, f"{type(exc).__name__}: {str(exc)[:200]}", traceback.format_exc(limit=8)
        )


def load_corpus(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*")) if p.is_file()}


def fuzz(
    corpus_dir: Path,
    *,
    iterations: int,
    seed: int = 0,
    targets: Iterable[str] = ("loader", "ocr"),
    ocr_every: int = 10,
    max_seconds: float | None = None,
    grow: bool = True,
) -> Report:
    """Run ``iterations`` mutated inputs; the OCR target sees every ``ocr_every``-th one."""
    rng = random.Random(seed)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    if not any(corpus_dir.glob("*")):
        for name, data in seeds().items():
            (corpus_dir / name).write_bytes(data)
    items = list(load_corpus(corpus_dir).values())
    wanted = list(targets)
    report = Report()
    started = time.monotonic()
    for i in range(iterations):
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            break
        data = mutate(rng.choice(items), rng, items)
        name = hashlib.sha1(data).hexdigest()[:16]
        new = False
        for target in wanted:
            if target == "ocr" and i % ocr_every:
                continue
            outcome, finding = check(target, data, name)
            report.runs += 1
            key = f"{target}|{outcome}"
            if key not in report.outcomes:
                report.outcomes.add(key)
                new = True
            if finding is not None:
                report.findings.append(finding)
                findings = corpus_dir.parent / f"{corpus_dir.name}-findings"
                findings.mkdir(exist_ok=True)
                (findings / f"{target}-{name}.bin").write_bytes(data)
        if new and grow and len(data) <= 64 * 1024:
            (corpus_dir / f"found-{name}").write_bytes(data)
            items.append(data)
            report.added += 1
    report.peak_mb = hostile.peak_rss_mb()
    return report
