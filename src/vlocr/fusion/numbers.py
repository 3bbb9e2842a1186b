"""Numbers in a VLM answer, looked up in the OCR lines: a cheap guard against invented values.

Amounts (``1,234.56``, ``¥89.50``, ``RM 10.50``, ``-12.00``), percentages (``12%``), dates
(``2024-05-12``, ``2024年5月12日``, ``12/05/2024``, ``12 May 2024``), times and long digit strings
(phone numbers, tax ids) are checked. Bare one- or two-digit integers are skipped: "3 items" is
rarely printed as-is. Dates and currencies are those of the shared value grammar
(``vlocr/values.py``), so a date the field extractor reads is the date the answer check finds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from vlocr.results import NumberCheck, OcrLine
from vlocr.values import CURRENCY, find_dates

_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")
_AMOUNT = re.compile(
    r"(?P<sign>[-−]\s?)?(?P<cur>" + CURRENCY + r")?\s?(?P<sign2>[-−])?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<pct>\s?%)?"
)


@dataclass(frozen=True)
class Number:
    raw: str
    kind: str  # amount | percent | date | time | digits
    key: str  # normalised form compared across answer and OCR


def _norm_decimal(digits: str) -> str | None:
    try:
        value = Decimal(digits.replace(",", ""))
    except InvalidOperation:
        return None
    value = abs(
        value
    )  # the sign is often printed apart from the number ("折扣 -¥12.00" vs "¥12.00")
    text = format(value.normalize(), "f")
    return text


def extract_numbers(text: str) -> list[Number]:
    """All checkable numbers in ``text``, in order, dates and times before plain amounts."""
    found: list[Number] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for date in find_dates(text):
        found.append(Number(date.text, "date", str(date.value)))
        taken.append((date.start, date.end))
    for m in _TIME.finditer(text):
        if not free(*m.span()):
            continue
        h, mi = int(m.group(1)), int(m.group(2))
        if h < 24 and mi < 60:
            found.append(
                Number(
                    m.group(0),
                    "time",
                    f"{h:02d}:{mi:02d}" + (f":{m.group(3)}" if m.group(3) else ""),
                )
            )
            taken.append(m.span())
    for m in _AMOUNT.finditer(text):
        if not free(*m.span()):
            continue
        num = m.group("num")
        start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
        if (
            start > 0
            and text[start - 1].isascii()
            and text[start - 1].isalnum()
            and not m.group("cur")
            and not m.group("sign")
        ):
            continue  # part of a word or code such as "A123"
        end = m.end()
        if end < len(text) and (text[end].isalpha() and text[end].isascii()):
            continue  # "3kg" style units or codes glued to letters are not amounts
        if m.group("pct"):
            key = _norm_decimal(num)
            if key is not None:
                found.append(Number(m.group(0).strip(), "percent", key + "%"))
            continue
        plain = num.replace(",", "")
        is_amount = "." in num or "," in num or m.group("cur")
        if not is_amount:
            if len(plain) >= 5:
                found.append(Number(num, "digits", plain))
            elif len(plain) >= 3:
                found.append(Number(num, "amount", _norm_decimal(plain) or plain))
            continue
        key = _norm_decimal(num)
        if key is not None:
            found.append(Number(m.group(0).strip(), "amount", key))
    return found


def _line_keys(line: OcrLine) -> set[str]:
    keys = {n.key for n in extract_numbers(line.text)}
    squeezed = re.sub(r"\s+", "", line.text)
    keys.update(n.key for n in extract_numbers(squeezed))
    # percentages printed without % next to a rate, and amounts whose % the OCR dropped
    keys.update(k.rstrip("%") for k in list(keys) if k.endswith("%"))
    return keys


def check_numbers(answer_text: str, lines: list[OcrLine]) -> list[NumberCheck]:
    """One ``NumberCheck`` per distinct number in the answer; found ones carry lines and boxes."""
    keys_per_line = [_line_keys(ln) for ln in lines]
    digits_per_line = [re.sub(r"\D", "", ln.text) for ln in lines]
    checks: list[NumberCheck] = []
    seen: set[str] = set()
    for number in extract_numbers(answer_text):
        if number.key in seen:
            continue
        seen.add(number.key)
        hits = []
        for i, keys in enumerate(keys_per_line):
            if number.key in keys or (number.kind == "digits" and number.key in digits_per_line[i]):
                hits.append(i)
        checks.append(
            NumberCheck(
                value=number.raw, found=bool(hits), lines=hits, boxes=[lines[i].box for i in hits]
            )
        )
    return checks
