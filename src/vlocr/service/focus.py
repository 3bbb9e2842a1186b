"""Send the model the rows a question names instead of the whole page.

With OCR hints the text is already in the prompt; what the model still needs to see is the part
of the page the question is about. When the question shares a word with some OCR lines ("What is
the total?" -> the TOTAL row), those rows (full page width, with a margin of two line heights) are
sent as a crop at full resolution, which costs a fraction of the page's visual tokens. A question
that names nothing, or names rows spread over most of the page, gets the whole page.
"""

from __future__ import annotations

import re
from statistics import median

from vlocr.results import OcrLine

Region = tuple[int, int, int, int]

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]{2,}|\d[\d.,:/-]{2,}|[\u3400-\u9fff]{2,}")
STOPWORDS = frozenset(
    [
        "what",
        "which",
        "where",
        "when",
        "who",
        "whom",
        "whose",
        "how",
        "many",
        "much",
        "the",
        "this",
        "that",
        "these",
        "those",
        "there",
        "is",
        "are",
        "was",
        "were",
        "does",
        "did",
        "do",
        "can",
        "could",
        "would",
        "should",
        "will",
        "with",
        "for",
        "from",
        "and",
        "not",
        "any",
        "all",
        "image",
        "picture",
        "photo",
        "page",
        "document",
        "receipt",
        "invoice",
        "form",
        "text",
        "written",
        "shown",
        "say",
        "says",
        "tell",
        "please",
        "give",
        "read",
        "about",
        "its",
        "it's",
        "their",
        "your",
        "you",
        "value",
        "amount",
        "number",
    ]
)
MAX_SHARE = 0.5  # a crop taller than this share of the page is not worth it


def question_terms(question: str) -> list[str]:
    """Salient words of the question, lower-cased (CJK runs as their two-character pieces)."""
    terms: list[str] = []
    for word in _WORD.findall(question):
        if re.match(r"[\u3400-\u9fff]", word):
            terms.extend(word[i : i + 2] for i in range(len(word) - 1))
        elif word.lower() not in STOPWORDS:
            terms.append(word.lower())
    return list(dict.fromkeys(terms))


def lines_named_by(question: str, lines: list[OcrLine]) -> list[OcrLine]:
    terms = question_terms(question)
    if not terms:
        return []
    return [ln for ln in lines if any(t in ln.text.lower() for t in terms)]


def focus_box(question: str, lines: list[OcrLine], width: int, height: int) -> Region | None:
    """The full-width band around the OCR rows the question names, or None (send the page)."""
    named = lines_named_by(question, lines)
    if not named:
        return None
    heights = [max(ln.bbox[3] - ln.bbox[1], 1.0) for ln in named]
    line_h = median(heights)
    top = min(ln.bbox[1] for ln in named) - 2 * line_h
    bottom = max(ln.bbox[3] for ln in named) + 2 * line_h
    y0, y1 = max(int(top), 0), min(int(bottom + 0.5), height)
    if y1 - y0 > MAX_SHARE * height or y1 <= y0:
        return None
    return 0, y0, width, y1 - y0
