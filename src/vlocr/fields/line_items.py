"""Invoice and receipt line items from OCR rows: description, quantity, unit price, amount.

How items are printed, and the rules that follow from it:

- the items sit between the column header (``DESCRIPTION  QTY  PRICE  AMOUNT``, ``品名 数量 金额``)
  or, without one, the top block, and the first summary row (``SUBTOTAL``, ``TOTAL``, ``GST``,
  ``CASH``, ``ITEM COUNT`` ...: :func:`vlocr.fields.receipt.is_summary_row`);
- an *amount row* closes an item: its last amount (a trailing tax code like ``T`` / ``SR`` /
  ``*S`` aside) is the line amount; a second amount before it is the unit price, and a small
  integer (or ``Q x U``) the quantity, taken when quantity x unit price gives the amount;
- an item's name is the amount row's text before its numbers, or, when that row holds only
  numbers (``1 X 15.57   15.57``), the text rows just above it; a text row right under an item
  that already has its name continues that name;
- a lone ``2 x 19.85`` row under an item whose amount is 39.70 gives that item's quantity and
  unit price; discount rows inside the block are items with a negative amount.

Every part keeps the OCR pieces it was read from, so a table cell or an evidence box can point
back to the page. The arithmetic (qty x unit = amount, items vs subtotal / total) is checked in
:mod:`vlocr.fusion.consistency`, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from vlocr.fields.page_lines import PageLines, Piece, Row
from vlocr.fields.receipt import is_summary_row
from vlocr.fields.values import Found, find_amounts, find_dates
from vlocr.results import OcrLine

_HEADER_WORD = re.compile(
    r"(\b(DESCRIPTION|DESC|ITEMS?|QTY|QUANTITY|PRICE|U/?PRICE|U\.?P|UNIT|AMOUNT|AMT|TOTAL|"
    r"PRODUCT|ARTICLE|NO|UOM|DISC|TAX|CODE)\b|品名|名称|数量|单价|金额|商品)",
    re.I,
)
# a header word that heads the line amount, and one that heads a column printed right of it
_AMOUNT_HEAD = re.compile(r"(\bAMOUNT\b|\bAMT\b|金\s*额)", re.I)
_TAX_HEAD = re.compile(r"(税\s*额|\bTAX\s*AMOUNT\b|\bGST\s*AMT\b)", re.I)
_NAME_HEADER = re.compile(r"^\W*(DESCRIPTION|ITEMS?|PRODUCTS?|品名|商品)\W*$", re.I)
# a token that belongs to the numbers of a row, not to its name
_NUMERIC_TOKEN = re.compile(
    r"^(-?(RM|\$|¥|￥|€|£)?-?\d[\d,]*(\.\d+)?([*]?(SR|ZR|T|S|Z|E))?|[xX×@*]|(RM|\$|¥|￥|€|£)|[*]?(T|SR|ZR|S|Z|E|N|G|TX)"
    r"|\d+[xX]|[xX]\d+|\d+(\.\d+)?%|\d[\d.]*[*xX×@]\d[\d.]*|/(KG|PC|PCS|EA))$",
    re.I,
)
_TAX_CODE = re.compile(r"^[*]?(T|SR|ZR|S|Z|E|N|G|TX)$", re.I)
_QTY_X_UNIT = re.compile(
    r"(?<![\d.])(?P<q>\d{1,4}(?:\.\d{1,3})?)\s*(?:[xX×@*]|PCS?\s*[xX@]?)\s*(?:RM|\$)?\s*"
    r"(?P<u>\d[\d,]*\.\d{1,4})(?!\d)"
)
_UNIT_X_QTY = re.compile(
    r"(?<![\d.])(?P<u>\d[\d,]*\.\d{2})\s*[*xX×]\s*(?P<q>\d{1,4}(?:\.\d{1,3})?)(?![\d.])"
)
_QTY_X_ONLY = re.compile(r"(?<![\d.])(?P<q>\d{1,4})\s*[xX×]\s*$")
_INT = re.compile(r"(?<![\d.,:/-])\d{1,3}(?![\d.,:/%])")
# a "Label: value" line or a header label; "SIZE:6-10" deep in an item name is not one
_LABELLISH = re.compile(
    r"(^[^:]{0,16}[:：]|\b(CASHIER|TABLE|PAX|INV|INVOICE|RECEIPT|SLIP|TRANS|DATE|TIME|TEL|FAX|GST\s*(ID|REG)|"
    r"COUNTER|TERMINAL|STAFF|SERVER|OPERATOR|BILL\s*NO)\b)",
    re.I,
)
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):[0-5]\d(?![\d:])")
_CJK = re.compile(r"[\u3040-\u9fff\uac00-\ud7af]")
# "@ RM 10.05 EACH" under an item: its unit price
_AT_UNIT = re.compile(
    r"^\W*@\s*(RM|\$|¥|￥)?\s*(?P<u>\d[\d,]*\.\d{2})\s*(EACH|EA|/\s*\w+)?\W*$", re.I
)
_DISCOUNT = re.compile(r"(DISCOUNT|\bDISC\b|\bLESS\b|VOUCHER|COUPON|PROMO|优惠|折扣)", re.I)


@dataclass
class LineItem:
    """One item row as read: the name, quantity, unit price and amount, each with its pieces."""

    name: str
    amount: float
    qty: float | None = None
    unit_price: float | None = None
    name_pieces: list[Piece] = field(default_factory=list)
    qty_pieces: list[Piece] = field(default_factory=list)
    unit_pieces: list[Piece] = field(default_factory=list)
    amount_pieces: list[Piece] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    discount: bool = False
    amount_text: str = ""  # the amount as printed ("$4.40", "-2.78")
    amount_row: int = 0  # the row that prints the amount

    @property
    def lines(self) -> list[int]:
        pieces = self.name_pieces + self.qty_pieces + self.unit_pieces + self.amount_pieces
        return sorted({p.index for p in pieces})

    def as_dict(self, amount_key: str = "price") -> dict[str, Any]:
        """The item under a schema's names (the receipt calls the amount ``price``, the invoice
        ``amount``)."""
        return {
            "name": self.name,
            "qty": self.qty,
            "unit_price": self.unit_price,
            amount_key: self.amount,
        }


@dataclass
class ItemBlock:
    """The items of one page, the printed column header above them (when there is one) and the
    row that ends them."""

    items: list[LineItem]
    header: Row | None = None
    end: Row | None = None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.011, 0.002 * max(abs(a), abs(b)))


def _is_header(row: Row, above: Row | None = None) -> bool:
    """A column header row (``QTY DESCRIPTION PRICE AMOUNT``); with ``above``, the second row of
    a header printed on two rows (``QTY UOM UNIT AMT`` over ``PRICE TAX CODE``)."""
    rows = [row] if above is None else [above, row]
    text = " ".join(r.text for r in rows)
    if any(
        find_amounts(r.text) or len(re.findall(r"\d", r.text.replace("(RM)", ""))) > 2 for r in rows
    ):
        return False  # "ITEM(S) : 8  QTY(S) : 11" is a count, not a header ("65T" is GST)
    if above is not None and not all(_HEADER_WORD.search(r.text) for r in rows):
        return False
    words = [m.group(0).upper() for m in _HEADER_WORD.finditer(text)]
    covered = sum(len(w) for w in words)
    return (len(set(words)) >= 2 and covered >= 0.4 * max(1, _letters(text))) or bool(
        _NAME_HEADER.match(text)
    )


def _numeric_start(text: str) -> int:
    """Where the trailing run of number-like tokens (amounts, quantities, ``x``, tax codes)
    begins: the end of the item's name."""
    tokens = list(re.finditer(r"\S+", text))
    start = len(text)
    if (
        len(tokens) >= 2
        and re.fullmatch(r"[*]?[A-Z]{1,3}\d?\.?", tokens[-1].group(0))
        and _NUMERIC_TOKEN.match(tokens[-2].group(0))
        and re.search(r"\d", tokens[-2].group(0))
    ):
        tokens = tokens[:-1]  # a tax code after the amount: "60.00 S6", "3.20 ZRL"
    for tok in reversed(tokens):
        if _NUMERIC_TOKEN.match(tok.group(0)):
            start = tok.start()
        else:
            break
    return start


def _x_at(row: Row, start: int, end: int) -> float:
    """The page x of a character span of the row text (by its share of its piece's width)."""
    piece = row.pieces_in(start, end)[0]
    x0, _, x1, _ = piece.line.bbox
    mid = (start + end) / 2 - piece.start
    return x0 + (x1 - x0) * max(0.0, min(1.0, mid / max(1, piece.end - piece.start)))


def _amount_column(header: Row | None) -> float | None:
    """Where the amount column is, when the header prints a tax column right of it (a VAT
    invoice's ``金额 税率 税额``): then the last amount of a row is the tax, not the amount."""
    if header is None:
        return None
    amount = _AMOUNT_HEAD.search(header.text)
    tax = _TAX_HEAD.search(header.text)
    if amount is None or tax is None or tax.start() < amount.end():
        return None
    return _x_at(header, amount.start(), amount.end())


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def tail_amounts(text: str) -> list[Found]:
    """The amounts printed in the row's trailing numbers (not ``2.0MM`` inside a name)."""
    tail = _numeric_start(text)
    return [a for a in find_amounts(text) if a.end > tail]


def _is_name_text(text: str) -> bool:
    """Text that can be (part of) an item name: some letters, not a code or a label."""
    alnum = sum(ch.isalnum() for ch in text)
    letters = _letters(text)
    cjk = len(_CJK.findall(text))
    wordy = letters >= 0.4 * alnum or re.search(r"[^\W\d_]{3,}", text) is not None
    return (letters >= 3 or cjk >= 2) and (wordy or cjk >= 2) and not _LABELLISH.search(text)


_TAX_CODE_END = re.compile(r"(\s+(\[?[*]?(SR|ZR|ZRL|S|Z|T|E|TX)\]?|\*+))+$")
_TAX_CODE_START = re.compile(r"^(SR|ZR)[*+]?\s+(?=\S)")


def _clean_name(text: str) -> str:
    """The name without the tax codes printed around it (``*S``, ``[SR]``, a leading ``SR``)."""
    text = re.sub(r"\s+", " ", text).strip(" -:,")
    text = _TAX_CODE_START.sub("", _TAX_CODE_END.sub("", text))
    return text.strip(" -:*,")


def _qty_unit(
    row: Row, amounts: list[Found], amount: Found, name_end: int
) -> tuple[float | None, float | None, list[Piece], list[Piece]]:
    """Quantity and unit price printed on an amount row: ``Q x U`` as printed; else a unit
    price and an integer (or a weight, ``U*Q``) taken only when they multiply to the amount;
    else the one quantity-like integer, with no unit price."""
    value = float(amount.value)
    m = _QTY_X_UNIT.search(row.text, name_end)
    if m and m.end("u") <= amount.end:
        # printed as "3 X 4.50" among the numbers: kept even when it does not give the amount,
        # so that the consistency check can say which of them was misread
        q, u = float(m.group("q")), float(m.group("u").replace(",", ""))
        return (
            q,
            u,
            row.pieces_in(m.start("q"), m.end("q")),
            row.pieces_in(m.start("u"), m.end("u")),
        )
    for m in _UNIT_X_QTY.finditer(row.text):  # "0.95*1", "10.99*1.306" (a weight)
        u, q = float(m.group("u").replace(",", "")), float(m.group("q"))
        if m.end() <= amount.end and _close(q * u, abs(value)):
            return (
                q,
                u,
                row.pieces_in(m.start("q"), m.end("q")),
                row.pieces_in(m.start("u"), m.end("u")),
            )
    ints = [
        (mi.start(), mi.end(), int(mi.group(0)))
        for mi in _INT.finditer(row.text)
        if (mi.start() >= name_end or mi.start() == 0)
        and not amount.start <= mi.start() < amount.end
    ]
    ints = [t for t in ints if 0 < t[2] <= 999]
    before = [a for a in amounts if a.end <= amount.start and float(a.value) != 0]
    if before:
        unit = before[-1]
        u = abs(float(unit.value))
        unit_pieces = row.pieces_in(unit.start, unit.end)
        for s, e, q in ints:
            if _close(q * u, abs(value)):
                return float(q), u, row.pieces_in(s, e), unit_pieces
        ratio = abs(value) / u if u else 0.0
        if ratio >= 1 and abs(ratio - round(ratio)) < 0.005 and round(ratio) <= 999:
            return float(round(ratio)), u, [], unit_pieces
        return None, None, [], []
    tail = [t for t in ints if t[0] >= name_end]
    lead = [t for t in ints if t[0] == 0 and row.text[t[1] : t[1] + 1] == " "]
    pick = lead or (tail if len(tail) == 1 else [])
    if pick:
        s, e, q = pick[0]
        return float(q), None, row.pieces_in(s, e), []
    return None, None, [], []


def _dollar_slip(text: str, amounts: list[Found], amount: Found) -> Found:
    """``$5.50  1  55.50``: the OCR read the amount's ``$`` as a ``5``. Taken back only when the
    unit price printed with its ``$`` times a quantity on the row gives the amount without it."""
    if len(amounts) < 2 or not amounts[-2].text.startswith("$") or amount is not amounts[-1]:
        return amount
    if amount.text[:1] not in "5S" or len(amount.text) < 5:
        return amount
    try:
        fixed = float(amount.text[1:].replace(",", ""))
    except ValueError:
        return amount
    unit = abs(float(amounts[-2].value))
    qtys = [int(m.group(0)) for m in _INT.finditer(text[amounts[-2].end : amount.start])] or [1]
    if any(_close(q * unit, fixed) for q in qtys) and not any(
        _close(q * unit, abs(float(amount.value))) for q in qtys
    ):
        return Found(amount.start + 1, amount.end, amount.text[1:], fixed)
    return amount


def _block_bounds(page: PageLines) -> tuple[int, int, Row | None, Row | None]:
    """First and last row index (exclusive) of the item block, the header row and the end row."""
    rows = page.rows
    first_summary = next(
        (
            r.index
            for r in rows
            if is_summary_row(r.text)
            and not _is_header(r)
            and any(find_amounts(x.text) for x in rows[: r.index + 1])
        ),
        len(rows),
    )
    first_amount = next(
        (r.index for r in rows if tail_amounts(r.text) and not _LABELLISH.search(r.text)),
        first_summary,
    )
    header = None
    for row in rows[: min(first_summary, first_amount)]:
        above = rows[row.index - 1] if row.index > 0 else None
        if _is_header(row) or (above is not None and _is_header(row, above)):
            header = row
    start = header.index + 1 if header is not None else 0
    end_row = rows[first_summary] if first_summary < len(rows) else None
    # a receipt without a column header: items begin after the last dated / labelled top row
    if header is None:
        for row in rows[:first_summary]:
            if find_amounts(row.text) and not _LABELLISH.search(row.text):
                break
            if _LABELLISH.search(row.text) or find_dates(row.text) or _TIME.search(row.text):
                start = row.index + 1
    return start, first_summary, header, end_row


def _numeric_count(text: str) -> int:
    return len(text[_numeric_start(text) :].split())


def _block_rows(page: PageLines, start: int, stop: int) -> list[Row]:
    """The block's rows, and the item rows printed after a part total when they look like the
    ones above it (the same run of three or more numbers: ``TOTAL 0% SUPPLIES`` and then the
    taxed items of a delivery note)."""
    rows = list(page.rows[start:stop])
    counts = [_numeric_count(r.text) for r in rows if tail_amounts(r.text)]
    if not counts:
        return rows
    shape = max(set(counts), key=counts.count)

    def same(row: Row) -> bool:
        text = row.text
        return (
            not is_summary_row(text)
            and bool(tail_amounts(text))
            and _numeric_count(text) == shape
            and _is_name_text(text[: _numeric_start(text)])
        )

    k = stop
    while shape >= 3 and k + 1 < len(page.rows) and same(page.rows[k + 1]):
        k += 1
        while k < len(page.rows) and same(page.rows[k]):
            rows.append(page.rows[k])
            k += 1
    return rows


def find_items(page: PageLines) -> ItemBlock:
    """The line items of a page (an empty block when it prints none)."""
    start, stop, header, end_row = _block_bounds(page)
    items: list[LineItem] = []
    pending: list[Row] = []  # text rows not yet given to an item
    pending_qty: tuple[float, list[Piece]] | None = None
    amount_x = _amount_column(header)
    for row in _block_rows(page, start, stop):
        amounts = tail_amounts(row.text)
        at = _AT_UNIT.match(row.text)
        if at and items and not items[-1].unit_pieces:
            last, u = items[-1], float(at.group("u").replace(",", ""))
            last.unit_price, last.unit_pieces = u, row.pieces_in(at.start("u"), at.end("u"))
            last.rows.append(row.index)
            continue
        if not amounts:
            only = _QTY_X_ONLY.search(row.text)
            if only:  # "1 X" printed left of a price on the row below
                pending_qty = (
                    float(only.group("q")),
                    row.pieces_in(only.start("q"), only.end("q")),
                )
            if _is_name_text(row.text):
                pending.append(row)
            continue
        # a lone "2 x 19.85" under an item gives that item's quantity and unit price
        qx = _QTY_X_UNIT.fullmatch(row.text.strip())
        if qx and items and len(amounts) == 1:
            q, u = float(qx.group("q")), float(qx.group("u").replace(",", ""))
            last = items[-1]
            if _close(q * u, abs(last.amount)) and last.qty_pieces == []:
                off = len(row.text) - len(row.text.lstrip())
                last.qty, last.unit_price = q, u
                last.qty_pieces = row.pieces_in(off + qx.start("q"), off + qx.end("q"))
                last.unit_pieces = row.pieces_in(off + qx.start("u"), off + qx.end("u"))
                last.rows.append(row.index)
                continue
        amount = amounts[-1]
        if amount_x is not None:
            amount = min(amounts, key=lambda a: abs(_x_at(row, a.start, a.end) - amount_x))
        amount = _dollar_slip(row.text, amounts, amount)
        name_end = min(_numeric_start(row.text), amount.start)
        glued = row.pieces_in(name_end, name_end + 1)[0]
        if glued.start < name_end < glued.end <= amount.start:
            name_end = glued.end  # "Free Range Eggs 12": a number in the name's own OCR line
        name_text = _clean_name(row.text[:name_end])
        qty, unit, qty_pieces, unit_pieces = _qty_unit(row, amounts, amount, name_end)
        lead = re.match(r"^(\d{1,3})\s*([xX×*]\s+|\s+)(?=\S)", name_text)
        if qty is not None and lead and qty_pieces and qty_pieces[0].start == 0:
            name_text = name_text[lead.end() :]  # "1 205 SUONG NON" -> qty 1, "205 SUONG NON"
        own_name = _is_name_text(name_text)
        name_rows: list[Row] = []
        if pending and items and not items[-1].name:
            _continue_name(items[-1], pending)  # the name printed under its amount row
            pending = []
        if pending and own_name and items:
            _continue_name(items[-1], pending)
        elif pending:
            name_rows = pending[-3:]
        pending = []
        names = [r.text for r in name_rows] + ([name_text] if own_name else [])
        value = float(amount.value)
        is_discount = _DISCOUNT.search(" ".join(names)) is not None
        if is_discount and value > 0:
            value = -value
        if qty is None and pending_qty is not None:
            qty, qty_pieces = pending_qty
        pending_qty = None
        items.append(
            LineItem(
                name=_clean_name(" ".join(names)),
                amount=value,
                qty=qty,
                unit_price=unit,
                name_pieces=[p for r in name_rows for p in r.pieces]
                + (row.pieces_in(0, name_end) if own_name else []),
                qty_pieces=qty_pieces,
                unit_pieces=unit_pieces,
                amount_pieces=row.pieces_in(amount.start, amount.end),
                rows=[r.index for r in name_rows] + [row.index],
                discount=is_discount,
                amount_text=amount.text,
                amount_row=row.index,
            )
        )
    if pending and items:  # the last item's name wraps onto the row under it
        _continue_name(items[-1], pending[:1])
    items = [it for it in items if it.name]  # numbers with no name anywhere near: not items
    if header is None and end_row is None:
        items = []  # rows of numbers with neither an item header nor a total: a plain table
    per_row = sorted(len(tail_amounts(page.rows[it.amount_row].text)) for it in items)
    if header is None and per_row and per_row[len(per_row) // 2] >= 3:
        items = []  # three amounts a row and more, no item header: a table of figures
    return ItemBlock(items, header if items else None, end_row if items else None)


def _continue_name(item: LineItem, rows: list[Row]) -> None:
    item.name = _clean_name(" ".join([item.name] + [r.text for r in rows]))
    item.name_pieces += [p for r in rows for p in r.pieces]
    item.rows += [r.index for r in rows]


def line_items(
    lines: list[OcrLine], width: float = 0, height: float = 0, amount_key: str = "price"
) -> list[dict[str, Any]]:
    """The items of one page's OCR lines as schema dicts (``name``, ``qty``, ``unit_price`` and
    ``amount_key``)."""
    page = PageLines.build(lines, width, height)
    return [item.as_dict(amount_key) for item in find_items(page).items]
