"""Arithmetic checks on extracted invoices and receipts (the article's "金额×税率=税额" check).

Amounts may be numbers or strings like ``"¥1,234.50"``. Rounding tolerance is 2 cents or 0.1 %
of the value, whichever is larger, because invoices round tax per line.
"""

from __future__ import annotations

from typing import Any

from vlocr.results import ConsistencyIssue
from vlocr.values import parse_amount


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        n = parse_amount(value)
        return float(n) if n is not None else None
    return None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.02, 0.001 * max(abs(a), abs(b)))


def _rate(value: Any) -> float | None:
    rate = _num(value)
    if rate is None:
        return None
    return rate / 100 if rate > 1 else rate  # 13 and 0.13 both mean 13 %


def _items_sum(items: Any, amount_key: str, unit_key: str = "unit_price") -> float | None:
    if not isinstance(items, list) or not items:
        return None
    total = 0.0
    for item in items:
        if not isinstance(item, dict):
            return None
        value = _num(item.get(amount_key))
        if value is None:
            qty, unit = _num(item.get("qty")), _num(item.get(unit_key))
            if qty is None or unit is None:
                return None
            value = qty * unit
        total += value
    return round(total, 2)


def _rounded(expected: float, total: float) -> bool:
    """``total`` is ``expected`` rounded to 5 cents (cash rounding, printed as a rounding line)."""
    return abs(expected - total) <= 0.025 + 1e-9 and abs(total * 20 - round(total * 20)) < 1e-6


def _positive_sum(items: Any, amount_key: str) -> float | None:
    """The items without their discount lines (negative amounts), for a subtotal printed before
    the discounts."""
    if not isinstance(items, list):
        return None
    kept = [i for i in items if isinstance(i, dict) and (_num(i.get(amount_key)) or 0.0) >= 0]
    return _items_sum(kept, amount_key) if len(kept) < len(items) else None


def check_items(items: Any, amount_key: str) -> list[ConsistencyIssue]:
    """Each item's quantity x unit price = its amount, where all three are given."""
    issues: list[ConsistencyIssue] = []
    if not isinstance(items, list):
        return issues
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        qty, unit, amount = (
            _num(item.get("qty")),
            _num(item.get("unit_price")),
            _num(item.get(amount_key)),
        )
        if qty is None or unit is None or amount is None:
            continue
        expected = round(qty * unit, 2)
        if not _close(expected, abs(amount)):
            name = str(item.get("name") or f"item {n + 1}")
            issues.append(
                ConsistencyIssue(
                    rule="item_qty_x_unit_eq_amount",
                    message=f"{name}: qty {qty:g} x unit price {unit:.2f} = {expected:.2f}, "
                    f"but the amount is {amount:.2f}",
                    expected=expected,
                    found=amount,
                )
            )
    return issues


def _sums_to(items: Any, amount_key: str, target: float) -> bool:
    """The items add up to ``target``, with or without their discount lines."""
    full = _items_sum(items, amount_key)
    positive = _positive_sum(items, amount_key)
    return any(s is not None and _close(s, target) for s in (full, positive))


def check_invoice(data: dict[str, Any]) -> list[ConsistencyIssue]:
    """amount x tax_rate = tax, each item's qty x unit price = its amount, items add up to
    amount (to the total, or the total less tax, when no amount before tax is given), amount +
    tax = total."""
    issues: list[ConsistencyIssue] = check_items(data.get("items"), "amount")
    amount, tax, total, rate = (
        _num(data.get("amount")),
        _num(data.get("tax")),
        _num(data.get("total")),
        _rate(data.get("tax_rate")),
    )
    if amount is not None and rate is not None and tax is not None:
        expected = round(amount * rate, 2)
        if not _close(expected, tax):
            issues.append(
                ConsistencyIssue(
                    rule="amount_x_rate_eq_tax",
                    message=f"amount {amount:.2f} x rate {rate:.4g} = {expected:.2f}, but tax is {tax:.2f}",
                    expected=expected,
                    found=tax,
                )
            )
    items = _items_sum(data.get("items"), "amount")
    if items is not None and amount is not None:
        if not _sums_to(data.get("items"), "amount", amount):
            issues.append(
                ConsistencyIssue(
                    rule="items_sum_eq_amount",
                    message=f"items add up to {items:.2f}, but amount is {amount:.2f}",
                    expected=items,
                    found=amount,
                )
            )
    elif items is not None and total is not None:
        targets = [total] + ([round(total - tax, 2)] if tax is not None else [])
        if not any(_sums_to(data.get("items"), "amount", t) for t in targets):
            issues.append(
                ConsistencyIssue(
                    rule="items_sum_eq_total",
                    message=f"items add up to {items:.2f}, but total is {total:.2f}"
                    + (f" ({total - tax:.2f} before tax)" if tax is not None else ""),
                    expected=items,
                    found=total,
                )
            )
    if amount is not None and tax is not None and total is not None:
        expected = round(amount + tax, 2)
        if not _close(expected, total):
            issues.append(
                ConsistencyIssue(
                    rule="amount_plus_tax_eq_total",
                    message=f"amount {amount:.2f} + tax {tax:.2f} = {expected:.2f}, but total is {total:.2f}",
                    expected=expected,
                    found=total,
                )
            )
    return issues


def check_receipt(data: dict[str, Any]) -> list[ConsistencyIssue]:
    """Each item's qty x unit price = its price; items add up to subtotal (with or without
    their discount lines); subtotal (or the items) - discount (+ tax, unless tax is included) =
    total, give or take a 5-cent rounding."""
    issues: list[ConsistencyIssue] = check_items(data.get("items"), "price")
    items = _items_sum(data.get("items"), "price")
    subtotal = _num(data.get("subtotal"))
    if (
        items is not None
        and subtotal is not None
        and not _sums_to(data.get("items"), "price", subtotal)
    ):
        issues.append(
            ConsistencyIssue(
                rule="items_sum_eq_subtotal",
                message=f"items add up to {items:.2f}, but subtotal is {subtotal:.2f}",
                expected=items,
                found=subtotal,
            )
        )
    base = subtotal if subtotal is not None else items
    total = _num(data.get("total"))
    if base is not None and total is not None:
        discount = abs(_num(data.get("discount")) or 0.0)
        if subtotal is None and _positive_sum(data.get("items"), "price") is not None:
            discount = 0.0  # the items' own discount lines already took it off
        tax = _num(data.get("tax")) or 0.0
        with_tax = round(base - discount + tax, 2)
        tax_included = round(base - discount, 2)
        if not any(_close(x, total) or _rounded(x, total) for x in (with_tax, tax_included)):
            what = "subtotal" if subtotal is not None else "items"
            issues.append(
                ConsistencyIssue(
                    rule="subtotal_minus_discount_plus_tax_eq_total",
                    message=f"{what} {base:.2f} - discount {discount:.2f} + tax {tax:.2f} = {with_tax:.2f}, but total is {total:.2f}",
                    expected=with_tax,
                    found=total,
                )
            )
    return issues


def check_consistency(schema_name: str, data: dict[str, Any] | None) -> list[ConsistencyIssue]:
    """The rule set for a built-in schema name; other schemas have no rules."""
    if not data:
        return []
    if schema_name == "invoice":
        return check_invoice(data)
    if schema_name == "receipt":
        return check_receipt(data)
    return []
