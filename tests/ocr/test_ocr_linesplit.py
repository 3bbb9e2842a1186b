"""Cutting a detected box at a blank far wider than a word space, and dropping letters the
detector read twice."""

from __future__ import annotations

import numpy as np

from vlocr.ocr.linesplit import drop_repeated_pieces, split_at_wide_gaps
from vlocr.ocr.ppocr_pipeline import CharSpan, RawLine

HEIGHT = 20.0


def _line(chars: str, xs: list[float], *, left: float = 100.0, top: float = 50.0) -> RawLine:
    """A box whose crop is 1:1 with the image from ``left``, letters 12 px wide at ``xs``."""
    width = int(max(xs) + 20)
    ink = np.zeros(width, np.int32)
    spans = []
    for ch, x in zip(chars, xs, strict=True):
        if ch != " ":
            ink[int(x) : int(x) + 12] = 15
        spans.append(CharSpan(ch, x, x + 12, 0.9))
    quad = np.array(
        [[left, top], [left + width, top], [left + width, top + 24], [left, top + 24]], np.float32
    )
    return RawLine(chars, 0.9, quad, quad.copy(), width, 24, spans, ink, HEIGHT)


def test_a_blank_wider_than_the_text_height_cuts_the_box() -> None:
    # "ab" then a 60 px blank (3x the text height), then "cd"
    line = _line("abcd", [0, 14, 86, 100])
    left, right = split_at_wide_gaps(line)
    assert (left.text, right.text) == ("ab", "cd")
    # each piece's box ends on its own ink, so the blank between them stays free
    assert left.box[:, 0].max() == 100 + 26
    assert right.box[:, 0].min() == 100 + 86
    assert [round(c.x0) for c in right.chars] == [0, 14]
    assert right.crop_width == line.crop_width - 86


def test_word_spaces_and_letter_spacing_do_not_cut() -> None:
    spaced = _line("ab cd", [0, 14, 26, 34, 48])  # an 8 px word space
    assert split_at_wide_gaps(spaced) == [spaced]
    tracked = _line("abcd", [0, 22, 44, 66])  # 10 px between letters: wide tracking
    assert split_at_wide_gaps(tracked) == [tracked]


def test_a_thin_rule_inside_the_blank_still_cuts() -> None:
    line = _line("abcd", [0, 14, 86, 100])
    line.ink[56:58] = 24  # a 2 px column rule, read as no letter
    assert [p.text for p in split_at_wide_gaps(line)] == ["ab", "cd"]
    line.ink[44:68] = 24  # a 24 px wide mark is ink, not a rule: the blanks left are too short
    assert len(split_at_wide_gaps(line)) == 1


def test_a_piece_repeating_the_next_box_is_dropped() -> None:
    # the left column's box reached over the first letter "c" of the right column's line
    joined = _line("abc", [0, 14, 86])
    right = _line("cdef", [0, 14, 28, 42], left=100 + 80)
    pieces = split_at_wide_gaps(joined)
    assert [p.text for p in pieces] == ["ab", "c"]
    kept = drop_repeated_pieces([*pieces, right], {0, 1})
    assert [k.text for k in kept] == ["ab", "cdef"]
    # a piece of text that no other line holds stays
    other = _line("xyz", [0, 14, 28], left=100 + 80)
    assert [k.text for k in drop_repeated_pieces([*pieces, other], {0, 1})] == ["ab", "c", "xyz"]
