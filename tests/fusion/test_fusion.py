from __future__ import annotations

from vlocr.fusion import check_invoice, check_numbers, check_receipt, hints_block, provenance
from vlocr.results import OcrLine


def line(text: str, x: float, y: float, w: float = 100, h: float = 20) -> OcrLine:
    return OcrLine(text=text, box=[(x, y), (x + w, y), (x + w, y + h), (x, y + h)], confidence=0.9)


LINES = [
    line("FRESH MART", 10, 10),
    line("Milk 2 x 4.50 9.00", 10, 200),
    line("会员折扣 -¥12.00", 10, 260),
    line("TOTAL ¥89.50", 300, 550),
    line("2024/05/12 14:32", 10, 580),
]


def _rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """The rows as the caller orders them: top to bottom, left to right within a row."""
    return [sorted(group, key=lambda ln: ln.bbox[0]) for group in _by_top(lines)]


def _by_top(lines: list[OcrLine]) -> list[list[OcrLine]]:
    rows: list[list[OcrLine]] = []
    for ln in sorted(lines, key=lambda ln: ln.bbox[1]):
        if rows and abs(rows[-1][0].bbox[1] - ln.bbox[1]) < 10:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return rows


def test_hints_block_rows_under_their_third_of_the_image() -> None:
    block = hints_block(_rows(LINES), 600)
    assert block.splitlines() == [
        "[top]",
        "FRESH MART",
        "[middle]",
        "Milk 2 x 4.50 9.00",
        "会员折扣 -¥12.00",
        "[bottom]",
        "TOTAL ¥89.50",
        "2024/05/12 14:32",
    ]
    assert hints_block(_rows(LINES), 600, max_lines=2).endswith("(3 more lines not shown)")
    assert hints_block([], 10) == ""
    assert hints_block([[line("  ", 10, 10)]], 600) == ""  # rows with no text are left out


def test_ocr_hints_keep_a_label_and_its_amount_on_one_row() -> None:
    import numpy as np

    from vlocr.service.task_page import ocr_hints

    label, amount = line("Milk 2L", 10, 100), line("RM 6.50", 300, 102)
    blank = np.full((600, 400, 3), 255, np.uint8)
    assert ocr_hints([label, amount], blank) == "[top]\nMilk 2L RM 6.50"


def test_check_numbers_found_and_flagged() -> None:
    checks = {
        c.value: c
        for c in check_numbers(
            "Total 89.5, discount ¥12.00 on 2024-05-12, tax 7.77, RM 10.50, 12%", LINES
        )
    }
    assert (
        checks["89.5"].found
        and checks["89.5"].lines == [3]
        and checks["89.5"].boxes == [LINES[3].box]
    )
    assert checks["¥12.00"].found and checks["¥12.00"].lines == [2]  # sign printed apart
    assert checks["2024-05-12"].found and checks["2024-05-12"].lines == [4]
    assert not checks["7.77"].found and not checks["RM 10.50"].found and not checks["12%"].found


def test_provenance_by_numbers_and_words() -> None:
    support = provenance("The shop is Fresh Mart and you paid 89.50.", LINES)
    assert [ln.text for ln in support] == ["FRESH MART", "TOTAL ¥89.50"]


def test_invoice_wrong_tax_reported() -> None:
    data = {
        "amount": 1000.0,
        "tax_rate": 0.13,
        "tax": 120.0,
        "total": 1120.0,
        "items": [{"name": "a", "amount": 600}, {"name": "b", "amount": 400}],
    }
    issues = check_invoice(data)
    assert [i.rule for i in issues] == ["amount_x_rate_eq_tax"]
    assert issues[0].expected == 130.0 and issues[0].found == 120.0


def test_invoice_consistent_and_other_rules() -> None:
    assert (
        check_invoice({"amount": "¥1,000.00", "tax_rate": "13%", "tax": 130.0, "total": 1130}) == []
    )
    issues = check_invoice(
        {
            "amount": 1000,
            "tax": 130,
            "total": 1200,
            "items": [{"name": "a", "qty": 2, "unit_price": 400}],
        }
    )
    assert {i.rule for i in issues} == {"items_sum_eq_amount", "amount_plus_tax_eq_total"}


def test_receipt_rules() -> None:
    ok = {
        "items": [{"name": "a", "price": 60.0}, {"name": "b", "price": 41.5}],
        "subtotal": 101.5,
        "discount": -12.0,
        "tax": 0,
        "total": 89.5,
    }
    assert check_receipt(ok) == []
    bad = dict(ok, total=95.0)
    issues = check_receipt(bad)
    assert [i.rule for i in issues] == ["subtotal_minus_discount_plus_tax_eq_total"] and issues[
        0
    ].expected == 89.5
    assert [i.rule for i in check_receipt(dict(ok, subtotal=100.0, total=88.0))] == [
        "items_sum_eq_subtotal"
    ]
