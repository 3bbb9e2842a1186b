"""Metrics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from vlocr.eval.reading import metrics as m


def test_normalize_nfkc_full_width_and_whitespace() -> None:
    assert m.normalize("ＡＢＣ　１２３：\n\t x  y ") == "ABC 123: x y"
    assert m.normalize("Total") != m.normalize("TOTAL")
    assert m.normalize("Total", casefold=True) == m.normalize("TOTAL", casefold=True)


@pytest.mark.parametrize(
    ("ref", "hyp", "expected"),
    [
        ("abcd", "abcd", 0.0),
        ("abcd", "abxd", 0.25),  # 1 substitution / 4
        ("abcd", "abd", 0.25),  # 1 deletion
        ("abcd", "abcde", 0.25),  # 1 insertion
        ("abcd", "xbcdyz", 0.75),  # 1 substitution + 2 insertions
        ("ab cd", "abcd", 0.2),  # the space is a character of the reference
        ("ab\ncd", "ab   cd", 0.0),  # line breaks and space runs normalise to one space
        ("合计金额", "合汁金额", 0.25),
        ("ＴＯＴＡＬ １２．５０", "TOTAL 12.50", 0.0),  # full width equals half width after NFKC
        ("ab", "abcdef", 2.0),  # CER can exceed 1
    ],
)
def test_cer(ref: str, hyp: str, expected: float) -> None:
    assert m.cer(ref, hyp) == pytest.approx(expected)


def test_empty_reference_and_hypothesis() -> None:
    assert m.cer("", "") == 0.0
    assert m.cer("  \n", "") == 0.0
    assert m.cer("", "x") == 1.0
    assert m.cer("abc", "") == 1.0
    assert m.wer("", "") == 0.0
    assert m.wer("", "word") == 1.0
    assert m.word_prf("", "") == (1.0, 1.0, 1.0)
    assert m.word_prf("a b", "") == (0.0, 0.0, 0.0)


def test_words_split_cjk_per_character() -> None:
    assert m.words("地址：北京市 Room 301") == ["地", "址", ":", "北", "京", "市", "Room", "301"]
    assert m.words("Wi-Fi 无线ABC网") == ["Wi-Fi", "无", "线", "ABC", "网"]


def test_wer() -> None:
    assert m.wer("the total is 12.50", "the total is 12.80") == pytest.approx(0.25)
    assert m.wer("the total is 12.50", "the totalis 12.50") == pytest.approx(0.5)  # 1 sub + 1 del
    assert m.wer("合计金额", "合计金") == pytest.approx(0.25)


def test_word_prf_counts_multiplicity() -> None:
    p, r, f = m.word_prf("a a b c", "a b b")
    # matched: a (min 2,1 = 1) + b (min 1,2 = 1) = 2; precision 2/3, recall 2/4
    assert p == pytest.approx(2 / 3)
    assert r == pytest.approx(0.5)
    assert f == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_line_prf_greedy_one_to_one() -> None:
    refs = ["TOTAL 12.50", "Subtotal 11.00", "Thank you"]
    hyps = ["TOTAL 12.50", "TOTAL 12.50", "Subtota1 11.00", "garbage"]
    p, r, _ = m.line_prf(refs, hyps)
    # "TOTAL 12.50" matches once only; "Subtota1 11.00" has CER 1/14 <= 0.2
    assert r == pytest.approx(2 / 3)
    assert p == pytest.approx(2 / 4)
    # one edit in 5 characters (0.2) still matches; two do not
    assert m.line_prf(["abcde"], ["abcdx"])[1] == 1.0
    assert m.line_prf(["abcde"], ["abcxy"])[1] == 0.0


def test_field_hits_and_bag_recall() -> None:
    hits = m.field_hits(
        {"total": "12.50", "date": "2024-03-15", "shop": "ＡＣＭＥ"},
        "ACME store\nTOTAL 12.50\n2024-03-16",
    )
    assert hits == {"total": True, "date": False, "shop": True}
    assert m.bag_recall("ab cd", "dcba") == 1.0  # order and spaces ignored
    assert m.bag_recall("aab", "ab") == pytest.approx(2 / 3)
    assert m.bag_recall("one two two", "two one", unit="word") == pytest.approx(2 / 3)


def test_score_text_micro_counts() -> None:
    s = m.score_text("TOTAL 12.50", "T0TAL 12.50", fields={"total": "12.50"})
    assert (s.char_distance, s.ref_chars) == (1, 11)
    assert s.cer == pytest.approx(1 / 11)
    assert (s.word_distance, s.ref_words) == (1, 2)
    assert (s.fields_found, s.fields_total) == (1, 1)


def test_percentiles() -> None:
    assert m.median([3, 1, 2]) == 2
    assert m.percentile([1, 2, 3, 4], 50) == 2.5
    assert m.percentile([0, 10], 95) == pytest.approx(9.5)
    assert math.isnan(m.median([]))
    assert m.peak_rss_mb() > 10


def test_char_f1_is_order_free_but_order_cer_is_not() -> None:
    left = "The first column reads down here"
    right = "and the second column follows it"
    page = f"{left}\n{right}"
    interleaved = "The first column and the second\nreads down here column follows it"
    assert m.char_prf(page, interleaved)[2] == pytest.approx(1.0)
    assert m.word_prf(page, interleaved)[2] == pytest.approx(1.0)
    assert m.order_cer(page, interleaved) > 0.3
    # line breaks and spacing do not count against the reading order
    assert (
        m.order_cer(page, "The first column reads\ndown here and the second column follows it") == 0
    )
    assert m.order_cer("合计 12.50", "合 计12.50") == 0


def test_score_text_orders_against_page_text_and_casefolds() -> None:
    scores = m.score_text("B\nA", "A\nB", page_text="A\nB")
    assert scores.order_cer == 0 and scores.cer > 0
    upper = m.score_text("TOTAL RM 12.50", "Total RM 12.50", casefold=True)
    assert upper.word_f1 == 1 and upper.char_f1 == 1 and upper.cer == 0
    assert m.score_text("TOTAL RM 12.50", "Total RM 12.50").word_f1 < 1
