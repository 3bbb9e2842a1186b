"""Post-OCR corrections: spacing, half-width punctuation, confusable characters, decimal points.

Every edit is recorded on the line (``raw_text`` + ``corrections``) so users can see and undo it,
and the whole step can be switched off (``RapidOcrOptions.postprocess=False``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from vlocr.ocr.confusables import DIGITISH, TO_DIGIT, fix_token, split_camel
from vlocr.ocr.spacing import Glyph, is_cjk, respace
from vlocr.results import Correction, OcrLine, OcrWord

# full-width / CJK punctuation and their half-width forms, used in Latin context only
_CJK_PUNCT = {
    "×": "x",
    "。": ".",
    "、": ",",
    "「": '"',
    "」": '"',
    "『": '"',
    "』": '"',
    "【": "[",
    "】": "]",
    "〜": "~",
    "　": " ",
}


def _width_target(ch: str) -> str | None:
    if ch in _CJK_PUNCT:
        return _CJK_PUNCT[ch]
    if 0xFF01 <= ord(ch) <= 0xFF5E:
        return unicodedata.normalize("NFKC", ch)
    return None


def _is_han(ch: str) -> bool:
    return is_cjk(ch) and _width_target(ch) is None


def half_width(text: str) -> str:
    """Full-width punctuation, digits and letters -> ASCII in Latin text. In a line holding Chinese
    characters punctuation stays as printed, and full-width letters/digits change only when
    neither neighbour is a Chinese character."""
    out = list(text)
    chinese = any(_is_han(c) for c in text)
    for i, ch in enumerate(text):
        target = _width_target(ch)
        if target is None or (chinese and not target.isalnum()):
            continue
        prev = next(
            (c for c in reversed(text[:i]) if not c.isspace() and _width_target(c) is None), ""
        )
        nxt = next((c for c in text[i + 1 :] if not c.isspace() and _width_target(c) is None), "")
        if not (prev and _is_han(prev)) and not (nxt and _is_han(nxt)):
            out[i] = target
    return "".join(out)


def _token_edits(before: str, after: str, kind: str) -> list[Correction]:
    """One correction per changed whitespace token (or the whole line when tokens moved)."""
    if before == after:
        return []
    b, a = before.split(), after.split()
    if len(a) == len(b):
        return [
            Correction(kind=kind, original=x, corrected=y)
            for x, y in zip(b, a, strict=True)
            if x != y
        ]
    if kind == "spacing":
        return _spacing_edits(b, a)
    return [Correction(kind=kind, original=before, corrected=after)]


def _spacing_edits(before: list[str], after: list[str]) -> list[Correction]:
    """Pair each original token with the run of new tokens it was split into."""
    edits = []
    j = 0
    for tok in before:
        parts = []
        acc = ""
        while j < len(after) and len(acc) < len(tok):
            acc += after[j]
            parts.append(after[j])
            j += 1
        if len(parts) > 1:
            edits.append(Correction(kind="spacing", original=tok, corrected=" ".join(parts)))
    return edits


# words after which a lone 0 is a count, not the letter O ("TOTAL 0 ITEMS", "TABLE 0 A")
_COUNT_WORDS = {
    "TOTAL",
    "QTY",
    "ITEMS",
    "ITEM",
    "NO",
    "ROOM",
    "TABLE",
    "LEVEL",
    "POS",
    "LOT",
    "UNIT",
    "PAX",
}


def fix_tokens(text: str) -> str:
    """Confusable fixes token by token, plus a lone '0' between two words ("TEH 0 ICE")."""
    parts = re.split(r"(\s+)", text)
    words = [fix_token(p) if p and not p.isspace() else p for p in parts]
    idx = [i for i, p in enumerate(words) if p and not p.isspace()]
    for k, i in enumerate(idx):
        if words[i] == "0" and 0 < k < len(idx) - 1:
            left, right = words[idx[k - 1]], words[idx[k + 1]]
            if (
                left.isalpha()
                and left not in _COUNT_WORDS
                and right.isalpha()
                and left.isupper()
                and right.isupper()
                and len(left) > 1
                and len(right) > 1
            ):
                words[i] = "O"
    _fix_digit_groups(words, idx)
    _fix_title_case_l(words, idx)
    return "".join(words)


def _fix_title_case_l(words: list[str], idx: list[int]) -> None:
    """In mixed-case prose, 'I' inside a capitalised word is an 'l' ("AII" -> "All",
    "WiII" -> "Will"); lines in capitals are left alone."""
    letters = [c for i in idx for c in words[i] if c.isalpha()]
    if len(letters) < 8 or sum(c.islower() for c in letters) < 0.5 * len(letters):
        return
    for i in idx:
        m = re.fullmatch(r"([A-Z])([a-zI]*I[a-zI]*)([.,;:!?]*)", words[i])
        if m and len(m.group(2)) >= 2:
            words[i] = m.group(1) + m.group(2).replace("I", "l") + m.group(3)


def _fix_digit_groups(words: list[str], idx: list[int]) -> None:
    """Card and account numbers printed in groups ("4l23 4567 89O1 2345"): three or more
    neighbouring groups of 4 digit-like characters, each with 2+ real digits, are all digits."""
    group = re.compile(rf"^{DIGITISH}{{4}}$")
    run: list[int] = []
    for i in [*idx, -1]:
        ok = i >= 0 and bool(group.match(words[i])) and sum(c.isdigit() for c in words[i]) >= 2
        if ok:
            run.append(i)
            continue
        if len(run) >= 3:
            for j in run:
                words[j] = "".join(TO_DIGIT.get(c, c) for c in words[j])
        run = []


def correct_text(text: str, *, spaced_by_geometry: bool = False) -> tuple[str, list[Correction]]:
    """Width, confusable and (when geometry did not already decide) camel-case spacing fixes."""
    corrections: list[Correction] = []
    current = text
    step = half_width(current)
    corrections += _token_edits(current, step, "width")
    current = step
    step = fix_tokens(current)
    corrections += _token_edits(current, step, "confusable")
    current = step
    if not spaced_by_geometry and not any(is_cjk(c) for c in current):
        step = " ".join(split_camel(tok) for tok in current.split(" "))
        corrections += _token_edits(current, step, "spacing")
        current = step
    return current, corrections


# ---- lines from the pipeline -----------------------------------------------------------------


def _crop_to_image(
    box: np.ndarray, crop_w: int, x: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    t = min(max(x / max(crop_w, 1), 0.0), 1.0)
    top = box[0] + (box[1] - box[0]) * t
    bottom = box[3] + (box[2] - box[3]) * t
    return (float(top[0]), float(top[1])), (float(bottom[0]), float(bottom[1]))


def word_boxes(
    text: str, glyphs: Sequence[Glyph], box: np.ndarray, crop_w: int, confs: Sequence[float]
) -> list[OcrWord] | None:
    """Words of a spaced line with boxes from their glyphs' crop positions; None when the text
    no longer lines up with the glyphs one-to-one."""
    solid = [i for i, g in enumerate(glyphs) if not g.char.isspace()]
    if len(text.replace(" ", "")) != len(solid):
        return None
    words: list[OcrWord] = []
    k = 0
    for token in text.split():
        ids = solid[k : k + len(token)]
        k += len(token)
        x0 = glyphs[ids[0]].x0
        x1 = glyphs[ids[-1]].x1
        tl, bl = _crop_to_image(box, crop_w, x0)
        tr, br = _crop_to_image(box, crop_w, x1)
        conf = float(min(confs[i] for i in ids)) if confs else None
        words.append(OcrWord(text=token, box=[tl, tr, br, bl], confidence=conf))
    return words


def build_line(
    text: str,
    box: np.ndarray,
    confidence: float,
    glyphs: Sequence[Glyph] | None = None,
    confs: Sequence[float] | None = None,
    ink: np.ndarray | None = None,
    height: float | None = None,
    crop_width: int = 0,
    *,
    crop_box: np.ndarray | None = None,
    postprocess: bool = True,
) -> OcrLine:
    """Turn a recognised box into an ``OcrLine``, applying and recording the corrections.
    Glyph x positions are along ``crop_box`` (the region that was cropped; ``box`` by default)."""
    from vlocr.ocr._common import to_quad

    raw = text
    corrections: list[Correction] = []
    upright = crop_width > 0 and glyphs is not None
    if postprocess and glyphs:
        spaced, inserted = respace(glyphs, ink, height)
        if spaced != text:
            if inserted:
                corrections += _spacing_edits(text.split(), spaced.split())
            if spaced.count(".") > text.count("."):  # a decimal point read as a space
                corrections.append(Correction(kind="decimal", original=text, corrected=spaced))
            text = spaced
    words = (
        word_boxes(text, glyphs, box if crop_box is None else crop_box, crop_width, confs or [])
        if upright and glyphs
        else None
    )
    if postprocess:
        text, more = correct_text(text, spaced_by_geometry=glyphs is not None)
        corrections += more
        if words is not None:
            tokens = text.split()
            if len(tokens) == len(words):
                for w, t in zip(words, tokens, strict=True):
                    w.text = t
            else:
                words = None
    return OcrLine(
        text=text,
        box=to_quad(box.tolist()),
        confidence=min(1.0, max(0.0, float(confidence))),
        raw_text=raw if text != raw else None,
        corrections=corrections,
        words=words,
    )


# ---- page level: decimal points ----------------------------------------------------------------

_AMOUNT_END = re.compile(r"(?:^|\s)(?:RM|\$)?\d{1,6}[.,]\d{2}$")
_BARE_END = re.compile(r"(?:^|(?<=\s))(?P<prefix>RM|\$)?(?P<digits>\d{3,6})$")
_AMOUNT_LABELS = re.compile(
    r"\b(TOTAL|SUBTOTAL|SUB TOTAL|AMOUNT|AMT|CASH|CHANGE|PRICE|TAX|GST|SST|ROUNDING|DISCOUNT|NETT|NET|DUE|PAID|BALANCE|RM)\b",
    re.IGNORECASE,
)


def _right(line: OcrLine) -> float:
    return max(p[0] for p in line.box)


def _height(line: OcrLine) -> float:
    ys = [p[1] for p in line.box]
    return max(ys) - min(ys)


def _mid_y(line: OcrLine) -> float:
    ys = [p[1] for p in line.box]
    return (max(ys) + min(ys)) / 2


def restore_decimals(lines: list[OcrLine]) -> list[OcrLine]:
    """'19300' -> '193.00' only where the page demands it: the number stands alone or after an
    amount label (TOTAL, CASH, RM, ...), ends its line, and either the same line already holds
    a 2-decimal amount or it sits in a right-aligned column with at least three 2-decimal
    amounts nearby and no other bare integer close above or below."""
    amounts = [ln for ln in lines if _AMOUNT_END.search(ln.text)]
    for line in lines:
        m = _BARE_END.search(line.text)
        if not m:
            continue
        label = line.text[: m.start()].strip()
        same_line = [t for t in label.split() if re.fullmatch(r"(?:RM|\$)?\d+[.,]\d{2}", t)]
        if label and not same_line and not _AMOUNT_LABELS.search(label):
            continue  # "APPR 637391", "TABLE 128": numbers that are not amounts
        h = max(_height(line), 1.0)
        tol = max(4.0, 0.8 * h)

        def aligned(
            other: OcrLine, rows: float, line: OcrLine = line, tol: float = tol, h: float = h
        ) -> bool:
            return (
                abs(_right(other) - _right(line)) <= tol
                and abs(_mid_y(other) - _mid_y(line)) <= rows * h
            )

        column = [a for a in amounts if a is not line and aligned(a, 12)]
        bare_near = [
            o for o in lines if o is not line and _BARE_END.search(o.text) and aligned(o, 4)
        ]
        if not ((len(column) >= 3 and not bare_near) or same_line):
            continue
        digits = m.group("digits")
        fixed_tok = (m.group("prefix") or "") + digits[:-2] + "." + digits[-2:]
        old_tok = m.group(0).strip()
        if line.raw_text is None:
            line.raw_text = line.text
        line.corrections.append(Correction(kind="decimal", original=old_tok, corrected=fixed_tok))
        line.text = line.text[: len(line.text) - len(old_tok)] + fixed_tok
        if line.words and line.words[-1].text == old_tok:
            line.words[-1].text = fixed_tok
    return lines


# On a page of Latin text, a box read as one or two CJK letters and nothing else is nearly always
# a mark the recogniser mistook: an asterisk ('米', '卫', '升'), a checkbox ('冈', '区'), a dash
# ('一'), a speck. On 192 dev pages (100 receipts, 70 forms, 22 books) 27 such lines, 25 of them
# read at confidence 0.30-0.87 (two lone asterisks at 0.91 and 0.96); a real CJK word is read at
# ~1.0. Such a line must reach this confidence to stay.
STRAY_MARK_MIN_CONFIDENCE = 0.95
STRAY_MARK_MAX_LETTERS = 2
LATIN_PAGE_MAX_CJK_SHARE = 0.05  # CJK characters / (ASCII letters + CJK characters) on the page


def _stray_mark(text: str) -> bool:
    core = [c for c in text if not c.isspace() and not unicodedata.category(c).startswith("P")]
    return 0 < len(core) <= STRAY_MARK_MAX_LETTERS and all(_is_han(c) for c in core)


def drop_stray_marks(lines: list[OcrLine]) -> list[OcrLine]:
    """The page's lines without the low-confidence lone CJK letters of a Latin page (see
    ``STRAY_MARK_MIN_CONFIDENCE``); pages with CJK text keep every line."""
    latin = sum(c.isascii() and c.isalpha() for ln in lines for c in ln.text)
    cjk = sum(_is_han(c) for ln in lines for c in ln.text)
    if latin == 0 or cjk > LATIN_PAGE_MAX_CJK_SHARE * (latin + cjk):
        return lines
    return [
        ln for ln in lines if ln.confidence >= STRAY_MARK_MIN_CONFIDENCE or not _stray_mark(ln.text)
    ]
