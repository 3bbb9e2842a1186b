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

from vlocr.fields.page_lines import PageLines, Piece, Row
from vlocr.fields.values import Found, find_amounts, find_dates, find_phones
from vlocr.results import FieldEvidence

_COMPANY_SUFFIX = re.compile(
    r"(SDN\W{0,2}BHD|\bBHD\b|\bS/B\b|\b5/B\b|\bBERHAD\b|ENTERPRISE|TRADING|\bLTD\b|LIMITED|\bLLC\b"
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
_PHONE_LABEL = re.compile(r"(\bTEL\b|PHONE|\bFAX\b|电话|\d{2,4}-\d{6,8})", re.I)
_REG_NUMBER = re.compile(r"\b\d{5,8}\s*-\s*[A-Z]\b")  # a company number, e.g. 124525-H
_ADDRESS_START = re.compile(
    r"(\d|\b(NO|LOT|UNIT|LEVEL|FLOOR|FLR|BLOCK|BLK|JALAN|JLN|LORONG|TAMAN|ROAD|RD|STREET|ST|AVE|"
    r"AVENUE|BUILDING|PLAZA|MALL|KOMPLEKS|WISMA|MENARA|SUITE)\b|[路街道号区市省])",
    re.I,
)
_PHONE_ONLY = re.compile(r"^\W*\+?[\d\s()/-]{9,}\W*$")


def _tolerant(pattern: str, flags: int = re.I) -> re.Pattern[str]:
    """Compile a label pattern that also matches the usual OCR slips in its key words:
    O/0/Q, A/4, L/1/I in TOTAL, M/N and O/0 in AMOUNT."""
    pattern = pattern.replace("TOTAL", "T[O0Q]T[A4][L1I]").replace("AMOUNT", "A[MN][O0]UNT")
    return re.compile(pattern, flags)


_TOTAL_LABELS: list[tuple[float, re.Pattern[str]]] = [
    (
        10.0,
        _tolerant(
            r"(ROUND(ED|ING)?\s*(NETT?\s*)?TOTAL|TOTAL\s*(AFTER\s*)?ROUND(ED|ING)?|TOTAL\s*AFTER\s*(ADJ|ROUND|DISC)|GRAND\s*TOTAL|NETT?\s*TOTAL|"
            r"TOTAL\s*(AMOUNT\s*)?(PAYABLE|DUE)|AMOUNT\s*(PAYABLE|DUE)|BALANCE\s*DUE|TOTAL\s*TO\s*PAY|"
            r"(AMOUNT|AMT)\s*PAID|"
            r"实付|应付|实收|应收|价税合计|支付金额|付款金额)",
            re.I,
        ),
    ),
    (
        8.0,
        _tolerant(
            r"(\bTOTAL\b|\bTOTAL(?=RM|:|\()|TOTAL\s*\(?RM|\bJUMLAH\b|合计|总计|合計|总额|金额合计)",
            re.I,
        ),
    ),
    (4.0, _tolerant(r"(\bNET\s*AMT|\bAMOUNT\b|\bAMT\b|\bNETT\b)", re.I)),
]
_NOT_TOTAL = _tolerant(
    r"(SUB\s*-?\s*TOTAL|小计|TOTAL\s*\d+(\.\d+)?\s*%|TOTAL\s*(NO\.?\s*OF\s*)?(QTY|QUANTITY|ITEMS?|PCS|UNITS?|SAVINGS?|SAVED|DISCOUNTS?|"
    r"POINTS?|WEIGHT|TAX\b|GST\b|SST\b|SERVICE|EXCL|EXCLUSIVE|BEFORE)|\bEXCL|BEFORE\s*(GST|TAX)|ITEM\s*COUNT|"
    r"TAX\s*AMOUNT|GST\s*AMOUNT|CHANGE|ROUNDING\s*ADJ|ADJUSTMENT|\bQTY\b|DEPOSIT|找零|折扣|优惠|税额)",
    re.I,
)
_PAID = re.compile(
    r"(\bCASH\b|\bVISA\b|MASTER|\bCARD\b|\bEDC\b|CREDIT|DEBIT|\bPAID\b|PAYMENT|TENDER|\bNETS\b|"
    r"E-?WALLET|BOOST|GRABPAY|TOUCH\s*N|微信|支付宝|现金|银行卡)",
    re.I,
)
_ROUNDING = re.compile(r"^\W*ROUNDING\b(?!\s*ADJ)", re.I)
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
    positive = [a for a in amounts if float(a[0].value) > 0]
    if positive or amounts:
        found, pieces = (positive or amounts)[-1]  # a trailing "0.00" is a rounding column
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
    """The strongest labelled total; then rounding (a later total within 5 cents of it replaces
    it); without a label, what was paid minus the change, the payment, or an amount printed three
    times or more. A value is always one printed on the page."""
    paid: list[tuple[float, AmountHit]] = []
    change: list[float] = []
    all_values: list[float] = []
    for row in page.rows:
        amounts = _row_amounts(row)
        for f, _ in amounts:
            all_values.append(abs(float(f.value)))
        if amounts and _CHANGE.search(row.text):
            change.append(abs(float(amounts[-1][0].value)))
        elif amounts and _PAID.search(row.text):
            found, pieces = amounts[-1]
            paid.append((abs(float(found.value)), AmountHit(row, found, pieces, row)))
    paid_values = [v for v, _ in paid]
    candidates: list[tuple[float, AmountHit, str]] = []
    summary_until = -1
    for row in page.rows:
        if _SUMMARY.search(row.text):
            summary_until = row.index + 2
        if row.index <= summary_until or (
            summary_until >= 0 and row.index == summary_until + 1 and len(_row_amounts(row)) >= 2
        ):
            if row.index > summary_until:
                summary_until = row.index  # the tax summary table goes on while rows are tabular
            continue
        if _NOT_TOTAL.search(row.text) and not _TOTAL_LABELS[0][1].search(row.text):
            continue
        rounding = _ROUNDING.search(row.text)
        for priority, pattern in [*_TOTAL_LABELS, (3.0, _ROUNDING)] if rounding else _TOTAL_LABELS:
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
            candidates.append((score, hit, m.group(0).strip()))
            break
    strong = [c for c in candidates if c[0] >= 5.0]
    if strong:
        best = max(strong, key=lambda c: c[0])  # the first of equal candidates wins
        value = float(best[1].found.value)
        for cand in candidates:
            later = cand[1].label_row.index > best[1].label_row.index
            cvalue = float(cand[1].found.value)
            if later and 0 < abs(cvalue - value) <= 0.05 and cvalue * 20 == round(cvalue * 20):
                best = (best[0], cand[1], cand[2])  # rounded to 5 cents: the amount paid
                break
        value = float(best[1].found.value)
        for given_back in change:
            for cand in candidates:  # "ACCEPTED TOTAL 10.00 / CHANGE 5.00": 10.00 was tendered
                if (
                    given_back > 0
                    and abs(float(cand[1].found.value) - (value - given_back)) < 0.005
                ):
                    best = cand
        return best[1], min(1.0, best[0] / 11.0), f"label:{best[2].upper()}"
    for tendered, hit in paid:
        for given_back in change:
            due = round(tendered - given_back, 2)
            for row in page.rows:
                for found, pieces in _row_amounts(row):
                    if due > 0 and abs(float(found.value)) == due and row is not hit.row:
                        return AmountHit(row, found, pieces, row), 0.5, "paid-minus-change"
    repeated = [v for v in set(all_values) if v > 0 and all_values.count(v) >= 3]
    if candidates and not repeated:
        best = max(candidates, key=lambda c: c[0])
        return best[1], min(1.0, best[0] / 11.0), f"label:{best[2].upper()}"
    if paid and not repeated:
        return paid[0][1], 0.4, "paid"
    if repeated:  # no label the OCR could read: an amount printed three times or more
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
        text = _TRAILING_REG.sub("", text.rstrip(" ,;:-")).strip()
    return text.strip(" -:,")


_CONTINUED = re.compile(
    r"^\W*(\(|CO\.|SDN|BHD|S/B|LTD|INC\b|LLC|LIMITED|BERHAD|ENTERPRISE|TRADING|有限公司)", re.I
)


def _continues(prev: Row, row: Row) -> bool:
    """Whether ``row`` carries on the name begun on ``prev`` (a wrapped legal suffix, an open
    bracket, a trailing "&")."""
    if row.top - prev.bottom > 1.5 * prev.height or _CONTACT.search(prev.text):
        return False
    opened = prev.text.count("(") > prev.text.count(")")
    return (
        bool(_CONTINUED.match(row.text)) or opened or prev.text.rstrip().endswith(("&", "-", ","))
    )


_ENDS_WITH_SUFFIX = re.compile(
    r"(SDN\W{0,2}BHD|\bBHD|S/B|BERHAD|LTD|LIMITED|LLC|INC|有限公司)\W*$", re.I
)


def _continues_down(prev: Row, row: Row) -> bool:
    """Whether the name goes on below ``prev``: only while a bracket is open or the legal suffix
    is still to come, never into a registration number or contact line."""
    if _REG_NO.search(row.text) or _CONTACT.search(row.text) or _ENDS_WITH_SUFFIX.search(prev.text):
        return False
    if row.top - prev.bottom > 1.5 * prev.height:
        return False
    opened = prev.text.count("(") > prev.text.count(")")
    return opened or bool(
        re.match(r"^\W*(SDN|BHD|S/B|LTD|LLC|INC\b|LIMITED|BERHAD|有限公司)", row.text, re.I)
    )


def _company_rows(page: PageLines) -> tuple[list[Row], str]:
    """The rows of the name and its text: the first header row with a legal suffix among the
    top rows (with the rows it wraps from), else the first header row that is not contact
    information."""
    top = [r for r in page.rows[:8] if _is_header_text(r)]
    plain = [r for r in top if not _CONTACT.search(r.text)]
    if not plain:
        return [], ""
    for i, row in enumerate(top[:5]):
        if find_dates(row.text):
            break
        m = _COMPANY_SUFFIX.search(row.text)
        if _CONTACT.search(row.text) and not (m and not _PHONE_LABEL.search(row.text)):
            continue
        if m and not _REG_NO.search(row.text.split("(")[0] or "x"):
            rows = [row]
            j = i
            while j > 0 and len(rows) < 3 and _continues(top[j - 1], rows[0]):
                rows.insert(0, top[j - 1])
                j -= 1
            k = i
            while k + 1 < len(top) and len(rows) < 4 and _continues_down(rows[-1], top[k + 1]):
                rows.append(top[k + 1])
                k += 1
            # drop pieces printed right of the name on its last row ("... SDN BHD   3E")
            end = _COMPANY_SUFFIX.search(rows[-1].text)
            last = [pc.line.text for pc in rows[-1].pieces if end is None or pc.start < end.end()]
            text = " ".join([r.text for r in rows[:-1]] + last)
            return rows, text
    return [plain[0]], plain[0].text


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
            or re.search(r"\d{10,}", text)  # ids and phone numbers, never part of an address
        )
        if rows and (
            stop
            or _REG_NO.search(text)
            or _REG_NUMBER.search(text)
            or row.top - rows[-1].bottom > 2.5 * rows[-1].height
        ):
            break
        if stop and not rows:
            if re.search(r"TAX\s+INVOICE|RECEIPT|CASHIER|INVOICE\s*NO", text, re.I):
                break
            continue
        if (
            _REG_NO.search(text)
            or _REG_NUMBER.search(text)
            or _HEADER_JUNK.match(text)
            or sum(ch.isalpha() for ch in text) < 2
            or re.fullmatch(r"\s*\(.*\)\s*", text)  # a branch name or note in brackets
        ):
            continue
        if find_amounts(text) and not re.search(r"\d{5}", text):
            break
        if not rows and not _ADDRESS_START.search(text):
            continue  # a branch or brand line between the name and the address
        rows.append(row)
        if len(rows) >= 6:
            break
    return rows


def _row_evidence(
    page: PageLines, rows: list[Row], text: str, conf: float, rule: str
) -> FieldEvidence:
    pieces = [p for r in rows for p in r.pieces]
    text = _fold_accents(text, page)
    return page.evidence(pieces, text, text, conf, rule)


def _fold_accents(text: str, page: PageLines) -> str:
    """On a page printed in plain ASCII letters, an accented Latin letter is an OCR slip
    (``SETIA ÁLAM``): fold it back. Pages that use accents or other scripts keep them."""
    import unicodedata

    letters = [ch for ln in page.lines for ch in ln.text if ch.isalpha()]
    if not letters or sum(ch.isascii() for ch in letters) < 0.97 * len(letters):
        return text
    out = []
    for ch in text:
        base = unicodedata.normalize("NFKD", ch)[0] if not ch.isascii() else ch
        out.append(base if base.isascii() and base.isalpha() else ch)
    return "".join(out)


def extract_receipt(page: PageLines) -> dict[str, FieldEvidence | None]:
    """Evidence per receipt field; ``None`` where the page does not show the field."""
    fields: dict[str, FieldEvidence | None] = dict.fromkeys(
        ("merchant", "address", "date", "time", "subtotal", "discount", "tax", "total"), None
    )
    company, company_text = _company_rows(page)
    if company:
        name = _clean_company(company_text)
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


def _loose(pattern: str) -> re.Pattern[str]:
    """Like :func:`_tolerant`, and also the worse slips seen on faded summary rows (``IUIAL``,
    ``Tatal``, ``lotal``); used only to find where item rows end."""
    pattern = pattern.replace("TOTAL", "[TIl1][O0QAU][TIl1][A4][L1I]")
    return re.compile(pattern.replace("AMOUNT", "A[MN][O0]UNT"), re.I)


_SUMMARY_START = _loose(
    r"^\W*(SUB\s*-?\s*TOTAL|TOTAL|GRAND|NETT?\b|ROUND|ITEMS?\s*(\(S\))?\s*(COUNT|:)|ITEM\(S\)|"
    r"NO\.?\s*OF\s*ITEMS?|QTY\s*(\(S\))?\s*:|TOTAL\s*QTY|GST|SST|VAT|TAX|SERV(ICE)?\.?\s*(CHARGE|CHG|TAX)|"
    r"CASH|CHANGE|BALANCE|PAYMENT|PAID|TENDER|VISA|MASTER|AMEX|CREDIT|DEBIT|CARD|"
    r"AMOUNT\s*(DUE|PAID|PAYABLE|INCL|EXCL)|"
    r"合\s*计|小\s*计|总\s*计|实\s*付|应\s*付|找\s*零|税)(?![A-Za-z])"  # not CASHEW, CARDIGAN
)
_SUMMARY_ANYWHERE = _loose(
    r"(SUB\s*-?\s*TOTAL|\bTOTAL\b|"
    r"ROUNDING|\bCHANGE\b|ITEM\s*COUNT|合计|小计|总计)"
)


def is_summary_row(text: str) -> bool:
    """Whether a row is part of the receipt's summary (subtotal, total, tax, rounding, payment,
    change, item count) rather than an item: where the item rows end."""
    return bool(_SUMMARY_START.search(text) or _SUMMARY_ANYWHERE.search(text))
