"""Which OCR lines support an answer: shared numbers, or most of a line's words in the answer."""

from __future__ import annotations

import re

from vlocr.fusion.numbers import check_numbers
from vlocr.results import OcrLine

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.'-]*")
_CJK = re.compile(r"[\u3400-\u9fff]+")


def _tokens(text: str) -> set[str]:
    text = text.lower()
    words = {w.strip(".'-") for w in _WORD.findall(text) if len(w.strip(".'-")) >= 2}
    for run in _CJK.findall(text):
        if len(run) == 1:
            words.add(run)
        words.update(run[i : i + 2] for i in range(len(run) - 1))
    return words


def provenance(answer_text: str, lines: list[OcrLine], min_overlap: float = 0.5) -> list[OcrLine]:
    """OCR lines (in page order) that back the answer: a matching number, or at least
    ``min_overlap`` of the line's words/CJK bigrams appearing in the answer."""
    support: set[int] = set()
    for check in check_numbers(answer_text, lines):
        support.update(check.lines)
    answer_tokens = _tokens(answer_text)
    for i, line in enumerate(lines):
        if i in support:
            continue
        toks = _tokens(line.text)
        if toks and len(toks & answer_tokens) / len(toks) >= min_overlap:
            support.add(i)
    return [lines[i] for i in sorted(support)]
