"""Getting a JSON object out of a model reply: find it, repair common slips, coerce, validate.

Models wrap JSON in code fences, add prose around it, leave trailing commas, use single quotes or
Python literals, and write amounts as ``"¥1,234.50"``. Each repair is small and only runs when the
strict parse fails, so valid replies pass through untouched.
"""

from __future__ import annotations

import json
import re
from typing import Any

from vlocr.values import parse_amount

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_PY_LITERALS = {"None": "null", "True": "true", "False": "false"}


class JsonReplyError(ValueError):
    """The reply holds no parseable JSON object."""


def outermost_object(text: str) -> str | None:
    """The first balanced ``{...}`` in ``text``, honouring strings and escapes."""
    start = text.find("{")
    while start != -1:
        depth, in_str, esc, quote = 0, False, False, ""
        for i in range(start, len(text)):
            ch = text[i]
            if in_str:
                if esc:
                    esc = False
                elif ch == "\\":
                    esc = True
                elif ch == quote:
                    in_str = False
            elif ch in "\"'":
                in_str, quote = True, ch
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return text[start : i + 1]
        start = text.find("{", start + 1)
    return None


def _repairs(candidate: str) -> list[str]:
    fixed = (
        candidate.replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace("\u2018", "'")
        .replace("\u2019", "'")
    )
    fixed = re.sub(r"(?m)^\s*//.*$", "", fixed)
    fixed = _TRAILING_COMMA.sub(r"\1", fixed)
    out = [fixed]
    literal = re.sub(r"\b(None|True|False)\b", lambda m: _PY_LITERALS[m.group(1)], fixed)
    out.append(literal)
    if "'" in literal:
        # single-quoted keys and strings -> double quotes (apostrophes inside double quotes survive)
        swapped = re.sub(
            r"'((?:[^'\\]|\\.)*)'",
            lambda m: json.dumps(m.group(1).replace("\\'", "'"), ensure_ascii=False),
            literal,
        )
        out.append(swapped)
    return out


def parse_json_reply(text: str) -> tuple[dict[str, Any], bool]:
    """Return ``(object, repaired)``; raise ``JsonReplyError`` when no object can be recovered."""
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text
    candidate = outermost_object(body) or outermost_object(text)
    if candidate is None:
        raise JsonReplyError("the reply holds no JSON object")
    try:
        value = json.loads(candidate)
        if isinstance(value, dict):
            return value, False
    except ValueError:
        pass
    last_err = ""
    for fixed in _repairs(candidate):
        try:
            value = json.loads(fixed)
        except ValueError as err:
            last_err = str(err)
            continue
        if isinstance(value, dict):
            return value, True
    raise JsonReplyError(f"the reply's JSON does not parse ({last_err})")


def parse_number(text: str) -> float | int | None:
    """A number written as text in a JSON field: the shared value grammar's ``parse_amount``."""
    return parse_amount(text)


def _types(schema: dict[str, Any]) -> set[str]:
    t = schema.get("type")
    if isinstance(t, str):
        return {t}
    return set(t or [])


def coerce(value: Any, schema: dict[str, Any]) -> tuple[Any, bool]:
    """Fix scalar types the schema is strict about; returns ``(value, changed)``."""
    types = _types(schema)
    if isinstance(value, dict) and "properties" in schema:
        changed = False
        out = dict(value)
        for key, sub in schema["properties"].items():
            if key in out:
                out[key], c = coerce(out[key], sub)
                changed |= c
        return out, changed
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        changed = False
        items = []
        for v in value:
            nv, c = coerce(v, schema["items"])
            items.append(nv)
            changed |= c
        return items, changed
    if isinstance(value, str) and types & {"number", "integer"} and "string" not in types:
        if value.strip().lower() in ("", "null", "none", "n/a", "-") and "null" in types:
            return None, True
        number = parse_number(value)
        if number is not None:
            if "integer" in types and "number" not in types:
                if float(number).is_integer():
                    return int(number), True
                return value, False
            return number, True
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and "string" in types
        and not types & {"number", "integer"}
    ):
        return (str(int(value)) if float(value).is_integer() else str(value)), True
    return value, False


def validate(data: Any, schema: dict[str, Any]) -> list[str]:
    """Every schema violation as ``"path: message"`` (empty when valid)."""
    from jsonschema.validators import validator_for

    cls = validator_for(schema)
    errors = sorted(cls(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    out = []
    for err in errors:
        path = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{path}: {err.message}")
    return out
