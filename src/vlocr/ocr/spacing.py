"""Putting back spaces the recogniser dropped, from where the characters actually sit.

The CTC decoder tells, for each emitted character, which columns of the text crop it came from.
Between two neighbouring Latin/digit characters we look at the crop's ink between their centres:
a blank stretch wider than a fraction of the text height is a word gap, a narrow one is the space
between letters. When no ink profile is available, the distance between character centres
relative to the line's median pitch decides. CJK characters never gain spaces.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Measured on rendered receipts (pairs the recogniser itself spaced = words): all three together
# find ~95% of word gaps and split ~1 in 4000 letter pairs by mistake.
GAP_OF_TEXT_HEIGHT = 0.45  # blank run / text height
GAP_OF_TEXT_HEIGHT_ONE = 0.5  # next to a '1' (a narrow glyph in a wide digit cell)
GAP_OF_MEDIAN_GAP = 2.5  # blank run / the line's median blank run between letters
# CTC timing: centre distance / the line's median centre distance. Glyphs open on their right
# ('L', 'T', '1', ...) leave blank columns without a space, so they need the timing to agree;
# elsewhere the timing only vetoes characters closer than usual (a missing space took no column).
PITCH_OF_MEDIAN = 0.99
PITCH_OF_MEDIAN_OPEN_RIGHT = 1.2
OPEN_RIGHT = set("LTFPY17rf")
# After such a letter (not a digit) the blank must also be this much wider than elsewhere, as
# the timing is one CTC column coarse ("WHOL EMEAL", "PROPERL Y", "CL ASS" on receipts and
# forms). 1.3 mended 10 such words in 192 dev pages (100 receipts, 70 forms, 22 book pages),
# joined none that should stay apart.
GAP_OPEN_RIGHT = 1.3
PITCH_RATIO = 1.8  # centre distance / median pitch, when there is no ink profile
# Narrow letters sit in wide blank cells in the monospaced print of receipts, so the blank next to
# them looks like a word gap ("requi red", "Sl ip"): beside one, the timing must show a gap too.
# Not punctuation: after '.', ',' or ':' a space is the rule ("b. u. t." on a book page lost its
# spaces when they were in this set).
NARROW = set("iIl1j|")
_SPACE_AFTER = set(".,;:!?")  # ... and a narrow letter after these keeps the usual rule
PITCH_OF_MEDIAN_NARROW = 1.5
# Where the recogniser itself put spaces in the line, those show how wide this line's word gaps
# are: a space is only added where the blank is at least this fraction of the narrowest of them
# (letter-spaced print has wide blanks between letters, and wider ones between words).
GAP_OF_OWN_SPACES = 0.75
# On dot-matrix receipts the recogniser reads a faint decimal point as a space ("0 80" for
# 0.80). A space between digits, followed by exactly two digits, over a lone small ink blob
# (at most this fraction of the text height tall in ink and wide) is that point.
POINT_OF_HEIGHT = 0.4
# A letter with no ink within this fraction of the text height of its centre was too faint for
# the crop's one threshold ("inp u t" in a faded word beside dark ones): no space is added
# beside it (same 192 pages: 10 words mended, 2 spaces after "." or "_" lost).
UNSEEN_REACH = 0.33
HAN_HEIGHT_FACTOR = 0.65  # Latin/digit height relative to Han characters on mixed lines
_NO_SPACE_BEFORE = set(".,;:%)]}!?'\"")
_NO_SPACE_AFTER = set("([{'\"$#")
_NUMBER_SEPARATORS = set(".,:/-")


def is_cjk(ch: str) -> bool:
    """Han, kana, hangul, CJK punctuation and full-width forms: scripts written without spaces."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
        or 0xFE30 <= code <= 0xFE4F
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x2FFFF
    )


@dataclass
class Glyph:
    """What spacing needs to know about one decoded character: text and crop x-range."""

    char: str
    x0: float
    x1: float

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2


def text_height(mask_rows: np.ndarray) -> float:
    """Height of the band of rows holding most of the ink (cap or x height plus strokes)."""
    if mask_rows.size == 0 or mask_rows.max() <= 0:
        return float(len(mask_rows))
    rows = np.nonzero(mask_rows > 0.08 * mask_rows.max())[0]
    return float(rows[-1] - rows[0] + 1) if len(rows) else float(len(mask_rows))


def blank_span(
    ink: np.ndarray, lo: float, hi: float, floor: int, rule: float = 0.0
) -> tuple[int, int]:
    """The longest run of columns in [lo, hi) with at most ``floor`` inked pixels, as (start,
    end). Inked runs at most ``rule`` columns wide inside it count as blank (a column rule, a
    speck between two letters the recogniser read)."""
    a, b = max(0, int(round(lo))), min(len(ink), int(round(hi)))
    if b <= a:
        return a, a
    blank = ink[a:b] <= floor
    if rule > 0:
        inked = np.flatnonzero(~blank)
        for run in np.split(inked, np.flatnonzero(np.diff(inked) > 1) + 1) if len(inked) else []:
            if len(run) <= rule and run[0] > 0 and run[-1] < len(blank) - 1:
                blank[run] = True
    best = (a, a)
    run_start = None
    for x, ok in enumerate([*blank, False]):
        if ok and run_start is None:
            run_start = x
        elif not ok and run_start is not None:
            if x - run_start > best[1] - best[0]:
                best = (a + run_start, a + x)
            run_start = None
    return best


def longest_blank(ink: np.ndarray, lo: float, hi: float, floor: int) -> int:
    """Length of the longest run of columns in [lo, hi) whose ink is at most ``floor`` pixels."""
    start, end = blank_span(ink, lo, hi, floor)
    return end - start


def _protected(text: Sequence[str], i: int) -> bool:
    """Pairs that never split: inside numbers ('1.50', '09:15', '15/01'), before closing
    punctuation, after opening brackets or currency signs, around '-' and '/'."""
    a, b = text[i], text[i + 1]
    if b in _NO_SPACE_BEFORE or a in _NO_SPACE_AFTER:
        return True
    if not a.isalnum() and i > 0 and is_cjk(text[i - 1]):
        return True  # "日期:2025": punctuation after Chinese stays glued, as in Chinese typesetting
    if a in _NUMBER_SEPARATORS and b.isdigit() and i > 0 and text[i - 1].isdigit():
        return True
    if b in _NUMBER_SEPARATORS and a.isdigit():
        return True
    return a in "-/" or b in "-/"


def _latin(ch: str) -> bool:
    return not ch.isspace() and not is_cjk(ch) and unicodedata.category(ch)[0] in "LNPS"


def respace(
    glyphs: Sequence[Glyph],
    ink: np.ndarray | None = None,
    height: float | None = None,
    *,
    gap_ratio: float = GAP_OF_TEXT_HEIGHT,
    pitch_ratio: float = PITCH_RATIO,
) -> tuple[str, list[int]]:
    """Text of ``glyphs`` with spaces inserted at word gaps; also the glyph indexes that got a
    space before them. Spaces the recogniser emitted are kept."""
    chars = [g.char for g in glyphs]
    solid = [i for i, c in enumerate(chars) if not c.isspace()]
    adjacent = [(i, j) for i, j in zip(solid, solid[1:], strict=False) if j == i + 1]
    pitches = [glyphs[j].center - glyphs[i].center for i, j in adjacent]
    median_pitch = float(np.median(pitches)) if pitches else 0.0
    use_ink = ink is not None and bool(height)
    floor = max(1, int(round(0.05 * (height or 0))))
    gaps: dict[int, int] = {}
    if use_ink:
        assert ink is not None
        gaps = {
            i: longest_blank(ink, glyphs[i].center, glyphs[j].center, floor) for i, j in adjacent
        }
    median_gap = max(1.0, float(np.median(list(gaps.values())))) if gaps else 1.0
    own_gap = _own_word_gap(chars, glyphs, ink, floor) if use_ink else None
    if any(is_cjk(c) for c in chars):
        gap_ratio *= (
            HAN_HEIGHT_FACTOR  # the measured height is a Han character's, taller than Latin
        )
    inserted: list[int] = []
    for i, j in adjacent:
        a, b = glyphs[i], glyphs[j]
        if not (_latin(a.char) and _latin(b.char)) or _protected(chars, i):
            continue
        distance = b.center - a.center
        if use_ink and (_unseen(a, ink, height, floor) or _unseen(b, ink, height, floor)):
            # faint print (a faded dot-matrix word beside dark ones): the crop's one threshold
            # left this letter out of the ink, so the blank beside it is not a gap, and the
            # recogniser's timing alone split words at line ends ("agen t"): leave it unspaced
            split = False
        elif use_ink:
            assert height
            gap = gaps[i]
            need = gap_ratio * (
                GAP_OF_TEXT_HEIGHT_ONE / GAP_OF_TEXT_HEIGHT if "1" in (a.char, b.char) else 1.0
            )
            if a.char in OPEN_RIGHT and a.char.isalpha():
                need *= GAP_OPEN_RIGHT
            pitch_need = PITCH_OF_MEDIAN_OPEN_RIGHT if a.char in OPEN_RIGHT else PITCH_OF_MEDIAN
            if (a.char in NARROW or b.char in NARROW) and a.char not in _SPACE_AFTER:
                pitch_need = PITCH_OF_MEDIAN_NARROW
            split = (
                gap >= need * height
                and gap >= GAP_OF_MEDIAN_GAP * median_gap
                and distance >= pitch_need * median_pitch
                and (own_gap is None or gap >= GAP_OF_OWN_SPACES * own_gap)
            )
        else:
            split = median_pitch > 0 and distance >= pitch_ratio * median_pitch
        if split:
            inserted.append(j)
    points = set()
    if use_ink:
        assert ink is not None and height
        points = {k for k in range(1, len(chars) - 1) if _is_point(chars, glyphs, k, ink, height)}
    out = []
    marks = set(inserted)
    for idx, c in enumerate(chars):
        if idx in marks:
            out.append(" ")
        out.append("." if idx in points else c)
    return "".join(out), inserted


def _unseen(glyph: Glyph, ink: np.ndarray | None, height: float | None, floor: int) -> bool:
    """No ink within a third of the text height of the glyph's centre: the recogniser read a
    letter there that the ink profile's threshold did not keep."""
    if ink is None or not height:
        return False
    a = max(0, int(round(glyph.center - UNSEEN_REACH * height)))
    b = min(len(ink), int(round(glyph.center + UNSEEN_REACH * height)) + 1)
    return b > a and int(ink[a:b].max()) <= floor


def _own_word_gap(
    chars: Sequence[str], glyphs: Sequence[Glyph], ink: np.ndarray | None, floor: int
) -> float | None:
    """The narrowest ink blank at the spaces the recogniser emitted between two Latin-script
    characters (letters, digits, punctuation), when it emitted at least two; else None."""
    if ink is None:
        return None
    blanks = [
        longest_blank(ink, glyphs[k - 1].center, glyphs[k + 1].center, floor)
        for k in range(1, len(chars) - 1)
        if chars[k] == " " and _latin(chars[k - 1]) and _latin(chars[k + 1])
    ]
    return float(min(blanks)) if len(blanks) >= 2 else None


def _is_point(
    chars: Sequence[str], glyphs: Sequence[Glyph], k: int, ink: np.ndarray, height: float
) -> bool:
    """Is the space at ``k`` a decimal point the recogniser missed ("0 80" -> "0.80")? Digits
    on both sides, exactly two digits after, and between the digits' ink one small ink blob."""
    tail = "".join(chars[k + 1 : k + 4])
    if chars[k] != " " or not chars[k - 1].isdigit() or not tail[:2].isdigit() or len(tail) < 2:
        return False
    if len(tail) == 3 and tail[2].isalnum():
        return False
    # CTC columns lag the ink: start a little before the left digit's columns
    a = int(round(min(glyphs[k - 1].x0, glyphs[k - 1].center - 0.3 * height)))
    b = int(round(glyphs[k + 1].center))
    cols = ink[max(0, a) : max(0, b)]
    if len(cols) < 3:
        return False
    inked = np.flatnonzero(cols > 0)
    # runs of inked columns: the first belongs to the left digit, the last to the right one
    runs = np.split(inked, np.flatnonzero(np.diff(inked) > 1) + 1) if len(inked) else []
    if len(runs) != 3:
        return False
    blob = runs[1]
    return (
        len(blob) <= POINT_OF_HEIGHT * height and int(cols[blob].max()) <= POINT_OF_HEIGHT * height
    )
