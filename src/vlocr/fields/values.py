"""The value grammar (amounts, dates, phones, tax ids, rates) lives in ``vlocr/values.py``, below
``fields``, ``fusion``, ``tasks`` and ``eval`` alike, so they all agree on what a date and an
amount are. This import path stays for the field rules."""

from __future__ import annotations

from vlocr.values import (
    CURRENCY,
    MONTHS,
    Found,
    find_amounts,
    find_dates,
    find_phones,
    find_rates,
    find_tax_ids,
)

__all__ = [
    "CURRENCY",
    "MONTHS",
    "Found",
    "find_amounts",
    "find_dates",
    "find_phones",
    "find_rates",
    "find_tax_ids",
]
