"""Built-in extraction schemas (``receipt``, ``invoice``) and loading of user JSON Schema files."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from vlocr.errors import InputNotFoundError, InvalidOptionError

BUILTIN_SCHEMAS = ("receipt", "invoice")


@lru_cache(maxsize=8)
def _builtin(name: str) -> str:
    return (
        resources.files("vlocr.tasks")
        .joinpath("schemas")
        .joinpath(f"{name}.json")
        .read_text(encoding="utf-8")
    )


def load_schema(schema: str | Path | dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Return ``(name, schema)`` for a built-in name, a JSON Schema file, or a schema dict."""
    if isinstance(schema, dict):
        name = str(schema.get("title") or "custom")
        _check_schema(schema, name)
        return name, schema
    text = str(schema)
    if isinstance(schema, str) and text in BUILTIN_SCHEMAS:
        return text, json.loads(_builtin(text))
    path = Path(text).expanduser()
    if not path.is_file():
        if isinstance(schema, str) and not text.lower().endswith(".json") and "/" not in text:
            raise InvalidOptionError(
                f"unknown schema '{text}'",
                f"use one of {', '.join(BUILTIN_SCHEMAS)} or the path of a JSON Schema file",
            )
        raise InputNotFoundError(
            f"schema file '{text}' does not exist", "pass an existing JSON Schema file", source=text
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InvalidOptionError(
            f"schema file '{text}' is not valid JSON ({err})",
            "fix the file; it must hold one JSON Schema object",
        ) from None
    if not isinstance(data, dict):
        raise InvalidOptionError(
            f"schema file '{text}' does not hold a JSON object",
            'a JSON Schema is an object like {"type": "object", ...}',
        )
    name = str(data.get("title") or path.stem)
    _check_schema(data, name)
    return name, data


# A schema becomes part of the prompt: a huge one (a 20,000-value enum) costs minutes of prefill,
# and a deeply nested one overflows Python's recursion in every validator that walks it.
MAX_SCHEMA_CHARS = 32_000
MAX_SCHEMA_DEPTH = 32


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of lists/dicts, counted iteratively (no recursion) and capped at ``limit``."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def check_schema_size(schema: dict[str, Any], name: str = "custom") -> None:
    """Refuse schemas too deep or too large to put in a prompt (422, before any model work)."""
    depth = _depth(schema, MAX_SCHEMA_DEPTH)
    if depth > MAX_SCHEMA_DEPTH:
        raise InvalidOptionError(
            f"schema '{name}' is nested more than {MAX_SCHEMA_DEPTH} levels deep",
            "flatten the schema; receipts and invoices need only a few levels",
        )
    size = len(json.dumps(schema, ensure_ascii=False))
    if size > MAX_SCHEMA_CHARS:
        raise InvalidOptionError(
            f"schema '{name}' is {size:,} characters as JSON, over the limit of "
            f"{MAX_SCHEMA_CHARS:,}",
            "describe fewer fields or shorter enums; the schema is sent to the model in the prompt",
        )


def _check_schema(schema: dict[str, Any], name: str) -> None:
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    check_schema_size(schema, name)
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as err:
        raise InvalidOptionError(
            f"schema '{name}' is not a valid JSON Schema: {err.message}",
            "check the schema against https://json-schema.org",
        ) from None
