"""The one grammar for amounts and dates (``vlocr/values.py``) and the modules that share it: the
field extractor, the answer's number checks, the JSON repair and the QA scoring agree."""

from __future__ import annotations

import pytest

from vlocr.values import find_amounts, find_dates, numbers_in, parse_amount


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("9/3/92", "1992-03-09"),  # issue 20: was 2092-03-09
        ("31/12/99", "1999-12-31"),
        ("01/01/69", "1969-01-01"),  # %y's pivot: 69 is the first 19xx year
        ("01/01/68", "2068-01-01"),
        ("05/06/00", "2000-06-05"),
        ("12 MAY 92", "1992-05-12"),
        ("2024年5月12日", "2024-05-12"),
    ],
)
def test_two_digit_years_pivot_like_percent_y(text: str, iso: str) -> None:
    from datetime import datetime

    assert [f.value for f in find_dates(text)] == [iso]
    if text.count("/") == 2:  # the same day as Python's own %y reads it
        assert datetime.strptime(text, "%d/%m/%y").date().isoformat() == iso


def test_the_receipt_field_and_the_answer_check_read_the_same_date() -> None:
    from vlocr.fields import fields_from_lines
    from vlocr.fusion import check_numbers, extract_numbers
    from vlocr.results import OcrLine

    box = [(0.0, 0.0), (100.0, 0.0), (100.0, 20.0), (0.0, 20.0)]
    lines = [OcrLine(text="DATE: 9/3/92", box=box, confidence=0.99)]
    field = fields_from_lines(lines, "receipt")["date"]
    assert field is not None and field.value == "1992-03-09"
    assert [n.key for n in extract_numbers("It was bought on 9 March 1992.")] == ["1992-03-09"]
    check = check_numbers("The date is 9 Mar 1992.", lines)
    assert [(c.value, c.found) for c in check] == [("9 Mar 1992", True)]


@pytest.mark.parametrize(
    ("text", "value"),
    [("¥1,234.50", 1234.5), ("RM 10.50", 10.5), ("-12.00", -12.0), ("13%", 0.13), ("89元", 89)],
)
def test_one_amount_reader_for_json_fields_and_cross_checks(text: str, value: float) -> None:
    from vlocr.tasks import parse_number

    assert parse_amount(text) == value == parse_number(text)
    assert parse_amount("total 12") is None


def test_amounts_found_in_text_and_in_a_reply_agree() -> None:
    from vlocr.eval.questions.qa import relaxed_match

    printed = "TOTAL RM 1,234.50  CASH 2,000.00"
    assert [f.value for f in find_amounts(printed)] == [1234.5, 2000.0]
    assert numbers_in("It is １,234.50 ringgit") == [1234.5]  # full-width digits read too
    assert relaxed_match("The total is RM1,234.50", "1234.50")
    assert relaxed_match("Bought on 9/3/92", "1992-03-09")
