"""Line items from OCR rows (name, qty, unit price, amount) and their arithmetic: each item's
qty x unit price, items against subtotal / total, discount lines and cash rounding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vlocr.eval.synth import generate
from vlocr.fields import extract_ocr_fields
from vlocr.fields.line_items import line_items
from vlocr.fusion.consistency import check_invoice, check_receipt
from vlocr.results import OcrLine

REPO = Path(__file__).resolve().parents[2]


def _line(text: str, x: float, y: float, w: float = 300, h: float = 30) -> OcrLine:
    return OcrLine(text=text, box=[(x, y), (x + w, y), (x + w, y + h), (x, y + h)], confidence=0.98)


def _receipt(amount: str = "13.50") -> list[OcrLine]:
    """A hardware-shop receipt printed like SROIE's: name row, code row, qty x price row."""
    return [
        _line("MR. HARDWARE SDN BHD", 150, 20),
        _line("NO 8, JALAN 7/118B, KUALA LUMPUR", 80, 55, 450),
        _line("TAX INVOICE", 220, 95, 150),
        _line("11/02/18 19:21", 30, 130, 200),
        _line("EPOXY PUTTY+ (2 X 50GM)", 30, 180),
        _line("*S", 560, 180, 30),
        _line("WA17 - 12/144", 30, 212, 160),
        _line("9555075106825", 30, 244, 160),
        _line("1 X 8.50", 260, 244, 100),
        _line("8.50", 520, 244, 70),
        _line("DOOR GUARD EC008", 30, 290),
        _line("*S", 560, 290, 30),
        _line("TJ12 - 10/100", 30, 322, 160),
        _line("9002148", 30, 354, 160),
        _line("3 X 4.50", 260, 354, 100),
        _line(amount, 520, 354, 70),
        _line("MEMBER DISCOUNT", 30, 400),
        _line("-2.00", 520, 400, 70),
        _line("ITEM(S) : 2", 30, 450, 150),
        _line("SUB TOTAL", 30, 490, 150),
        _line("22.00", 520, 490, 70),
        _line("ROUNDING ADJ", 30, 530, 150),
        _line("-0.02", 520, 530, 70),
        _line("TOTAL", 30, 570, 150),
        _line("19.98", 520, 570, 70),
        _line("CASH", 30, 610, 150),
        _line("20.00", 520, 610, 70),
    ]


def test_receipt_items_are_read_with_qty_unit_price_and_discount() -> None:
    result = extract_ocr_fields(None, "receipt", lines=_receipt())
    data = result.data or {}
    assert data["items"] == [
        {"name": "EPOXY PUTTY+ (2 X 50GM)", "qty": 1.0, "unit_price": 8.5, "price": 8.5},
        {"name": "DOOR GUARD EC008", "qty": 3.0, "unit_price": 4.5, "price": 13.5},
        {"name": "MEMBER DISCOUNT", "qty": None, "unit_price": None, "price": -2.0},
    ]
    assert result.valid, result.validation_errors
    # 22.00 is the subtotal before the discount line; 19.98 is 20.00 less the rounding
    assert result.issues == [], result.issues


def test_a_misread_amount_is_an_arithmetic_issue() -> None:
    result = extract_ocr_fields(None, "receipt", lines=_receipt("12.50"))
    rules = {i.rule: i for i in result.issues}
    item = rules["item_qty_x_unit_eq_amount"]
    assert (item.expected, item.found) == (13.5, 12.5) and "DOOR GUARD" in item.message
    assert rules["items_sum_eq_subtotal"].found == 22.0


def test_invoice_items_take_the_amount_column_not_the_tax() -> None:
    doc = generate("invoice", 3)
    lines = [
        OcrLine(text=g.text, box=[(float(x), float(y)) for x, y in g.box], confidence=0.99)
        for g in doc.lines
    ]
    result = extract_ocr_fields(None, "invoice", lines=lines)
    items = (result.data or {})["items"]
    assert items[1] == {
        "name": "Training workshop",
        "qty": 11.0,
        "unit_price": 839.19,
        "amount": 9231.09,
    }
    assert len(items) == 4 and result.issues == []
    zh = generate("invoice_zh", 3)
    zh_lines = [
        OcrLine(text=g.text, box=[(float(x), float(y)) for x, y in g.box], confidence=0.99)
        for g in zh.lines
    ]
    got = line_items(zh_lines, amount_key="amount")
    assert [(i["name"], i["qty"], i["amount"]) for i in got] == [
        ("设备维护费", 3.0, 8001.19),
        ("技术服务费", 7.0, 2101.25),
        ("软件开发费", 2.0, 1639.18),
    ]  # 金额 heads the amounts; the last column is 税额 (the tax)


def _synth_lines(kind: str, seed: int) -> tuple[list[OcrLine], dict[str, str]]:
    doc = generate(kind, seed)
    lines = [
        OcrLine(text=g.text, box=[(float(x), float(y)) for x, y in g.box], confidence=0.99)
        for g in doc.lines
    ]
    return lines, doc.fields


def test_two_character_chinese_names_and_unit_prices_printed_under_the_item() -> None:
    lines, fields = _synth_lines("receipt_zh", 0)
    items = line_items(lines)
    assert "食盐" in [i["name"] for i in items]  # a two-character name is a name
    assert round(sum(i["price"] for i in items), 2) == float(fields["total"])
    caps, _ = _synth_lines("receipt_caps", 0)
    milo = line_items(caps)[1]  # "5 X MILO DINOSAUR  50.25" over "@ RM 10.05 EACH"
    assert milo == {"name": "MILO DINOSAUR", "qty": 5.0, "unit_price": 10.05, "price": 50.25}


def test_item_names_that_begin_like_a_summary_label_are_items() -> None:
    lines = [_line("NUT HOUSE", 100, 20), _line("DESCRIPTION   AMOUNT", 30, 60, 400)]
    for n, name in enumerate(["CASHEW NUTS 200G", "CARDIGAN KIDS", "TAXI TOY CAR"]):
        lines += [_line(name, 30, 100 + 40 * n), _line(f"{n + 5}.90", 520, 100 + 40 * n, 70)]
    lines += [_line("CASH", 30, 240, 100), _line("20.70", 520, 240, 70)]
    got = line_items(lines)
    assert [i["name"] for i in got] == ["CASHEW NUTS 200G", "CARDIGAN KIDS", "TAXI TOY CAR"]


def test_a_page_without_items_has_none() -> None:
    lines = [_line("Dear customer, thank you for your order.", 30, 30, 600)]
    lines += [_line("Your parcel leaves our warehouse today.", 30, 70, 600)]
    assert line_items(lines) == []


def test_the_arithmetic_rules_on_their_own() -> None:
    items = [
        {"name": "A", "qty": 2, "unit_price": 1.5, "price": 3.0},
        {"name": "B", "qty": 1, "unit_price": 4.0, "price": 4.0},
    ]
    assert check_receipt({"items": items, "total": 7.0}) == []
    odd = [*items, {"name": "C", "qty": None, "unit_price": None, "price": 0.03}]
    assert check_receipt({"items": odd, "total": 7.05}) == []  # 7.03 rounded to 5 cents
    assert [i.rule for i in check_receipt({"items": items, "total": 7.5})] == [
        "subtotal_minus_discount_plus_tax_eq_total"
    ]
    inv = [{"name": "X", "qty": 2, "unit_price": 10.0, "amount": 20.0}]
    assert check_invoice({"items": inv, "total": 22.6, "tax": 2.6}) == []
    issues = check_invoice({"items": inv, "total": 30.0, "tax": 2.6})
    assert [i.rule for i in issues] == ["items_sum_eq_total"]


def _truth_lines(path: Path) -> list[OcrLine]:
    from vlocr.eval.data.loaders import parse_sroie_boxes

    return [
        OcrLine(text=g.text, box=[(float(x), float(y)) for x, y in g.box], confidence=1.0)
        for g in parse_sroie_boxes(path.read_text(encoding="utf-8", errors="replace"))
    ]


def test_hand_checked_receipts_from_their_truth_transcripts() -> None:
    """The items typed by hand from 16 dev receipts' transcripts (tests/fields/data): the rules
    find them on the transcripts' own lines (no OCR errors)."""
    from vlocr.eval.structure.line_items import match_items

    box = REPO / "../shared/dev-data/sroie-train/box"
    if not box.is_dir():
        pytest.skip("development data not found next to the checkout")
    truth = json.loads((REPO / "tests/fields/data/sroie_items.json").read_text())["receipts"]
    tp = predicted = expected = 0
    for sid, items in truth.items():
        got = line_items(_truth_lines(box / f"{sid}.txt"))
        tp += match_items(got, items)
        predicted += len(got)
        expected += len(items)
    assert expected == 47
    assert tp / predicted >= 0.9 and tp / expected >= 0.9, (tp, predicted, expected)


def _row(y: float, *cells: tuple[str, float]) -> list[OcrLine]:
    return [_line(text, x, y, 12 * len(text) + 10) for text, x in cells]


def test_items_after_a_part_total_and_a_dollar_read_as_five() -> None:
    """A delivery note lists untaxed items, their part total, then the taxed items; a "$" the
    OCR read as "5" does not turn $5.50 into 55.50."""
    head = list(zip(("U.P", "ISS", "D", "SALE", "AMT"), (300, 380, 440, 500, 600), strict=True))
    lines = [_line("GARDEN BAKERIES SDN BHD", 100, 20, 400), _line("DATE: 05/08/2017", 30, 60)]
    lines += _row(100, ("DESCRIPTION", 30), *head)
    lines += _row(140, ("WHITE BREAD", 30), ("2.13", 300), ("5", 380), ("1", 440), ("4", 500))
    lines += _row(140, ("8.52", 600))
    lines += _row(180, ("WHOLEMEAL", 30), ("2.97", 300), ("3", 380), ("1", 440), ("2", 500))
    lines += _row(180, ("5.94", 600))
    lines += _row(220, ("TOTAL 0% SUPPLIES:", 30), ("14.46", 600))
    lines += _row(260, ("BUTTERSCOTCH", 30), ("0.72", 300), ("10", 380), ("0", 440), ("10", 500))
    lines += _row(260, ("7.20", 600))
    lines += _row(300, ("TOTAL PAYABLE:", 30), ("21.66", 600))
    assert [(i["name"], i["qty"], i["price"]) for i in line_items(lines)] == [
        ("WHITE BREAD", 4.0, 8.52),
        ("WHOLEMEAL", 2.0, 5.94),
        ("BUTTERSCOTCH", 10.0, 7.2),
    ]
    shop = [_line("BAR RICE SDN BHD", 100, 20, 300), _line("ITEM   QTY   TOTAL", 30, 60, 400)]
    shop += [_line("SR 100100000060- 4 Vege", 30, 100, 400)]
    shop += _row(140, ("$5.50", 30), ("1", 300), ("55.50", 600))
    shop += [_line("SR 100100000006- Pork", 30, 180, 400)]
    shop += _row(220, ("$2.70", 30), ("1", 300), ("$2.70", 600))
    shop += _row(260, ("TOTAL AMOUNT:", 30), ("$8.20", 600))
    got = line_items(shop)
    assert [(i["name"], i["price"]) for i in got] == [
        ("100100000060- 4 Vege", 5.5),
        ("100100000006- Pork", 2.7),
    ]


def test_a_header_on_two_rows_and_a_colon_inside_an_item_name() -> None:
    lines = [_line("BORONG PINTAR SDN BHD", 100, 20, 400), _line("CASHIER: 11", 30, 60, 200)]
    lines += _row(100, ("QTY UOM", 30), ("UNIT AMT EXC. AMT INC.", 200), ("GST", 560))
    lines += _row(130, ("PRICE", 200), ("TAX", 330), ("TAX CODE", 480))
    lines += [_line("POKKA COFFEE VANILLA MILK COFFEE", 30, 170, 450)]
    lines += _row(205, ("1", 30), ("WALK", 80), ("3.20", 200), ("3.20", 330), ("3.20", 480))
    lines += _row(205, ("ZRL", 560))
    lines += [_line("EVA MEN SANDAL M1044/1 SIZE:6-10", 30, 245, 450)]
    lines += _row(280, ("1 X 11.23", 200), ("11.23", 480))
    lines += _row(320, ("TOTAL INCLUDES GST 0%", 30), ("14.43", 480))
    got = line_items(lines)
    assert [(i["name"][:12], i["qty"], i["price"]) for i in got] == [
        ("POKKA COFFEE", 1.0, 3.2),
        ("EVA MEN SAND", 1.0, 11.23),
    ]
