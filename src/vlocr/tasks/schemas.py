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


def _check_schema(schema: dict[str, Any], name: str) -> None:
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as err:
        raise InvalidOptionError(
            f"schema '{name}' is not a valid JSON Schema: {err.message}",
            "check the schema against https://json-schema.org",
        ) from None
