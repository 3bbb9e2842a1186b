"""The extraction loop: ask, parse, repair, validate, and re-ask with the errors.

It never pretends: when the reply is still invalid after ``max_attempts``, the result says
``valid=False`` and lists the validation errors. It takes a ``generate`` callable instead of an
engine so it stays free of engine code and is easy to drive with scripted replies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vlocr.tasks.jsonfix import JsonReplyError, coerce, parse_json_reply, validate
from vlocr.tasks.prompts import fix_json_messages

DEFAULT_ATTEMPTS = 3


@dataclass
class ExtractionOutcome:
    data: dict[str, Any] | None
    valid: bool
    errors: list[str]
    attempts: int
    repaired: bool
    replies: list[Any] = field(default_factory=list)  # one Generation (or text) per attempt


def check_reply(text: str, schema: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str], bool]:
    """Parse + repair + coerce + validate one reply: ``(data, errors, repaired)``."""
    try:
        data, repaired = parse_json_reply(text)
    except JsonReplyError as err:
        return None, [f"(reply): {err}"], False
    data, changed = coerce(data, schema)
    return data, validate(data, schema), repaired or changed


def run_extraction(
    generate: Callable[[list[dict[str, Any]]], Any],
    messages: list[dict[str, Any]],
    schema: dict[str, Any],
    *,
    lang: str = "en",
    max_attempts: int = DEFAULT_ATTEMPTS,
) -> ExtractionOutcome:
    """``generate(messages)`` returns an object with ``.text`` (a ``Generation``) or a string."""
    replies: list[Any] = []
    data: dict[str, Any] | None = None
    errors: list[str] = []
    repaired = False
    convo = messages
    for attempt in range(1, max(1, max_attempts) + 1):
        reply = generate(convo)
        replies.append(reply)
        text = reply if isinstance(reply, str) else reply.text
        data, errors, repaired = check_reply(text, schema)
        if not errors:
            return ExtractionOutcome(data, True, [], attempt, repaired, replies)
        convo = fix_json_messages(convo, text, errors, lang=lang)
    return ExtractionOutcome(data, False, errors, max(1, max_attempts), repaired, replies)
