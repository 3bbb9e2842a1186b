"""Tesseract as a peer engine (Debian ``tesseract-ocr``, ``tesseract-ocr-chi-sim``)."""

from __future__ import annotations

import functools
import os
import shutil
import time
from collections import defaultdict

import numpy as np

from vlocr.config import TesseractOptions
from vlocr.errors import EngineUnavailableError
from vlocr.ocr._common import make_line
from vlocr.ocr.base import OcrOutput
from vlocr.ocr.layout import sort_reading_order
from vlocr.results import OcrWord

_CJK_RANGES = ((0x3400, 0x9FFF), (0xF900, 0xFAFF), (0x3000, 0x303F), (0xFF00, 0xFFEF))


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def join_words(words: list[str]) -> str:
    """Join Tesseract words with spaces, except between two CJK characters (chi_sim splits them)."""
    out = ""
    for word in words:
        if out and not (_is_cjk(out[-1]) and _is_cjk(word[0])):
            out += " "
        out += word
    return out


def available_languages(binary: str = "tesseract") -> set[str]:
    """The language packs ``binary`` has; asked once per binary and data folder in a process
    (choosing the engine and starting it both need them: ``--list-langs`` is a subprocess)."""
    return set(_list_langs(binary, os.environ.get("TESSDATA_PREFIX", "")))


@functools.lru_cache(maxsize=8)
def _list_langs(binary: str, tessdata: str) -> frozenset[str]:
    import subprocess

    try:
        proc = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(ln.strip() for ln in proc.stdout.splitlines()[1:] if ln.strip())


class TesseractEngine:
    name = "tesseract"

    def __init__(self, options: TesseractOptions | None = None) -> None:
        self.options = options or TesseractOptions()
        if shutil.which(self.options.binary) is None:
            raise EngineUnavailableError(
                "the tesseract binary was not found",
                "install it (Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-chi-sim) or pick --engine rapidocr",
            )
        try:
            import pytesseract  # noqa: F401
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise EngineUnavailableError(
                "pytesseract is not installed", "pip install pytesseract"
            ) from exc
        installed = available_languages(self.options.binary)
        wanted = [lang for lang in self.options.lang.split("+") if lang]
        usable = [lang for lang in wanted if lang in installed] or (
            ["eng"] if "eng" in installed else []
        )
        if not usable:
            raise EngineUnavailableError(
                f"no tesseract language pack among {wanted} is installed",
                "apt-get install tesseract-ocr-eng tesseract-ocr-chi-sim",
            )
        self.lang = "+".join(usable)

    def recognize(self, image: np.ndarray) -> OcrOutput:
        import pytesseract

        pytesseract.pytesseract.tesseract_cmd = self.options.binary
        start = time.perf_counter()
        data = pytesseract.image_to_data(
            image,
            lang=self.lang,
            config=f"--psm {self.options.psm}",
            output_type=pytesseract.Output.DICT,
        )
        total = (time.perf_counter() - start) * 1000
        groups: dict[tuple[int, int, int, int], list[int]] = defaultdict(list)
        for i, text in enumerate(data["text"]):
            if text and text.strip() and float(data["conf"][i]) >= 0:
                key = (
                    data["page_num"][i],
                    data["block_num"][i],
                    data["par_num"][i],
                    data["line_num"][i],
                )
                groups[key].append(i)
        lines = []
        for idx in groups.values():
            x0 = min(data["left"][i] for i in idx)
            y0 = min(data["top"][i] for i in idx)
            x1 = max(data["left"][i] + data["width"][i] for i in idx)
            y1 = max(data["top"][i] + data["height"][i] for i in idx)
            words = [
                OcrWord(
                    text=data["text"][i].strip(),
                    confidence=float(data["conf"][i]) / 100.0,
                    box=[
                        (data["left"][i], data["top"][i]),
                        (data["left"][i] + data["width"][i], data["top"][i]),
                        (data["left"][i] + data["width"][i], data["top"][i] + data["height"][i]),
                        (data["left"][i], data["top"][i] + data["height"][i]),
                    ],
                )
                for i in idx
            ]
            conf = sum(w.confidence or 0.0 for w in words) / len(words)
            text = join_words([w.text for w in words])
            lines.append(make_line(text, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], conf, words))
        return OcrOutput(lines=sort_reading_order(lines), timings_ms={"total": total})
