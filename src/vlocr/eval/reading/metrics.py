"""Text accuracy and resource metrics, with one documented normalisation.

Normalisation (``normalize``), applied to reference and hypothesis alike before any metric:

1. Unicode NFKC: compatibility forms fold together, so full-width ``ＡＢＣ１２３：`` equals
   ``ABC123:`` and the ideographic space becomes a plain space.
2. Whitespace: every run of whitespace (spaces, tabs, newlines) becomes one space; the ends are
   stripped. Line breaks therefore do not count, but spaces between Latin words do.
3. Case folding: off by default (``casefold=True`` to ignore case); ALL CAPS misread as Title Case
   is an error by default.

Definitions:

- CER = Levenshtein distance on characters / reference length (spaces count). With an empty
  reference, CER is 0 when the hypothesis is empty too, else 1. CER can exceed 1 when the
  hypothesis is much longer than the reference.
- WER = the same on words. Words are whitespace-separated runs, except that every CJK character is
  a word of its own (Chinese has no spaces) and a Latin run glued to CJK text is split off it.
- Word precision/recall/F1: bags of words with multiplicity (order ignored).
- Line precision/recall: a predicted line matches a reference line when the CER between them is
  <= 0.2; matching is greedy one-to-one, best pairs first.
- Key fields: a field counts as found when its normalised value occurs in the normalised text.
- Char precision/recall/F1: bags of non-space characters (order ignored), as for word F1.
- Order CER: CER after removing all whitespace from both texts, against the page text in reading
  order. Unlike the bag metrics it punishes text read in the wrong order (columns interleaved),
  and unlike plain CER it ignores where the lines break and how words are spaced.
- Bag recall: the fraction of reference characters (spaces excluded) or words that the hypothesis
  contains as a multiset, for layouts where reading order is ambiguous.
"""

from __future__ import annotations

import math
import re
import resource
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

from rapidfuzz.distance import Levenshtein

from vlocr.eval.data.canvas import is_cjk

_WS = re.compile(r"\s+")
LINE_MATCH_CER = 0.2


def normalize(text: str, casefold: bool = False) -> str:
    """NFKC, whitespace runs -> one space, stripped; optionally case-folded."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _WS.sub(" ", text).strip()
    return text.casefold() if casefold else text


def words(text: str, casefold: bool = False) -> list[str]:
    """Words of the normalised text; each CJK character is a word of its own."""
    out: list[str] = []
    for chunk in normalize(text, casefold).split(" "):
        run = ""
        for ch in chunk:
            if is_cjk(ch):
                if run:
                    out.append(run)
                    run = ""
                out.append(ch)
            else:
                run += ch
        if run:
            out.append(run)
    return out


def char_errors(reference: str, hypothesis: str, casefold: bool = False) -> tuple[int, int]:
    """(edit distance, reference length) on normalised characters, for micro-averaged CER."""
    ref, hyp = normalize(reference, casefold), normalize(hypothesis, casefold)
    return Levenshtein.distance(ref, hyp), len(ref)


def _rate(distance: int, length: int, hyp_empty: bool) -> float:
    if length == 0:
        return 0.0 if hyp_empty else 1.0
    return distance / length


def cer(reference: str, hypothesis: str, casefold: bool = False) -> float:
    """Character error rate (see the module docstring for the empty-reference rule)."""
    dist, length = char_errors(reference, hypothesis, casefold)
    return _rate(dist, length, not normalize(hypothesis))


def word_errors(reference: str, hypothesis: str, casefold: bool = False) -> tuple[int, int]:
    ref, hyp = words(reference, casefold), words(hypothesis, casefold)
    return Levenshtein.distance(ref, hyp), len(ref)


def wer(reference: str, hypothesis: str, casefold: bool = False) -> float:
    dist, length = word_errors(reference, hypothesis, casefold)
    return _rate(dist, length, not words(hypothesis))


def _prf(matched: int, n_hyp: int, n_ref: int) -> tuple[float, float, float]:
    precision = matched / n_hyp if n_hyp else (1.0 if n_ref == 0 else 0.0)
    recall = matched / n_ref if n_ref else (1.0 if n_hyp == 0 else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def word_prf(reference: str, hypothesis: str, casefold: bool = False) -> tuple[float, float, float]:
    """Bag-of-words precision, recall and F1 (multiplicity counts)."""
    ref, hyp = Counter(words(reference, casefold)), Counter(words(hypothesis, casefold))
    matched = sum((ref & hyp).values())
    return _prf(matched, sum(hyp.values()), sum(ref.values()))


def char_prf(reference: str, hypothesis: str, casefold: bool = False) -> tuple[float, float, float]:
    """Bag-of-characters precision, recall and F1 over non-space characters."""
    ref = Counter(normalize(reference, casefold).replace(" ", ""))
    hyp = Counter(normalize(hypothesis, casefold).replace(" ", ""))
    matched = sum((ref & hyp).values())
    return _prf(matched, sum(hyp.values()), sum(ref.values()))


def order_errors(reference: str, hypothesis: str, casefold: bool = False) -> tuple[int, int]:
    """(edit distance, reference length) on the normalised texts with all spaces removed."""
    ref = normalize(reference, casefold).replace(" ", "")
    hyp = normalize(hypothesis, casefold).replace(" ", "")
    return Levenshtein.distance(ref, hyp), len(ref)


def order_cer(reference: str, hypothesis: str, casefold: bool = False) -> float:
    """Whitespace-free CER: the reading-order metric (see the module docstring)."""
    dist, length = order_errors(reference, hypothesis, casefold)
    return _rate(dist, length, not normalize(hypothesis))


def line_prf(
    reference_lines: Sequence[str],
    hypothesis_lines: Sequence[str],
    threshold: float = LINE_MATCH_CER,
    casefold: bool = False,
) -> tuple[float, float, float]:
    """Line precision/recall/F1 with greedy one-to-one matching at CER <= ``threshold``."""
    refs = [normalize(t, casefold) for t in reference_lines]
    hyps = [normalize(t, casefold) for t in hypothesis_lines]
    refs = [r for r in refs if r]
    hyps = [h for h in hyps if h]
    pairs: list[tuple[float, int, int]] = []
    for i, r in enumerate(refs):
        for j, h in enumerate(hyps):
            # a cheap lower bound: the length difference alone already costs this much
            if abs(len(r) - len(h)) > threshold * len(r):
                continue
            score = Levenshtein.distance(r, h) / len(r)
            if score <= threshold:
                pairs.append((score, i, j))
    pairs.sort()
    used_r: set[int] = set()
    used_h: set[int] = set()
    for _, i, j in pairs:
        if i not in used_r and j not in used_h:
            used_r.add(i)
            used_h.add(j)
    return _prf(len(used_r), len(hyps), len(refs))


def field_hits(
    fields: Mapping[str, str], hypothesis: str, casefold: bool = False
) -> dict[str, bool]:
    """Which key fields occur (normalised, as a substring) in the recognised text."""
    text = normalize(hypothesis, casefold)
    return {
        name: bool(normalize(value, casefold)) and normalize(value, casefold) in text
        for name, value in fields.items()
    }


def bag_recall(
    reference: str, hypothesis: str, unit: str = "char", casefold: bool = False
) -> float:
    """Fraction of reference characters (spaces excluded) or words found in the hypothesis as a
    multiset: reading order does not matter."""
    if unit == "char":
        ref = Counter(normalize(reference, casefold).replace(" ", ""))
        hyp = Counter(normalize(hypothesis, casefold).replace(" ", ""))
    else:
        ref, hyp = Counter(words(reference, casefold)), Counter(words(hypothesis, casefold))
    total = sum(ref.values())
    if total == 0:
        return 1.0
    return sum((ref & hyp).values()) / total


@dataclass
class TextScores:
    """Every accuracy number for one (reference, hypothesis) pair; counts kept for micro averages."""

    cer: float
    wer: float
    word_precision: float
    word_recall: float
    word_f1: float
    line_precision: float
    line_recall: float
    char_recall_unordered: float
    char_precision: float
    char_recall: float
    char_f1: float
    order_cer: float
    order_distance: int
    order_chars: int
    char_distance: int
    ref_chars: int
    word_distance: int
    ref_words: int
    fields_found: int
    fields_total: int
    field_hits: dict[str, bool]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def score_text(
    reference: str,
    hypothesis: str,
    *,
    reference_lines: Sequence[str] | None = None,
    hypothesis_lines: Sequence[str] | None = None,
    fields: Mapping[str, str] | None = None,
    casefold: bool = False,
    page_text: str | None = None,
) -> TextScores:
    """All text metrics for one sample (lines default to the texts split at newlines; the order
    CER compares with ``page_text``, the reading-order truth, when it differs from ``reference``)."""
    c_dist, c_len = char_errors(reference, hypothesis, casefold)
    o_dist, o_len = order_errors(
        page_text if page_text is not None else reference, hypothesis, casefold
    )
    cp, cr, cf = char_prf(reference, hypothesis, casefold)
    w_dist, w_len = word_errors(reference, hypothesis, casefold)
    p, r, f = word_prf(reference, hypothesis, casefold)
    lp, lr, _ = line_prf(
        reference_lines if reference_lines is not None else reference.splitlines(),
        hypothesis_lines if hypothesis_lines is not None else hypothesis.splitlines(),
        casefold=casefold,
    )
    hits = field_hits(fields or {}, hypothesis, casefold)
    return TextScores(
        cer=_rate(c_dist, c_len, not normalize(hypothesis)),
        wer=_rate(w_dist, w_len, not words(hypothesis)),
        word_precision=p,
        word_recall=r,
        word_f1=f,
        line_precision=lp,
        line_recall=lr,
        char_recall_unordered=bag_recall(reference, hypothesis, "char", casefold),
        char_precision=cp,
        char_recall=cr,
        char_f1=cf,
        order_cer=_rate(o_dist, o_len, not normalize(hypothesis)),
        order_distance=o_dist,
        order_chars=o_len,
        char_distance=c_dist,
        ref_chars=c_len,
        word_distance=w_dist,
        ref_words=w_len,
        fields_found=sum(hits.values()),
        fields_total=len(hits),
        field_hits=hits,
    )


# ---- speed and memory -------------------------------------------------------------------------


def percentile(values: Iterable[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100); NaN for no values."""
    data = sorted(values)
    if not data:
        return math.nan
    pos = (len(data) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def median(values: Iterable[float]) -> float:
    return percentile(values, 50)


def peak_rss_mb() -> float:
    """This process's resident-set high-water mark in MiB (getrusage; KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float:
    """Current resident set in MiB (psutil when installed, else the high-water mark)."""
    try:
        import psutil
    except ImportError:
        return peak_rss_mb()
    return psutil.Process().memory_info().rss / (1024 * 1024)
