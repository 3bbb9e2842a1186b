"""Per-token fixes for characters PP-OCR confuses in Latin text: 1/l/I, 0/O/o, 5/S, 8/B, c/0.

A character is judged by the company it keeps: letters among digits in a token shaped like an
amount, date, time, phone or id number become digits; lone digits inside words become letters.
Everything here is a pure function of a token (a whitespace-free string), so it is easy to test
and never touches CJK text. Words that are plausible as printed (``OIL``, ``SOLO``, ``BOB``,
``S$5``, ``10W-40``, ``3S``) are left alone.
"""

from __future__ import annotations

import re

TO_DIGIT = {
    "O": "0",
    "o": "0",
    "Q": "0",
    "D": "0",
    "c": "0",
    "C": "0",
    "I": "1",
    "l": "1",
    "i": "1",
    "|": "1",
    "!": "1",
    "S": "5",
    "s": "5",
    "B": "8",
    "Z": "2",
    "z": "2",
    "b": "6",
    "G": "6",
    "g": "9",
    "q": "9",
}
# digits that are read in place of letters inside words: upper-case and lower-case readings
TO_LETTER_UPPER = {"0": "O", "1": "I", "5": "S", "8": "B"}
TO_LETTER_LOWER = {"0": "o", "1": "l", "5": "s"}

CURRENCY_PREFIXES = (
    "RM",
    "S$",
    "US$",
    "USD",
    "MYR",
    "SGD",
    "HK$",
    "RMB",
    "EUR",
    "$",
    "€",
    "£",
    "¥",
    "￥",
    "Rp",
)
_SEP = "/-.:,"

# token shapes, written over a "digit-ish" class where confusable letters count as digits
_D = DIGITISH = "[0-9OoQDcCIli|!SsBZzbGgq]"
AMOUNT_RE = re.compile(
    rf"^(?P<int>{_D}{{1,3}}(?:,{_D}{{3}})+|{_D}+)(?P<sep>[.,])(?P<dec>{_D}{{2}})$"
)
DATE_RE = re.compile(rf"^{_D}{{1,4}}([/.-]){_D}{{1,2}}\1{_D}{{2,4}}$")
TIME_RE = re.compile(rf"^{_D}{{1,2}}:{_D}{{2}}(?::{_D}{{2}})?$")
PHONE_RE = re.compile(rf"^\+?{_D}{{2,4}}-{_D}{{3,4}}(?:[- ]?{_D}{{3,4}})?$")
LONG_NUMBER_RE = re.compile(rf"^{_D}{{6,}}$")


def _digit_count(s: str) -> int:
    return sum(ch.isdigit() for ch in s)


def _map_digits(body: str) -> str:
    return "".join(TO_DIGIT.get(ch, ch) for ch in body)


def _split_currency(token: str) -> tuple[str, str]:
    for prefix in sorted(CURRENCY_PREFIXES, key=len, reverse=True):
        if token.startswith(prefix) and len(token) > len(prefix):
            return prefix, token[len(prefix) :]
    return "", token


def _strip_wrappers(token: str) -> tuple[str, str, str]:
    """Split off leading '(' / '@' and trailing punctuation that is not part of a number."""
    m = re.match(r"^([(\[@#]*)(.*?)([)\],;:!?%]*)$", token)
    assert m is not None
    return m.group(1), m.group(2), m.group(3)


def fix_numeric(token: str) -> str:
    """Letters read instead of digits in amounts, dates, times, phone and long id numbers.

    The whole token must have a numeric shape and already hold real digits, so words stay words.
    """
    lead, core, trail = _strip_wrappers(token)
    if trail == "!" or "!" in trail:
        return token
    prefix, body = _split_currency(core)
    if not body or _digit_count(body) == 0:
        return token
    real = _digit_count(body)
    letters = sum(ch in TO_DIGIT for ch in body)
    if letters == 0:
        return token
    shaped = False
    if AMOUNT_RE.match(body):
        # an amount needs real digits on both sides of the point, or a currency sign in front
        m = AMOUNT_RE.match(body)
        assert m is not None
        shaped = (
            bool(prefix)
            or (_digit_count(m.group("int")) >= 1 and _digit_count(m.group("dec")) >= 1)
            or (_digit_count(m.group("int")) >= 2)
        )
    elif DATE_RE.match(body) or TIME_RE.match(body):
        shaped = real >= max(2, letters)
    elif PHONE_RE.match(body):
        shaped = real >= 4 and letters <= 1 + real // 6
    elif LONG_NUMBER_RE.match(body):
        shaped = real >= 5 and letters <= max(1, real // 4) and not body[:2].isalpha()
    if shaped:
        return lead + prefix + _map_digits(body) + trail
    return lead + prefix + _fix_interior_letters(body) + trail


def _fix_interior_letters(body: str) -> str:
    """A confusable letter squeezed between two digits ("2O19", "1O1") is a digit."""
    chars = list(body)
    for i in range(1, len(chars) - 1):
        if chars[i] in TO_DIGIT and chars[i - 1].isdigit() and chars[i + 1].isdigit():
            chars[i] = TO_DIGIT[chars[i]]
    return "".join(chars)


def fix_alpha(token: str) -> str:
    """Digits read instead of letters inside words ("INV0ICE", "Leve1", "0IL", "Te1N0."),
    and 'l'/'I' mix-ups by case ("VlSA" -> "VISA")."""
    token = _fix_letter_word(token)
    chars = list(token)
    n = len(chars)
    letters = [ch.isalpha() for ch in chars]
    if sum(letters) < 2:
        return _fix_number_sign(token)
    lower_ctx = sum(ch.islower() for ch in chars) > sum(ch.isupper() for ch in chars) or (
        any(ch.islower() for ch in chars) and not all(ch.isupper() for ch in chars if ch.isalpha())
    )

    def is_digit(i: int) -> bool:
        return 0 <= i < n and chars[i].isdigit()

    def is_letter(i: int) -> bool:
        return 0 <= i < n and chars[i].isalpha()

    for i, ch in enumerate(chars):
        if ch not in TO_LETTER_UPPER or is_digit(i - 1) or is_digit(i + 1):
            continue
        run_letters = 0
        j = i - 1
        while j >= 0 and (
            chars[j].isalpha() or chars[j] in TO_LETTER_UPPER and not is_digit(j - 1)
        ):
            run_letters += chars[j].isalpha()
            j -= 1
        k = i + 1
        after = 0
        while k < n and chars[k].isalpha():
            after += 1
            k += 1
        inside = is_letter(i - 1) and is_letter(i + 1)
        trailing = (
            is_letter(i - 1)
            and not is_letter(i + 1)
            and run_letters >= 3
            and ch in "01"
            and lower_ctx
        )
        leading = ch == "0" and i == 0 and after >= 2 and _digit_count(token) == 1
        if not (inside or trailing or leading):
            continue
        neighbour = chars[i - 1] if is_letter(i - 1) else chars[i + 1]
        lower = neighbour.islower() or lower_ctx
        table = TO_LETTER_LOWER if lower else TO_LETTER_UPPER
        if ch in table:
            chars[i] = table[ch]
    out = "".join(chars)
    return _fix_case_l(_fix_number_sign(out))


_WORD_WITH_DIGITS = re.compile(r"^([A-Za-z]+)([0158]{1,2})([A-Za-z]*)([.,:;]*)$")


def _fix_letter_word(token: str) -> str:
    """A word whose only digits are one short run of 0/1/5/8 between letters ("N00DLE"), or a
    final 0 after three capitals ("SOL0"), is all letters."""
    m = _WORD_WITH_DIGITS.match(token)
    if not m:
        return token
    head, run, tail, punct = m.groups()
    if tail and len(head) + len(tail) >= 2:
        lower = head[-1].islower()
    elif not tail and run == "0" and len(head) >= 3 and head.isupper():
        lower = False
    else:
        return token
    table = TO_LETTER_LOWER if lower else TO_LETTER_UPPER
    if any(ch not in table for ch in run):
        return token
    return head + "".join(table[ch] for ch in run) + tail + punct


def _fix_case_l(token: str) -> str:
    """'l' inside an all-capitals word is 'I'; 'I' inside a lower-case word is 'l'."""
    alpha = [ch for ch in token if ch.isalpha()]
    if len(alpha) < 3:
        return token
    others = [ch for ch in alpha if ch not in "lI"]
    if others and all(ch.isupper() for ch in others) and "l" in token:
        return token.replace("l", "I")
    if others and all(ch.islower() for ch in others) and "I" in token[1:]:
        return token[0] + token[1:].replace("I", "l")
    return token


def _fix_number_sign(token: str) -> str:
    """'N0.' / 'N0:' (the abbreviation of number) -> 'NO.'; 'n0.' / 'No' keeps its case."""
    m = re.match(r"^([Nn])0([.:]+.*)$", token)
    if m:
        return m.group(1) + ("o" if m.group(1) == "n" else "O") + m.group(2)
    return token


def fix_token(token: str) -> str:
    """Digits among digits, letters among letters: one token, both directions."""
    if not token or any(ord(ch) > 0x2FFF for ch in token):
        return token
    fixed = fix_numeric(token)
    if fixed == token:
        fixed = fix_alpha(token)
    return fixed


def split_camel(token: str) -> str:
    """'TelNo.:' -> 'Tel No.:' when there is no geometry to ask: a lower-case letter followed by
    a capital that starts a word of 2+ letters, with 3+ letters before it."""
    return re.sub(r"(?<=[A-Za-z]{2}[a-z])(?=[A-Z][a-z])", " ", token)
