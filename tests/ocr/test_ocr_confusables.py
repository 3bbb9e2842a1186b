"""Confusable-character rules on single tokens and constructed lines (pure functions)."""

from __future__ import annotations

import pytest

from vlocr.ocr.confusables import fix_token, split_camel
from vlocr.ocr.postprocess import correct_text, half_width


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("RM1O.5O", "RM10.50"),
        ("193.c0", "193.00"),
        ("15/0l/2019", "15/01/2019"),
        ("2O/O1/2019", "20/01/2019"),
        ("1O:3O", "10:30"),
        ("14:O5:22", "14:05:22"),
        ("O3-7865", "03-7865"),
        ("0O1922121676", "001922121676"),
        ("2O19", "2019"),
        ("INV0ICE", "INVOICE"),
        ("S0AP", "SOAP"),
        ("0IL", "OIL"),
        ("VlSA", "VISA"),
        ("Leve1", "Level"),
        ("N0:", "NO:"),
        ("N00DLE", "NOODLE"),
        ("SOL0", "SOLO"),
        ("B00K,", "BOOK,"),
    ],
)
def test_fix_token_repairs(token: str, expected: str) -> None:
    assert fix_token(token) == expected


@pytest.mark.parametrize(
    "token",
    [
        "OIL",
        "SOLO",
        "BOB",
        "S$5",
        "10W-40",
        "3S",
        "1KG",
        "10S",
        "CS83960310",
        "SS21/39",
        "782554-A",
        "10PM",
        "8AM",
        "1.5L",
        "(RM)",
        "NO.15,",
        "TOTAL1",
        "McDonald",
        "A4",
        "O",
        "0",
        "12.50",
        "RM5",
    ],
)
def test_fix_token_leaves_plausible_words(token: str) -> None:
    assert fix_token(token) == token


def test_chinese_tokens_untouched() -> None:
    for token in ["合计：1O.5O", "会员卡号：6225", "增值税普通发票"]:
        assert fix_token(token) == token


def test_tel_no_line() -> None:
    text, corrections = correct_text("Te1N0.: 03-7865 4321")
    assert text == "Tel No.: 03-7865 4321"
    kinds = {c.kind for c in corrections}
    assert kinds == {"confusable", "spacing"}
    assert any(c.original == "Te1N0.:" and c.corrected == "TelNo.:" for c in corrections)


def test_camel_split_keeps_short_prefixes() -> None:
    assert split_camel("GerbangAlafRestaurants") == "Gerbang Alaf Restaurants"
    assert split_camel("SdnBhd") == "Sdn Bhd"
    assert split_camel("McDonald") == "McDonald"


def test_mixed_line_fixes_only_latin_tokens() -> None:
    text, corrections = correct_text("合计 RM1O.5O 日期 15/0l/2019")
    assert text == "合计 RM10.50 日期 15/01/2019"
    assert [(c.original, c.corrected) for c in corrections] == [
        ("RM1O.5O", "RM10.50"),
        ("15/0l/2019", "15/01/2019"),
    ]


def test_chinese_line_unchanged() -> None:
    line = "北京市朝阳区建国路88号，电话：010-12345678。"
    text, corrections = correct_text(line)
    assert text == line
    assert corrections == []


def test_lone_zero_between_words_is_letter() -> None:
    text, _ = correct_text("1 X TEH 0 ICE")
    assert text == "1 X TEH O ICE"
    assert correct_text("FILLET 0 FISH")[0] == "FILLET O FISH"
    assert correct_text("TOTAL 0 ITEMS")[0] == "TOTAL 0 ITEMS"  # a count
    assert correct_text("ROUNDING 0.00")[0] == "ROUNDING 0.00"


def test_half_width_in_latin_only() -> None:
    assert half_width("TOTAL：RM10.50（CASH）") == "TOTAL:RM10.50(CASH)"
    assert half_width("金额：人民币") == "金额：人民币"
    assert half_width("开票日期：2019年") == "开票日期：2019年"
    text, corrections = correct_text("TEL NO．：03－1234")
    assert text == "TEL NO.:03-1234"
    assert corrections and corrections[0].kind == "width"


def test_card_number_groups() -> None:
    text, corrections = correct_text("CARD NO: O123 4l56 78B9 0S12")
    assert text == "CARD NO: 0123 4156 7889 0512"
    assert {c.kind for c in corrections} == {"confusable"}
    # two groups are not enough evidence ("SOLO 2019" stays)
    assert correct_text("SOLO OIL 2019")[0] == "SOLO OIL 2019"
    assert correct_text("VISA **** **** **** 2271")[0] == "VISA **** **** **** 2271"


def test_title_case_capital_i_in_prose() -> None:
    assert (
        correct_text("AII prices include tax and WiII be refunded.")[0]
        == "All prices include tax and Will be refunded."
    )
    assert correct_text("ALL PRICES INCLUDE TAX AII")[0] == "ALL PRICES INCLUDE TAX AII"
    assert correct_text("Items I bought today are fine")[0] == "Items I bought today are fine"
