"""Tesseract as a peer engine (Debian ``tesseract-ocr``, ``tesseract-ocr-chi-sim``)."""

from __future__ import annotations

import functools
import os
import re
import shutil
import time
from collections import defaultdict

import numpy as np

from vlocr.config import TesseractOptions
from vlocr.errors import EngineUnavailableError
from vlocr.ocr._common import make_line
from vlocr.ocr.base import OcrOutput
from vlocr.ocr.layout import sort_reading_order
from vlocr.ocr.spacing import is_cjk
from vlocr.results import OcrWord

#: Packs of scripts written without spaces between letters (or, for Korean, in syllable blocks).
CJK_PACKS = frozenset(
    {"chi_sim", "chi_tra", "jpn", "kor", "chi_sim_vert", "chi_tra_vert", "jpn_vert"}
)
#: Page segmentation for those packs when the default (3, fully automatic) is set: automatic
#: layout analysis drops or garbles whole CJK lines (a Korean page lost its first three lines
#: under psm 3 and read them all under psm 4). 4 reads the page as one column of lines of
#: varying size. Measured in ``vlocr bench --scripts`` (docs/benchmarks.md). Only when the
#: first pack is one of them (``--lang ko`` = kor+eng): 4 also reads across a page's columns, so
#: the default eng+chi_sim keeps 3 (under 4 it read the synthetic column pages of ``make
#: bench-real`` at 69-95% order CER instead of 0-62%).
CJK_PSM = 4


def _no_space_script(ch: str) -> bool:
    """Han, kana, CJK punctuation and full-width forms: written without spaces between letters.
    Hangul is not among them: Korean separates words (not syllables) by spaces."""
    return is_cjk(ch) and not _is_hangul(ch)


def _is_hangul(ch: str) -> bool:
    code = ord(ch)
    return 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F


_YEN = re.compile(r"\\(?=\s?[0-9])")


def yen_signs(text: str) -> str:
    """``\\900`` -> ``¥900``: Tesseract's jpn model reads the yen sign as a backslash (``¥900``
    read ``\\900`` on every rendered Japanese page; in Shift JIS the two share a code). Only a
    backslash before a number changes; the engine applies this for the jpn pack."""
    return _YEN.sub("¥", text)


def join_words(words: list[str]) -> str:
    """Join Tesseract's words of one line the way the script is written: nothing between two
    Han/kana characters (chi_sim and jpn report single characters as words), a space elsewhere.
    Used only where Tesseract's own text line (see :func:`own_line_text`) cannot be matched."""
    out = ""
    for word in words:
        if out and not (_no_space_script(out[-1]) and _no_space_script(word[0])):
            out += " "
        out += word
    return out


def own_line_text(words: list[str], text_lines: list[str], start: int) -> tuple[str | None, int]:
    """Tesseract's own text for the line made of ``words``, from its plain-text output.

    Tesseract decides the spaces of its text output from the blanks it measured (Korean
    ``영업시간`` stays one word although its TSV may list ``영``, ``업``, ``시간``), which the
    TSV's word list does not say. The text lines come in the TSV's line order, so the search
    starts at ``start`` (the index after the last match) and looks a few lines ahead; returns
    (text or None, the next start).
    """
    key = "".join("".join(words).split())
    for j in range(start, min(start + 4, len(text_lines))):
        line = text_lines[j]
        if "".join(line.split()) == key:
            return " ".join(line.split()), j + 1
    return None, start


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
        self.psm = self.options.psm
        self.yen = "jpn" in usable or "jpn_vert" in usable
        if self.psm == 3 and usable[0] in CJK_PACKS:
            self.psm = CJK_PSM

    def recognize(self, image: np.ndarray) -> OcrOutput:
        import pytesseract

        pytesseract.pytesseract.tesseract_cmd = self.options.binary
        start = time.perf_counter()
        data, text_lines = self._tsv_and_text(image)
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
        cursor = 0
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
            text, cursor = own_line_text([w.text for w in words], text_lines, cursor)
            if text is None:
                text = join_words([w.text for w in words])
            if self.yen:
                text = yen_signs(text)
                for w in words:
                    w.text = yen_signs(w.text)
            lines.append(make_line(text, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], conf, words))
        return OcrOutput(lines=sort_reading_order(lines), timings_ms={"total": total})

    def _tsv_and_text(self, image: np.ndarray) -> tuple[dict[str, list], list[str]]:
        """One Tesseract run writing both its TSV (words and boxes) and its plain text (lines
        spaced as the script is written)."""
        from pytesseract import pytesseract as pt

        with pt.save(image) as (base, input_file):
            pt.run_tesseract(
                input_file,
                base,
                "tsv txt",
                self.lang,
                f"--psm {self.psm} -c tessedit_create_tsv=1",
            )
            with open(f"{base}.tsv", encoding="utf-8") as f:
                tsv = f.read()
            with open(f"{base}.txt", encoding="utf-8") as f:
                text = f.read()
        data = pt.file_to_dict(tsv, "\t", -1) if tsv.strip() else {}
        if not data:
            data = {"text": []}
        return data, [ln for ln in text.splitlines() if ln.strip()]
