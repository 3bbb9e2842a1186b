"""Spacing from character positions, recorded corrections, decimal points on a page."""

from __future__ import annotations

import numpy as np

from vlocr.ocr.postprocess import build_line, drop_stray_marks, restore_decimals
from vlocr.ocr.spacing import Glyph, respace
from vlocr.results import OcrLine


def _glyphs(
    text: str, gaps: dict[int, float], pitch: float = 10.0, ink_w: float = 8.0
) -> tuple[list[Glyph], np.ndarray]:
    """Glyphs every ``pitch`` px with ``ink_w`` px of ink; ``gaps[i]`` px of blank before glyph i."""
    glyphs, x = [], 0.0
    ink = np.zeros(int(len(text) * pitch + sum(gaps.values()) + 10), np.int32)
    for i, ch in enumerate(text):
        x += gaps.get(i, 0.0)
        glyphs.append(Glyph(ch, x, x + pitch))
        ink[int(x + 1) : int(x + 1 + ink_w)] = 5
        x += pitch
    return glyphs, ink


def test_gap_in_ink_becomes_space() -> None:
    glyphs, ink = _glyphs("DATE:15/01/2019", {5: 12.0})
    text, inserted = respace(glyphs, ink, height=20.0)
    assert text == "DATE: 15/01/2019"
    assert inserted == [5]


def test_letter_gaps_stay_joined() -> None:
    glyphs, ink = _glyphs("PETALING", {})
    assert respace(glyphs, ink, height=20.0)[0] == "PETALING"


def test_cjk_never_gains_spaces() -> None:
    glyphs, ink = _glyphs("北京市朝阳区", {2: 30.0, 4: 30.0})
    assert respace(glyphs, ink, height=20.0)[0] == "北京市朝阳区"


def test_numbers_are_not_split_at_separators() -> None:
    glyphs, ink = _glyphs("12.50", {2: 15.0, 3: 15.0})
    assert respace(glyphs, ink, height=20.0)[0] == "12.50"


def test_pitch_fallback_without_ink() -> None:
    glyphs, _ = _glyphs("SDNBHD", {3: 20.0})
    assert respace(glyphs, None, None)[0] == "SDN BHD"


def _cells(
    text: str, widths: dict[str, float], cell: float = 10.0
) -> tuple[list[Glyph], np.ndarray]:
    """Monospaced print: every character (a space too) in a ``cell`` px cell, its ink centred
    and ``widths.get(ch, 8)`` px wide."""
    glyphs, ink = [], np.zeros(int(len(text) * cell + 10), np.int32)
    for i, ch in enumerate(text):
        x = i * cell
        glyphs.append(Glyph(ch, x, x + cell))
        if ch != " ":
            w = widths.get(ch, 8.0)
            ink[int(x + (cell - w) / 2) : int(x + (cell + w) / 2)] = 5
    return glyphs, ink


def test_narrow_letters_in_monospaced_print_stay_in_their_word() -> None:
    narrow = {"l": 2.0, "i": 2.0}
    glyphs, ink = _cells("SlipNUMBERS", narrow)
    # the blank between 'l' and 'i' is 8 px, four times the 2 px between wide letters, but the
    # letters are one cell apart: no word gap ("Sl ipNUMBERS" before)
    assert respace(glyphs, ink, height=12.0)[0] == "SlipNUMBERS"
    # a dropped space costs a whole cell: that gap is a word gap even beside a narrow letter
    glyphs, ink = _cells("Slip NUMBERS", narrow)
    solid = [g for g in glyphs if g.char != " "]
    assert respace(solid, ink, height=12.0)[0] == "Slip NUMBERS"
    # punctuation is narrow too, but a space after it is the rule: the timing need not agree
    glyphs, ink = _glyphs("b.u.t.i.", {2: 4.0, 4: 4.0, 6: 4.0})  # 1.4 pitches apart
    assert respace(glyphs, ink, height=12.0)[0] == "b. u. t. i."


def test_the_recognisers_own_spaces_set_the_word_gap_of_the_line() -> None:
    # letter-spaced print: 7 px between letters, 18 px inside "make" (2.5x the usual: a word gap
    # by the other rules), 29 px at the spaces the recogniser read, which sets the bar
    glyphs, ink = _glyphs("to make it", {3: 12.0, 5: 11.0, 8: 12.0}, ink_w=3.0)
    glyphs[2] = Glyph(" ", glyphs[2].x0, glyphs[2].x1)
    glyphs[7] = Glyph(" ", glyphs[7].x0, glyphs[7].x1)
    ink[int(glyphs[2].x0) : int(glyphs[2].x1) + 1] = 0
    ink[int(glyphs[7].x0) : int(glyphs[7].x1) + 1] = 0
    assert respace(glyphs, ink, height=12.0)[0] == "to make it"


def test_faint_letters_missing_from_the_ink_gain_no_spaces() -> None:
    # a faded dot-matrix word beside dark ones: the crop's threshold kept none of "input"'s ink,
    # so every blank inside it looked like a word gap ("in p u t tax" before)
    def line(faint_to: int) -> tuple[list[Glyph], np.ndarray]:
        glyphs, ink = _glyphs("input taxclaimsonthebasis", {9: 12.0, 15: 12.0, 17: 12.0, 20: 12.0})
        ink[int(glyphs[5].x0) : int(glyphs[6].x0)] = 0  # the space the recogniser read
        ink[: int(glyphs[faint_to].x1)] = 0
        return glyphs, ink

    assert respace(*line(4), height=14.0)[0] == "input tax claims on the basis"
    assert respace(*line(2), height=14.0)[0] == "input tax claims on the basis"  # "inp" faint
    # the same line fully inked: "input" is still one word
    glyphs, ink = _glyphs("input taxclaimsonthebasis", {9: 12.0, 15: 12.0, 17: 12.0, 20: 12.0})
    ink[int(glyphs[5].x0) : int(glyphs[6].x0)] = 0
    assert respace(glyphs, ink, height=14.0)[0] == "input tax claims on the basis"


def test_a_letter_open_on_its_right_needs_a_wider_gap() -> None:
    # 'L' leaves blank columns in its own cell: 7 px after it (0.5 of the text height, a word
    # gap after a closed letter) and one CTC column late is not a space ("WHOL EMEAL")
    glyphs, ink = _glyphs("WHOLEMEAL", {4: 5.0}, ink_w=8.0)
    assert respace(glyphs, ink, height=14.0)[0] == "WHOLEMEAL"
    glyphs, ink = _glyphs("WHOAEMEAL", {4: 5.0}, ink_w=8.0)
    assert respace(glyphs, ink, height=14.0)[0] == "WHOA EMEAL"
    # a real word gap after it still splits
    glyphs, ink = _glyphs("TOTALDUE", {5: 12.0})
    assert respace(glyphs, ink, height=14.0)[0] == "TOTAL DUE"


def _box(w: float = 150.0) -> np.ndarray:
    return np.array([[10, 10], [10 + w, 10], [10 + w, 30], [10, 30]], np.float32)


def test_build_line_records_and_can_be_switched_off() -> None:
    glyphs, ink = _glyphs("TOTALRM1O.5O", {5: 12.0})
    width = int(glyphs[-1].x1)
    line = build_line(
        "TOTALRM1O.5O", _box(width), 0.9, glyphs, [0.9] * len(glyphs), ink, 20.0, width
    )
    assert line.text == "TOTAL RM10.50"
    assert line.raw_text == "TOTALRM1O.5O"
    assert [(c.kind, c.original, c.corrected) for c in line.corrections] == [
        ("spacing", "TOTALRM1O.5O", "TOTAL RM1O.5O"),
        ("confusable", "RM1O.5O", "RM10.50"),
    ]
    assert line.words is not None and [w.text for w in line.words] == ["TOTAL", "RM10.50"]
    assert line.words[0].box is not None and line.words[1].box is not None
    assert line.words[0].box[1][0] < line.words[1].box[0][0]  # TOTAL ends before the amount starts

    plain = build_line(
        "TOTALRM1O.5O",
        _box(width),
        0.9,
        glyphs,
        [0.9] * len(glyphs),
        ink,
        20.0,
        width,
        postprocess=False,
    )
    assert plain.text == "TOTALRM1O.5O"
    assert plain.raw_text is None and plain.corrections == []


def _line(text: str, right: float, y: float, confidence: float = 0.9) -> OcrLine:
    return OcrLine(
        text=text,
        box=[(right - 80, y), (right, y), (right, y + 20), (right - 80, y + 20)],
        confidence=confidence,
    )


def test_decimal_restored_in_amount_column() -> None:
    lines = [
        _line("12.50", 560, 100),
        _line("7.20", 560, 130),
        _line("19300", 560, 160),
        _line("3.00", 560, 190),
    ]
    restore_decimals(lines)
    assert lines[2].text == "193.00"
    assert lines[2].raw_text == "19300"
    assert lines[2].corrections[0].kind == "decimal"


def test_decimal_not_restored_without_support() -> None:
    lines = [_line("12.50", 560, 100), _line("19300", 560, 130)]
    restore_decimals(lines)
    assert lines[1].text == "19300"
    other = [
        _line("12.50", 560, 100),
        _line("7.20", 560, 130),
        _line("3.00", 560, 190),
        _line("APPR 637391", 560, 160),
    ]
    restore_decimals(other)
    assert other[3].text == "APPR 637391"


def test_decimal_restored_next_to_same_line_amount() -> None:
    lines = [_line("2 X 96.50 19300", 560, 100)]
    restore_decimals(lines)
    assert lines[0].text == "2 X 96.50 193.00"


def _amount(text: str, dot: bool) -> tuple[list[Glyph], np.ndarray]:
    """A dot-matrix amount where the recogniser emitted a space for the point: each glyph one
    14 px cell with 7 px of ink; the space's cell holds a 3 px point when ``dot``."""
    glyphs, ink = [], np.zeros(len(text) * 14 + 10, np.int32)
    for i, ch in enumerate(text):
        x = 5 + i * 14
        glyphs.append(Glyph(ch, x + 3, x + 10))  # CTC columns lag the ink a little
        if ch == " ":
            if dot:
                ink[x + 5 : x + 8] = 3
        else:
            ink[x : x + 7] = 12
    return glyphs, ink


def test_lost_decimal_point_is_restored() -> None:
    glyphs, ink = _amount("0 80", dot=True)
    assert respace(glyphs, ink, height=20.0)[0] == "0.80"
    glyphs, ink = _amount("TAX 6 40", dot=True)
    assert respace(glyphs, ink, height=20.0)[0] == "TAX 6.40"


def test_space_without_a_point_or_not_an_amount_stays() -> None:
    glyphs, ink = _amount("0 80", dot=False)
    assert respace(glyphs, ink, height=20.0)[0] == "0 80"
    glyphs, ink = _amount("21 530", dot=True)  # three digits after: not cents
    assert respace(glyphs, ink, height=20.0)[0] == "21 530"
    glyphs, ink = _amount("QTY 2 10X", dot=True)
    assert respace(glyphs, ink, height=20.0)[0] == "QTY 2 10X"


def test_restored_point_is_recorded_on_the_line() -> None:
    glyphs, ink = _amount("0 80", dot=True)
    box = np.array([[0, 0], [70, 0], [70, 20], [0, 20]], np.float32)
    line = build_line("0 80", box, 0.95, glyphs, [0.9] * 4, ink, 20.0, 70)
    assert line.text == "0.80"
    assert any(c.kind == "decimal" and c.corrected == "0.80" for c in line.corrections)


def test_lone_cjk_marks_on_a_latin_page_are_dropped_unless_read_surely() -> None:
    # a receipt's asterisks read as '米' / '升', a checkbox as '冈': low confidence, no other CJK
    items = ["WHOLEMEAL BREAD 3.20", "FRESH MILK 2L 6.50", "DISH SOAP 4.60", "TOMATO SAUCE 2.30"]
    page = [_line(text, 120, y=10 + 30 * k) for k, text in enumerate(items * 3)]
    page += [
        _line("TOTAL 12.50", 120, y=400),
        _line("CASH 20.00", 120, y=430),
        _line("米", 400, y=70, confidence=0.66),
        _line("冈 ", 420, y=100, confidence=0.48),
        _line("升一", 400, y=130, confidence=0.44),
        _line("福", 400, y=160, confidence=0.99),  # read surely: kept
        _line("x 2 米", 120, y=190, confidence=0.6),  # Latin beside it: kept
    ]
    kept = [ln.text for ln in drop_stray_marks(page)]
    assert kept[len(items) * 3 :] == ["TOTAL 12.50", "CASH 20.00", "福", "x 2 米"]
    # on a page with Chinese text the same lines are text
    chinese = [_line("合计金额 12.50", 120, y=10), _line("现金 20.00", 120, y=40)]
    chinese += [_line("米", 400, y=70, confidence=0.66)]
    assert [ln.text for ln in drop_stray_marks(chinese)] == ["合计金额 12.50", "现金 20.00", "米"]
