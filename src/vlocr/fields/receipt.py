"""Receipt fields from OCR rows: merchant (company), address, date, time, subtotal, tax, total.

The rules follow how receipts are printed almost everywhere:

- the merchant is the first real line at the top (joined with the next when the legal suffix
  ``SDN BHD`` / ``LTD`` / ``有限公司`` wraps to it), without its registration number;
- the address is the run of lines after it, up to the phone / fax / GST / tax-invoice line;
- the total is the amount on (or just under) the line with the strongest total label
  (``ROUNDED TOTAL`` / ``GRAND TOTAL`` / ``NETT TOTAL`` / ``实付`` beat ``TOTAL`` / ``合计``, and
  ``SUBTOTAL`` / ``TOTAL QTY`` / ``TOTAL SAVINGS`` are not totals), with the amounts paid
  (cash, card) as the tie-breaker and the fallback;
- the date is the first valid date, preferring one after a ``DATE`` / ``日期`` label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vlocr.fields.page import PageLines, Piece, Row
from vlocr.fields.values import Found, find_amounts, find_dates, find_phones
from vlocr.results import FieldEvidence

_COMPANY_SUFFIX = re.compile(
    r"(SDN\.?\s*BHD|\bBHD\b|\bS/B\b|\b5/B\b|\bBERHAD\b|ENTERPRISE|TRADING|\bLTD\b|LIMITED|\bLLC\b"
    r"|\bINC\b|\bCORP|\bCO\.|COMPANY|RESTORAN|RESTAURANT|\bPLT\b|\bGMBH\b|有限公司|公司|超市|商店|酒店|餐厅|便利店)",
    re.IGNORECASE,
)
_HEADER_JUNK = re.compile(
    r"^\W*(SIMPLIFIED\s+)?(TAX\s+INVOICE|INVOICE|OFFICIAL\s+RECEIPT|RECEIPT|CASH\s+(SALES?|BILL)|"
    r"WELCOME(\s+TO)?|THANK\s+YOU|COPY|REPRINT|ORIGINAL|GUEST\s+CHECK|发票|收据|小票|欢迎光临)\W*$",
    re.IGNORECASE,
)
_REG_NO = re.compile(
    r"(\(?\s*(CO\.?|COMPANY|ROC|REG|BUSINESS|SSM)\b[^)]*\bNO\b|\(?\s*CO\.?\s*REG|^\W*\(?\s*\d{4,8}\s*-?\s*[A-Z]\s*\)?\W*$"
    r"|^\W*\(?\s*[A-Z]{2}\d{6,}\s*-?\s*[A-Z]?\s*\)?\W*$)",
    re.IGNORECASE,
)
_TRAILING_REG = re.compile(
    r"\s*[(\[]?\s*(CO\.?\s*(REG|NO)\.?[^)]*|\d{4,8}\s*-?\s*[A-Z]{1,2})\s*[)\]]?\s*$", re.I
)
_CONTACT = re.compile(
    r"(\bTEL\b|\bTEL[.:]|TELEPHONE|PHONE|\bFAX\b|\bH/?P\b|MOBILE|WHATSAPP|E-?MAIL|@|WWW\.|HTTP|\.COM\b|"
    r"GST|\bSST\b|TAX\s*INVOICE|INVOICE\b|RECEIPT|CASHIER|电话|传真|税号|发票|收银)",
    re.IGNORECASE,
)
_PHONE_ONLY = re.compile(r"^\W*\+?[\d\s()/-]{9,}\W*$")

_TOTAL_LABELS: list[tuple[float, re.Pattern[str]]] = [
    (
        10.0,
        re.compile(
            r"(ROUND(ED|ING)?\s*(NETT?\s*)?TOTAL|TOTAL\s*(AFTER\s*)?ROUND(ED|ING)?|TOTAL\s*AFTER\s*(ADJ|ROUND|DISC)|GRAND\s*TOTAL|NETT?\s*TOTAL|"
            r"TOTAL\s*(AMOUNT\s*)?(PAYABLE|DUE)|AMOUNT\s*(PAYABLE|DUE)|BALANCE\s*DUE|TOTAL\s*TO\s*PAY|"
            r"实付|应付|实收|应收|价税合计|支付金额|付款金额)",
            re.I,
        ),
    ),
    (
        8.0,
        re.compile(
            r"(\bTOTAL\b|\bTOTAL(?=RM|:|\()|TOTAL\s*\(?RM|\bJUMLAH\b|合计|总计|合計|总额|金额合计)",
            re.I,
        ),
    ),
    (4.0, re.compile(r"(\bNET\s*AMT|\bAMOUNT\b|\bAMT\b|\bNETT\b)", re.I)),
]
_NOT_TOTAL = re.compile(
    r"(SUB\s*-?\s*TOTAL|小计|TOTAL\s*(NO\.?\s*OF\s*)?(QTY|QUANTITY|ITEMS?|PCS|UNITS?|SAVINGS?|SAVED|DISCOUNTS?|"
    r"POINTS?|WEIGHT|TAX\b|GST\b|SST\b|SERVICE|EXCL|EXCLUSIVE|BEFORE)|\bEXCL|BEFORE\s*(GST|TAX)|ITEM\s*COUNT|"
    r"TAX\s*AMOUNT|GST\s*AMOUNT|CHANGE|ROUNDING\s*ADJ|ADJUSTMENT|\bQTY\b|DEPOSIT|找零|折扣|优惠|税额)",
    re.I,
)
_PAID = re.compile(
    r"(\bCASH\b|\bVISA\b|MASTER|\bCARD\b|\bEDC\b|CREDIT|DEBIT|\bPAID\b|PAYMENT|TENDER|\bNETS\b|"
    r"E-?WALLET|BOOST|GRABPAY|TOUCH\s*N|微信|支付宝|现金|银行卡)",
    re.I,
)
_SUMMARY = re.compile(r"(SUMMARY|RINGKASAN|税率\s*税额)", re.I)
_CHANGE = re.compile(r"(CHANGE|BALANCE|找零|找赎)", re.I)
_DATE_LABEL = re.compile(r"(DATE|TARIKH|DT\b|日期|时间|開票日期|开票日期)", re.I)
_TIME = re.compile(
    r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?:\s?([AP]M))?(?![\d:])", re.I
)
_SUBTOTAL = re.compile(r"(SUB\s*-?\s*TOTAL|小计)", re.I)
_DISCOUNT = re.compile(r"(DISCOUNT|\bDISC\b|优惠|折扣)", re.I)
_ADDRESS_LABEL = re.compile(r"^\s*(ADDRESS|ADDR\.?|地址|住址)\s*[:：]?\s*", re.I)
_TAX = re.compile(r"(\bGST\b|\bSST\b|\bTAX\b|\bVAT\b|税额|税金)", re.I)


@dataclass
class AmountHit:
    row: Row
    found: Found
    pieces: list[Piece]
    label_row: Row


def _row_amounts(row: Row, after: int = 0) -> list[tuple[Found, list[Piece]]]:
    return [(f, row.pieces_in(f.start, f.end)) for f in find_amounts(row.text) if f.start >= after]


def _label_amount(page: PageLines, row: Row, label_end: int) -> AmountHit | None:
    """The amount a label row states: right of the label on the row, else the first on the row
    below (labels and values are sometimes printed one under the other)."""
    amounts = _row_amounts(row, label_end)
    if amounts:
        found, pieces = amounts[-1]
        return AmountHit(row, found, pieces, row)
    below = page.rows[row.index + 1] if row.index + 1 < len(page.rows) else None
    if below is not None and below.top - row.bottom < 1.5 * row.height:
        text_only = re.sub(r"[\d\s.,:$RM-]", "", below.text, flags=re.I)
        amounts = _row_amounts(below)
        if amounts and len(text_only) <= 4:
            found, pieces = amounts[0]
            return AmountHit(below, found, pieces, row)
    return None


def _total(page: PageLines) -> tuple[AmountHit | None, float, str]:
    paid_values: list[float] = []
    all_values: list[float] = []
    for row in page.rows:
        for f, _ in _row_amounts(row):
            all_values.append(abs(float(f.value)))
            if _PAID.search(row.text) and not _CHANGE.search(row.text):
                paid_values.append(abs(float(f.value)))
    best: tuple[float, AmountHit, str] | None = None
    summary_until = -1
    for row in page.rows:
        if _SUMMARY.search(row.text):
            summary_until = row.index + 4
        if row.index <= summary_until:
            continue
        if _NOT_TOTAL.search(row.text) and not _TOTAL_LABELS[0][1].search(row.text):
            continue
        for priority, pattern in _TOTAL_LABELS:
            m = pattern.search(row.text)
            if not m:
                continue
            hit = _label_amount(page, row, m.end())
            if hit is None or float(hit.found.value) <= 0:
                break
            value = float(hit.found.value)
            score = priority
            score += 1.0 if value in paid_values else 0.0
            score += 0.5 * min(2, all_values.count(value) - 1)
            if best is None or score > best[0]:  # the first of equal candidates wins
                best = (score, hit, m.group(0).strip())
            break
    if best is not None:
        return best[1], min(1.0, best[0] / 11.0), f"label:{best[2].upper()}"
    # no total label: the amount paid, when one is printed
    for row in page.rows:
        if _PAID.search(row.text) and not _CHANGE.search(row.text):
            amounts = _row_amounts(row)
            if amounts:
                found, pieces = amounts[-1]
                return AmountHit(row, found, pieces, row), 0.4, "paid"
    # nor a payment line the OCR could read: an amount printed three times or more is the total
    repeated = [v for v in set(all_values) if v > 0 and all_values.count(v) >= 3]
    if repeated:
        value = max(repeated)
        for row in page.rows:
            for found, pieces in _row_amounts(row):
                if abs(float(found.value)) == value:
                    return AmountHit(row, found, pieces, row), 0.3, "repeated"
    return None, 0.0, ""


def _labelled_amount(
    page: PageLines, label: re.Pattern[str], exclude: re.Pattern[str] | None
) -> AmountHit | None:
    for row in page.rows:
        m = label.search(row.text)
        if m and not (exclude and exclude.search(row.text)):
            hit = _label_amount(page, row, m.end())
            if hit is not None:
                return hit
    return None


def _date(page: PageLines) -> tuple[Row, Found, float, str] | None:
    month_first = any(
        int(m.group(1)) <= 12 < int(m.group(2))
        for row in page.rows
        for m in re.finditer(r"(?<!\d)(\d{1,2})/(\d{1,2})/(?:\d{4}|\d{2})(?!\d)", row.text)
    )
    best: tuple[float, Row, Found, str] | None = None
    for row in page.rows:
        for f in find_dates(row.text, month_first=month_first):
            label = _DATE_LABEL.search(row.text[: f.start])
            score = 2.0 if label else 1.0
            if _TIME.search(row.text):
                score += 0.5
            score -= 0.001 * row.index
            if best is None or score > best[0]:
                best = (score, row, f, "label:DATE" if label else "pattern")
    if best is None:
        return None
    return best[1], best[2], min(1.0, 0.45 + 0.25 * best[0]), best[3]


def _is_header_text(row: Row) -> bool:
    letters = sum(ch.isalpha() for ch in row.text)
    return letters >= 2 and not _HEADER_JUNK.match(row.text)


def _clean_company(text: str) -> str:
    """Drop a trailing registration number and a leading "owned by:" style label; undo the usual
    OCR slips in the legal suffix (5/B, SON BHD)."""
    text = re.sub(r"\b5/B\b", "S/B", text)
    text = re.sub(r"\bS[O0]N(\.?\s*)BHD\b", r"SDN\1BHD", text, flags=re.I)
    if ":" in text and _COMPANY_SUFFIX.search(text.split(":", 1)[1]):
        text = text.split(":", 1)[1]
    prev = None
    while prev != text:
        prev = text
        text = _TRAILING_REG.sub("", text).strip()
    return text.strip(" -:,")


def _company_rows(page: PageLines) -> list[Row]:
    top = [r for r in page.rows[:8] if _is_header_text(r)]
    if not top:
        return []
    start = top[0]
    for i, row in enumerate(top[:4]):
        if _CONTACT.search(row.text) or find_dates(row.text):
            break
        if _COMPANY_SUFFIX.search(row.text) and not _REG_NO.search(row.text.split("(")[0] or "x"):
            first = top[i - 1] if i > 0 and top[i - 1] is top[0] else None
            short_lead = re.match(
                r"^\W*(CO\.|\(M\)|SDN|BHD|S/B|LTD|INC|LLC|有限公司)", row.text, re.I
            )
            if first is not None and short_lead and row.top - first.bottom < 1.5 * first.height:
                return [first, row]
            return [row] if i < 3 else [start]
    return [start]


def _fuller_name(page: PageLines, after: Row, name: str) -> Row | None:
    """A row a little further down that repeats the name and extends it ("DOMINO'S PIZZA" then
    "DOMINO'S PIZZA TAMAN UNIVERSITI"): the shop's full name."""
    key = re.sub(r"\W", "", name).upper()
    for row in page.rows[after.index + 1 : after.index + 4]:
        text = re.sub(r"\W", "", row.text).upper()
        if len(key) >= 4 and text.startswith(key) and len(text) > len(key) + 3:
            return row
    return None


def _address_rows(page: PageLines, after: Row) -> list[Row]:
    rows: list[Row] = []
    for row in page.rows[after.index + 1 : after.index + 12]:
        text = row.text
        stop = (
            _CONTACT.search(text)
            or _PHONE_ONLY.match(text)
            or any(len(f.value) >= 9 for f in find_phones(text) if isinstance(f.value, str))
            or find_dates(text)
            or _TIME.search(text)
        )
        if rows and (
            stop or _REG_NO.search(text) or row.top - rows[-1].bottom > 2.5 * rows[-1].height
        ):
            break
        if stop and not rows:
            if re.search(r"TAX\s+INVOICE|RECEIPT|CASHIER|INVOICE\s*NO", text, re.I):
                break
            continue
        if (
            _REG_NO.search(text)
            or _HEADER_JUNK.match(text)
            or sum(ch.isalpha() for ch in text) < 2
            or re.fullmatch(r"\s*\(.*\)\s*", text)  # a branch name or note in brackets
        ):
            continue
        if find_amounts(text) and not re.search(r"\d{5}", text):
            break
        rows.append(row)
        if len(rows) >= 6:
            break
    return rows


def _row_evidence(
    page: PageLines, rows: list[Row], text: str, conf: float, rule: str
) -> FieldEvidence:
    pieces = [p for r in rows for p in r.pieces]
    return page.evidence(pieces, text, text, conf, rule)


def extract_receipt(page: PageLines) -> dict[str, FieldEvidence | None]:
    """Evidence per receipt field; ``None`` where the page does not show the field."""
    fields: dict[str, FieldEvidence | None] = dict.fromkeys(
        ("merchant", "address", "date", "time", "subtotal", "discount", "tax", "total"), None
    )
    company = _company_rows(page)
    if company:
        name = _clean_company(" ".join(r.text for r in company))
        if name:
            conf = 0.8 if _COMPANY_SUFFIX.search(name) else 0.55
            fields["merchant"] = _row_evidence(page, company, name, conf, "top-lines")
        fuller = _fuller_name(page, company[-1], name)
        if fuller is not None:
            company, name = [fuller], _clean_company(fuller.text)
            fields["merchant"] = _row_evidence(page, company, name, 0.7, "top-lines:repeated")
        address = _address_rows(page, company[-1])
        if address:
            text = _ADDRESS_LABEL.sub("", " ".join(r.text for r in address))
            fields["address"] = _row_evidence(page, address, text, 0.6, "lines-after-merchant")
    dated = _date(page)
    if dated is not None:
        row, found, conf, rule = dated
        fields["date"] = page.evidence(
            row.pieces_in(found.start, found.end), found.value, found.text, conf, rule
        )
        m = _TIME.search(row.text, found.end) or _TIME.search(row.text)
        if m:
            hh, mm, ss, ampm = m.groups()
            h = int(hh) % 12 + (12 if ampm and ampm.upper() == "PM" else 0) if ampm else int(hh)
            value = f"{h:02d}:{mm}" + (f":{ss}" if ss else "")
            fields["time"] = page.evidence(
                row.pieces_in(m.start(), m.end()), value, m.group(0), conf, rule
            )
    hit, conf, rule = _total(page)
    if hit is not None:
        fields["total"] = page.evidence(
            hit.pieces, abs(float(hit.found.value)), hit.found.text, conf, rule
        )
    sub = _labelled_amount(page, _SUBTOTAL, None)
    if sub is not None:
        fields["subtotal"] = page.evidence(
            sub.pieces, abs(float(sub.found.value)), sub.found.text, 0.7, "label:SUBTOTAL"
        )
    tax = _labelled_amount(
        page, _TAX, re.compile(r"(INCL|ID\b|REG|NO\b|SUMMARY|INVOICE|TOTAL)", re.I)
    )
    if tax is not None:
        fields["tax"] = page.evidence(
            tax.pieces, abs(float(tax.found.value)), tax.found.text, 0.6, "label:TAX"
        )
    disc = _labelled_amount(page, _DISCOUNT, None)
    if disc is not None:
        fields["discount"] = page.evidence(
            disc.pieces, abs(float(disc.found.value)), disc.found.text, 0.6, "label:DISCOUNT"
        )
    return fields
