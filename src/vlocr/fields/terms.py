"""Which field a question asks about, from its words (English and Chinese).

Targets name a field of the OCR extractor (``r.`` receipt, ``i.`` invoice), a printed label
(``label:合计``: the amount printed after it) or ``phone``; ``|`` separates fallbacks. The list is
ordered from the most to the least specific term.
"""

from __future__ import annotations

import re

from vlocr.fields.page_lines import PageLines
from vlocr.fields.values import find_amounts, find_phones
from vlocr.results import FieldEvidence

TERMS: list[tuple[str, str]] = [
    (r"价税合计|total due|amount due|grand total", "i.total|r.total"),
    (r"invoice number|invoice no|发票号码", "i.invoice_no"),
    (r"seller'?s tax id|销售方.{0,4}纳税人识别号", "i.seller_tax_id"),
    (r"buyer'?s tax id|购买方.{0,4}纳税人识别号", "i.buyer_tax_id"),
    (r"subtotal|小计", "i.amount|r.subtotal"),
    (r"discount|会员优惠|优惠", "r.discount"),
    (r"实付|amount paid|paid", "label:实付|r.total"),
    (r"合计", "label:合计|i.amount"),
    (r"税额|\btax\b(?! id)", "i.tax|r.tax"),
    (r"金额", "i.amount"),
    (r"\btotal\b", "r.total|i.total"),
    (r"phone|telephone|电话", "phone"),
    (r"date|日期|哪一天", "r.date|i.date"),
    (r"seller|销售方", "i.seller"),
    (r"buyer|购买方", "i.buyer"),
    (r"shop|store|merchant|company|商店|商家", "r.merchant"),
]
RANK = {target: rank for rank, (_, target) in enumerate(TERMS)}


def mentions(question: str) -> list[tuple[int, str]]:
    """``(position, target)`` of every field term in the question, in question order."""
    found: list[tuple[int, int, str]] = []
    for pattern, target in TERMS:
        for m in re.finditer(pattern, question, re.I):
            if all(m.end() <= s or m.start() >= e for s, e, _ in found):
                found.append((m.start(), m.end(), target))
    return [(s, t) for s, _, t in sorted(found)]


def main_target(question: str) -> str | None:
    """The most specific field term of a question, or None when it names no field."""
    found = mentions(question)
    return min((t for _, t in found), key=lambda t: RANK[t]) if found else None


def resolve(
    target: str,
    page: PageLines,
    receipt: dict[str, FieldEvidence | None],
    invoice: dict[str, FieldEvidence | None],
    invoice_first: bool,
) -> tuple[str, FieldEvidence] | None:
    """``(field name, evidence)`` for a target on this page, or None when the page lacks it.

    Of ``i.x|r.x`` the invoice field is tried first on invoices and the receipt field on receipts."""
    options = target.split("|")
    ranked = sorted(
        options, key=lambda o: 0 if o.startswith("i." if invoice_first else "r.") else 1
    )
    for option in ranked if len(options) > 1 else options:
        if option == "phone":
            for row in page.rows:
                phones = find_phones(row.text)
                if phones:
                    f = phones[0]
                    pieces = row.pieces_in(f.start, f.end)
                    return "phone", page.evidence(pieces, f.text, f.text, 0.7, "pattern:phone")
            continue
        if option.startswith("label:"):
            label = option[6:]
            for row in page.rows:
                at = row.text.find(label)
                if at < 0 or row.text[:at].strip():
                    continue
                amounts = [a for a in find_amounts(row.text) if a.start >= at + len(label)]
                if amounts:
                    f = amounts[0]
                    pieces = row.pieces_in(f.start, f.end)
                    ev = page.evidence(pieces, abs(float(f.value)), f.text, 0.7, f"label:{label}")
                    return label, ev
            continue
        source, name = option.split(".", 1)
        found = (invoice if source == "i" else receipt).get(name)
        if found is not None:
            return name, found
    return None
