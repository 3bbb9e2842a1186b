from __future__ import annotations

import json
from pathlib import Path

import pytest

from vlocr.errors import InputNotFoundError, InvalidOptionError
from vlocr.results import ChatMessage
from vlocr.tasks import (
    PROMPT_VERSIONS,
    chat_messages,
    check_reply,
    detect_lang,
    load_schema,
    parse_json_reply,
    parse_number,
    run_extraction,
    transcribe_messages,
)


def test_detect_lang() -> None:
    assert detect_lang("实付金额是多少?") == "zh" and detect_lang("What is the total?") == "en"


def test_prompt_versions_cover_every_task() -> None:
    assert set(PROMPT_VERSIONS) == {"transcribe", "ask", "chat", "extract", "json_mode"}


def test_transcribe_prompts() -> None:
    plain = transcribe_messages(lang="zh")[1]["content"][1]["text"]
    assert "分行显示" in plain and "保留原始顺序" in plain
    structured = transcribe_messages(structured=True, lang="en")[1]["content"]
    assert structured[0] == {"type": "image"} and "【识别文字】" in structured[1]["text"]


def test_chat_image_in_first_user_turn_only() -> None:
    hist = [
        ChatMessage(role="assistant", content="stray"),
        ChatMessage(role="user", content="a"),
        ChatMessage(role="assistant", content="b"),
    ]
    msgs = chat_messages(hist, "c", role="Be terse.")
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user"]
    assert msgs[0]["content"] == "Be terse."
    assert msgs[1]["content"][0] == {"type": "image"} and msgs[1]["content"][1]["text"] == "a"
    assert msgs[3] == {"role": "user", "content": "c"}


@pytest.mark.parametrize(
    "reply",
    [
        '```json\n{"total": 1.5}\n```',
        'Here it is: {"total": 1.5,} thanks',
        "{'total': 1.5}",
        '{"total": 1.5, "note": None}',
    ],
)
def test_parse_json_reply_repairs(reply: str) -> None:
    data, _ = parse_json_reply(reply)
    assert data["total"] == 1.5


def test_parse_json_reply_nested_braces_in_strings() -> None:
    data, repaired = parse_json_reply('x {"a": "}{", "b": {"c": 1}} y')
    assert data == {"a": "}{", "b": {"c": 1}} and not repaired


@pytest.mark.parametrize(
    "text,value",
    [
        ("¥1,234.56", 1234.56),
        ("RM 10.50", 10.5),
        ("-12.00", -12.0),
        ("12%", 0.12),
        ("89.50元", 89.5),
        ("abc", None),
    ],
)
def test_parse_number(text: str, value: float | None) -> None:
    assert parse_number(text) == value


def test_check_reply_coerces_strings_to_numbers() -> None:
    _, schema = load_schema("receipt")
    data, errors, repaired = check_reply(
        '{"merchant": "M", "date": null, "items": [{"name": "Milk", "qty": "2", "price": "¥9.00"}], "total": "¥1,009.00"}',
        schema,
    )
    assert (
        errors == [] and repaired and data["total"] == 1009.0 and data["items"][0]["price"] == 9.0
    )


def test_run_extraction_stops_when_valid_and_reports_invalid() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "number"}}, "required": ["n"]}
    replies = iter(["nothing", '{"n": "x"}', '{"n": 3}'])
    outcome = run_extraction(
        lambda m: next(replies), [{"role": "user", "content": "go"}], schema, max_attempts=5
    )
    assert outcome.valid and outcome.attempts == 3 and outcome.data == {"n": 3}
    outcome = run_extraction(
        lambda m: '{"m": 1}', [{"role": "user", "content": "go"}], schema, max_attempts=2
    )
    assert (
        not outcome.valid
        and outcome.attempts == 2
        and outcome.errors == ["(root): 'n' is a required property"]
    )


def test_load_schema_builtin_file_and_errors(tmp_path: Path) -> None:
    name, schema = load_schema("invoice")
    assert name == "invoice" and "seller_tax_id" in schema["properties"]
    f = tmp_path / "passport.json"
    f.write_text(json.dumps({"type": "object", "properties": {"no": {"type": "string"}}}))
    assert load_schema(f)[0] == "passport"
    with pytest.raises(InvalidOptionError, match="unknown schema"):
        load_schema("passport")
    with pytest.raises(InputNotFoundError):
        load_schema(str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"type": "objekt"}))
    with pytest.raises(InvalidOptionError, match="not a valid JSON Schema"):
        load_schema(bad)
