"""The one grammar for the values a page prints: amounts, dates, phone numbers, tax ids, rates.

Each finder returns spans of the text *as printed* (what a person would copy from the page) with
a normalised value next to it, so that a benchmark can compare printed text and a program can
compare values. ``parse_amount`` reads one value written alone (a model's JSON field,
``"¥1,234.50"``) and ``numbers_in`` every plain number of a reply. The field extractor
(``fields``), the number checks (``fusion``), the JSON repair (``tasks``) and the answer scoring
(``eval``) all use these, so they agree on what a date and an amount are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("JAN", "JANUARY"),
            ("FEB", "FEBRUARY"),
            ("MAR", "MARCH"),
            ("APR", "APRIL"),
            ("MAY",),
            ("JUN", "JUNE"),
            ("JUL", "JULY"),
            ("AUG", "AUGUST"),
            ("SEP", "SEPT", "SEPTEMBER"),
            ("OCT", "OCTOBER"),
            ("NOV", "NOVEMBER"),
            ("DEC", "DECEMBER"),
        ]
    )
    for m in names
}
_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"

CURRENCY = r"(?:RM|MYR|USD|SGD|S\$|HK\$|RMB|CNY|EUR|\$|¥|￥|€|£)"
_AMOUNT = re.compile(
    r"(?<![\w.,/-])(?P<cur>" + CURRENCY + r"\s?)?(?P<sign>-\s?)?(?P<cur2>" + CURRENCY + r"\s?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+\.\d{1,2}|\d+(?=\s?元))"
    r"(?![\d.,]*\d)(?![%/:])(?:\s?元)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Found:
    """One value found in a text: where it is, as printed, and normalised."""

    start: int
    end: int
    text: str
    value: str | float


def find_amounts(text: str) -> list[Found]:
    """Money amounts with decimals (``11.80``, ``RM 53.30``, ``$8.20``, ``1,234.50``, ``89元``).

    The printed text keeps a currency sign glued to the number; the value is a float (negative
    for ``-11.80``)."""
    out = []
    for m in _AMOUNT.finditer(text):
        num = m.group("num")
        try:
            value = float(num.replace(",", ""))
        except ValueError:
            continue
        if m.group("sign"):
            value = -value
        # the printed value keeps a sign and a currency glued to the number ("RM39.00", "-$5"),
        # not a currency set apart by a space ("RM 53.30" prints the amount 53.30)
        start = m.start("num")
        if m.group("cur2") and not m.group("cur2")[-1].isspace():
            start = m.start("cur2")
        if m.group("sign"):
            start = m.start("sign")
            if m.group("cur") and not m.group("cur")[-1].isspace():
                start = m.start("cur")
        elif m.group("cur") and not m.group("cur")[-1].isspace():
            start = m.start("cur")
        printed = text[start : m.end("num")].strip()
        out.append(Found(start, m.end("num"), printed, value))
    return out


def _valid(y: int, mo: int, d: int) -> bool:
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1900 <= y <= 2099):
        return False
    try:
        date(y, mo, d)
    except ValueError:
        return False
    return True


def _year(y: str) -> int:
    """A two-digit year pivots like Python's ``%y`` (POSIX): 69-99 -> 19xx, 00-68 -> 20xx."""
    n = int(y)
    if len(y) != 2:
        return n
    return n + (1900 if n >= 69 else 2000)


_D = r"(?<![\d/.-])"
_E = r"(?:(?![\d/:]|\.\d)|(?=\d{1,2}:\d{2}))"  # a time glued on by the OCR: "23/03/20183:13"
_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ymd_cjk", re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")),
    (
        "ymd",
        re.compile(
            _D
            + r"(?P<y>(?:19|20)\d{2})\s?(?P<s>[-/.])\s?(?P<m>\d{1,2})\s?(?P=s)\s?(?P<d>\d{1,2})"
            + _E
        ),
    ),
    (
        "dmy",
        re.compile(
            _D
            + r"(?P<d>\d{1,2})\s?(?P<s>[-/.])\s?(?P<m>\d{1,2})\s?(?P=s)\s?(?P<y>\d{4}|\d{2})"
            + _E
        ),
    ),
    (
        "d_mon_y",
        re.compile(
            r"(?<![\dA-Z])(?P<d>\d{1,2})\s?[-/ ]?\s?"
            + _MON
            + r"\s?[-/ ,]?\s?(?P<y>\d{4}|\d{2})"
            + _E,
            re.IGNORECASE,
        ),
    ),
    (
        "mon_d_y",
        re.compile(
            r"(?<![A-Z])"
            + _MON
            + r"[A-Z]*\s?(?P<d>\d{1,2})(?:st|nd|rd|th)?\s?,?\s?(?P<y>\d{4})"
            + _E,
            re.IGNORECASE,
        ),
    ),
    (
        "ymd8",
        re.compile(r"(?<!\d)(?P<y>20\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?!\d)"),
    ),
]


def find_dates(text: str, *, month_first: bool = False) -> list[Found]:
    """Dates in the common printed forms; the value is ISO ``YYYY-MM-DD``.

    ``dd/mm/yy`` is read day first unless the day cannot be a month's day or ``month_first`` is
    set (US pages); ``20180304`` counts only when it is a valid date of this century."""
    out: list[Found] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            groups = m.groupdict()
            y = _year(groups["y"])
            if kind in ("d_mon_y", "mon_d_y"):
                mo = MONTHS.get(groups["mon"].upper().rstrip("."), 0)
                d = int(groups["d"])
            else:
                mo, d = int(groups["m"]), int(groups["d"])
                if kind == "dmy" and (month_first and mo <= 31 and d <= 12 or mo > 12 >= d):
                    mo, d = d, mo
            if not _valid(y, mo, d):
                continue
            taken.append(m.span())
            out.append(Found(m.start(), m.end(), m.group(0).strip(), f"{y:04d}-{mo:02d}-{d:02d}"))
    return sorted(out, key=lambda f: f.start)


_NUMBER_TEXT = re.compile(
    r"^[\s(]*([-+−]?)\s*(?:[A-Za-z]{1,3}\$?|[¥￥$€£])?\s*([-+−]?)\s*(\d[\d,\s]*(?:\.\d+)?|\.\d+)"
    r"\s*(%|元|[A-Za-z]{1,3})?[\s)]*$"
)


def parse_amount(text: str) -> float | int | None:
    """One value written alone: ``"¥1,234.50"`` -> 1234.5, ``"-12.00"`` -> -12.0, ``"13%"`` ->
    0.13, ``"RM 10.50"`` -> 10.5, ``"89元"`` -> 89; None when the text is not one number."""
    m = _NUMBER_TEXT.match(text.strip())
    if not m:
        return None
    signs = m.group(1) + m.group(2)
    sign = "-" if "-" in signs or "−" in signs else ""
    digits = m.group(3).replace(",", "").replace(" ", "")
    try:
        value = float(sign + digits)
    except ValueError:
        return None
    if m.group(4) == "%":
        return round(value / 100, 10)
    return int(value) if value.is_integer() and "." not in digits else value


_PLAIN_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?|-?\.\d+")


def numbers_in(text: str) -> list[float]:
    """Every plain number in a free-text reply (thousands commas dropped, full-width digits read)."""
    import unicodedata

    out = []
    for m in _PLAIN_NUMBER.finditer(unicodedata.normalize("NFKC", text)):
        try:
            out.append(float(m.group(0).replace(",", "")))
        except ValueError:
            continue
    return out


_PHONE = re.compile(
    r"(?<![\w])(?:\+?\d{1,3}[\s-]?)?(?:\(\d{2,4}\)\s?|\d{2,4}[\s-])\d{3,4}[\s-]?\d{3,5}(?:/\d{1,4})?(?!\d)"
)


def find_phones(text: str) -> list[Found]:
    """Phone numbers like ``03-42601064``, ``(555) 201-1234``, ``021-5678 1234``, ``010-88886666``."""
    return [
        Found(m.start(), m.end(), m.group(0).strip(), re.sub(r"\D", "", m.group(0)))
        for m in _PHONE.finditer(text)
        if 7 <= len(re.sub(r"\D", "", m.group(0))) <= 15
    ]


_TAX_ID = re.compile(r"(?<![A-Z0-9])(?=[0-9A-Z-]*\d)[0-9A-Z][0-9A-Z-]{7,24}[0-9A-Z](?![A-Z0-9])")


def find_tax_ids(text: str) -> list[Found]:
    """Tax ids: 18-character Chinese credit codes, ``12-3456789`` EINs, GST numbers."""
    out = []
    for m in _TAX_ID.finditer(text.upper()):
        raw = m.group(0)
        if sum(ch.isdigit() for ch in raw) >= 6:
            out.append(Found(m.start(), m.end(), text[m.start() : m.end()], raw))
    return out


_RATE = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d{1,3})?)\s?%")


def find_rates(text: str) -> list[Found]:
    """Percentages; the value is a fraction (``13%`` -> 0.13)."""
    return [
        Found(m.start(), m.end(), m.group(0), round(float(m.group(1)) / 100, 6))
        for m in _RATE.finditer(text)
    ]
