"""Invoice fields from OCR rows, English and Chinese labels (VAT invoices, commercial invoices).

A field's value is the text after its label on the same line (``发票号码：12345678``,
``Invoice No: INV-1``), or, where labels head columns (``Seller`` / ``Bill to``), the text in the
row below that sits under the label. Tax ids belong to the party whose label is above them in
the same column. Amounts come from the subtotal / tax / total lines, or from the ``合计`` row of a
Chinese VAT invoice, whose two amounts are the amount before tax and the tax.
"""

from __future__ import annotations

import re
from collections import Counter

from vlocr.fields.page_lines import PageLines, Piece, Row
from vlocr.fields.values import Found, find_amounts, find_dates, find_rates, find_tax_ids
from vlocr.results import FieldEvidence

INVOICE_FIELDS = (
    "seller",
    "seller_tax_id",
    "buyer",
    "buyer_tax_id",
    "invoice_no",
    "date",
    "amount",
    "tax_rate",
    "tax",
    "total",
)
_SELLER = re.compile(
    r"(销售方|销方|收款单位|\bSELLER\b|\bVENDOR\b|\bSUPPLIER\b|\bFROM\b|\bSOLD\s+BY\b)", re.I
)
_BUYER = re.compile(
    r"(购买方|购方|付款单位|\bBUYER\b|\bBILL(ED)?\s+TO\b|\bSOLD\s+TO\b|\bCUSTOMER\b|\bSHIP\s+TO\b)",
    re.I,
)
_NAME_FIELD = re.compile(r"^\s*(名\s*称|NAME)\s*[:：]?\s*", re.I)
_TAX_ID_LABEL = re.compile(
    r"(纳税人识别号|统一社会信用代码|税\s*号|TAX\s*(ID|NO|NUMBER|REG)|VAT\s*(NO|ID|REG)|\bTIN\b|\bEIN\b|GST\s*(NO|ID|REG))",
    re.I,
)
_INVOICE_NO = re.compile(
    r"(发票号码|发票代码(?!.*号码)|INVOICE\s*(NO|NUMBER|#)\.?|\bINV\s*(NO|#)\.?|\bBILL\s*NO\.?)",
    re.I,
)
_DATE_LABEL = re.compile(
    r"(开票日期|開票日期|日期|INVOICE\s*DATE|DATE\s*OF\s*ISSUE|ISSUE\s*DATE|\bDATE\b)", re.I
)
_SUBTOTAL = re.compile(
    r"(SUB\s*-?\s*TOTAL|不含税金额|金额合计|AMOUNT\s*BEFORE\s*TAX|NET\s*AMOUNT|TOTAL\s*EXCL)", re.I
)
_TAX = re.compile(r"(税额|TAX\s*AMOUNT|\bVAT\b|\bGST\b|\bTAX\b)", re.I)
_TOTAL = re.compile(
    r"(价税合计|TOTAL\s*DUE|AMOUNT\s*DUE|GRAND\s*TOTAL|BALANCE\s*DUE|TOTAL\s*(INCL|PAYABLE)|\bTOTAL\b)",
    re.I,
)
_SUM_ROW = re.compile(r"^\s*(合\s*计|TOTALS?)\b", re.I)
_VALUE_AFTER = re.compile(r"^\s*[（(]?[^)）:：]{0,8}[)）]?\s*[:：#]?\s*")


def _after(row: Row, end: int) -> tuple[str, int]:
    """The text following a label on its row, with its start offset (label punctuation skipped)."""
    rest = row.text[end:]
    m = re.match(r"\s*[（(][^)）]{0,6}[)）]\s*", rest)  # (小写), (USD)
    skip = m.end() if m else 0
    m2 = re.match(r"\s*[:：#.]?\s*", rest[skip:])
    start = end + skip + (m2.end() if m2 else 0)
    return row.text[start:], start


def _piece_under(page: PageLines, row: Row, label_piece: Piece) -> tuple[Row, Piece] | None:
    """The piece in the next rows that sits under ``label_piece`` (column layouts)."""
    lx0, _, lx1, _ = label_piece.line.bbox
    for below in page.rows[row.index + 1 : row.index + 3]:
        for piece in below.pieces:
            x0, _, x1, _ = piece.line.bbox
            if min(x1, lx1 + 200) - max(x0, lx0 - 20) > 0 and abs(x0 - lx0) < 0.25 * page.width:
                return below, piece
    return None


def _name_after_label(
    page: PageLines, pattern: re.Pattern[str], rule: str
) -> tuple[FieldEvidence, Piece] | None:
    for row in page.rows:
        m = pattern.search(row.text)
        if not m:
            continue
        label_piece = row.pieces_in(m.start(), m.end())[0]
        text, start = _after(row, m.end())
        text = _NAME_FIELD.sub("", text)
        # stop at the next label on the same row ("Seller ... Bill to ...")
        cut = [
            x.start()
            for x in (_BUYER.search(text), _SELLER.search(text), _TAX_ID_LABEL.search(text))
            if x
        ]
        if cut:
            text = text[: min(cut)]
        text = text.strip(" :：")
        if len(re.sub(r"\W", "", text)) >= 2:
            pieces = row.pieces_in(start, start + len(text))
            return page.evidence(pieces, text, text, 0.8, f"label:{rule}"), label_piece
        under = _piece_under(page, row, label_piece)
        if under is not None:
            below, piece = under
            name = _NAME_FIELD.sub("", piece.line.text).strip(" :：")
            if name and not _TAX_ID_LABEL.search(name):
                return page.evidence([piece], name, name, 0.7, f"under:{rule}"), label_piece
    return None


def _tax_ids(page: PageLines, anchors: dict[str, Piece | None]) -> dict[str, FieldEvidence | None]:
    """Assign each labelled tax id to the party label above it in the same column."""
    out: dict[str, FieldEvidence | None] = {"seller_tax_id": None, "buyer_tax_id": None}
    rows_of = {id(p): r for r in page.rows for p in r.pieces}
    for row in page.rows:
        for m in _TAX_ID_LABEL.finditer(row.text):
            text, start = _after(row, m.end())
            ids = find_tax_ids(text)
            if not ids:
                continue
            found = ids[0]
            pieces = row.pieces_in(start + found.start, start + found.end)
            x0, _, x1, _ = pieces[0].line.bbox
            best: tuple[float, str] | None = None
            for party, anchor in anchors.items():
                if anchor is None:
                    continue
                arow = rows_of[id(anchor)]
                if arow.index > row.index:
                    continue
                ax0, _, ax1, _ = anchor.line.bbox
                overlap = min(x1, ax1 + page.width * 0.3) - max(x0, ax0 - 20)
                score = (1000.0 if overlap > 0 else 0.0) - (row.index - arow.index)
                if best is None or score > best[0]:
                    best = (score, party)
            if best is None:
                continue
            key = f"{best[1]}_tax_id"
            if out[key] is None:
                out[key] = page.evidence(pieces, str(found.value), found.text, 0.8, "label:TAX ID")
    return out


def _invoice_no(page: PageLines) -> FieldEvidence | None:
    for row in page.rows:
        m = _INVOICE_NO.search(row.text)
        if not m:
            continue
        text, start = _after(row, m.end())
        tok = re.match(r"[A-Z0-9][A-Z0-9/-]{2,}", text.strip().upper())
        if tok and any(ch.isdigit() for ch in tok.group(0)):
            offset = start + (len(text) - len(text.lstrip()))
            value = text.strip()[: tok.end()]
            pieces = row.pieces_in(offset, offset + len(value))
            return page.evidence(pieces, value, value, 0.85, "label:INVOICE NO")
    return None


def _date(page: PageLines) -> FieldEvidence | None:
    """The date after a date label (开票日期, Invoice date), else the first date on the page."""
    first: tuple[Row, Found] | None = None
    for row in page.rows:
        dates = find_dates(row.text)
        if not dates:
            continue
        label = _DATE_LABEL.search(row.text)
        for found in dates:
            if label and label.end() <= found.start:
                pieces = row.pieces_in(found.start, found.end)
                return page.evidence(pieces, found.value, found.text, 0.85, "label:DATE")
        if first is None:
            first = (row, dates[0])
    if first is None:
        return None
    row, found = first
    pieces = row.pieces_in(found.start, found.end)
    return page.evidence(pieces, found.value, found.text, 0.5, "pattern")


def _labelled_amount(
    page: PageLines, pattern: re.Pattern[str], exclude: re.Pattern[str] | None = None
) -> FieldEvidence | None:
    for row in reversed(page.rows):
        m = pattern.search(row.text)
        if not m or (exclude and exclude.search(row.text)):
            continue
        amounts = [a for a in find_amounts(row.text) if a.start >= m.end()]
        if amounts:
            found = amounts[-1]
            pieces = row.pieces_in(found.start, found.end)
            return page.evidence(
                pieces, abs(float(found.value)), found.text, 0.8, f"label:{m.group(0).upper()}"
            )
    return None


def _sum_row(page: PageLines) -> tuple[FieldEvidence | None, FieldEvidence | None]:
    """The ``合计 amount tax`` row of a Chinese VAT invoice."""
    for row in page.rows:
        if not _SUM_ROW.match(row.text) or _TOTAL.search(row.text.replace("合计", "", 1)):
            continue
        amounts = find_amounts(row.text)
        if len(amounts) >= 2:
            a, t = amounts[-2], amounts[-1]
            return (
                page.evidence(
                    row.pieces_in(a.start, a.end), abs(float(a.value)), a.text, 0.75, "sum-row"
                ),
                page.evidence(
                    row.pieces_in(t.start, t.end), abs(float(t.value)), t.text, 0.75, "sum-row"
                ),
            )
    return None, None


def _tax_rate(page: PageLines) -> FieldEvidence | None:
    rates: Counter[float] = Counter()
    where: dict[float, tuple[Row, int, int, str]] = {}
    for row in page.rows:
        for found in find_rates(row.text):
            value = float(found.value)
            if 0 < value < 0.5:
                rates[value] += 1
                where.setdefault(value, (row, found.start, found.end, found.text))
    if not rates:
        return None
    value, count = rates.most_common(1)[0]
    if len(rates) > 1 and count == 1:
        return None  # several different rates on the page: no single invoice rate
    row, start, end, text = where[value]
    return page.evidence(row.pieces_in(start, end), value, text, 0.7, "percent")


def extract_invoice(page: PageLines) -> dict[str, FieldEvidence | None]:
    """Evidence per invoice field; ``None`` where the page does not show the field."""
    fields: dict[str, FieldEvidence | None] = dict.fromkeys(INVOICE_FIELDS, None)
    anchors: dict[str, Piece | None] = {"seller": None, "buyer": None}
    for party, pattern in (("seller", _SELLER), ("buyer", _BUYER)):
        got = _name_after_label(page, pattern, party.upper())
        if got is not None:
            fields[party], anchors[party] = got
    fields.update(_tax_ids(page, anchors))
    fields["invoice_no"] = _invoice_no(page)
    fields["date"] = _date(page)
    amount, tax = _sum_row(page)
    fields["amount"] = _labelled_amount(page, _SUBTOTAL) or amount
    fields["tax"] = (
        _labelled_amount(page, _TAX, re.compile(r"(TAX\s*(ID|NO)|识别号|INCL|TOTAL)", re.I)) or tax
    )
    fields["total"] = _labelled_amount(page, _TOTAL, re.compile(r"SUB\s*-?\s*TOTAL|EXCL", re.I))
    fields["tax_rate"] = _tax_rate(page)
    return fields
