"""Prompt templates and output schemas for the VLM tasks: transcribe, ask, chat, extract."""

from __future__ import annotations

from vlocr.tasks.extraction_loop import ExtractionOutcome, check_reply, run_extraction
from vlocr.tasks.jsonfix import parse_json_reply, parse_number, validate
from vlocr.tasks.prompts import (
    PROMPT_VERSIONS,
    ask_messages,
    chat_messages,
    detect_lang,
    extract_messages,
    resolve_lang,
    transcribe_messages,
)
from vlocr.tasks.schemas import BUILTIN_SCHEMAS, load_schema

__all__ = [
    "BUILTIN_SCHEMAS",
    "PROMPT_VERSIONS",
    "ExtractionOutcome",
    "ask_messages",
    "chat_messages",
    "check_reply",
    "detect_lang",
    "extract_messages",
    "load_schema",
    "parse_json_reply",
    "parse_number",
    "resolve_lang",
    "run_extraction",
    "transcribe_messages",
    "validate",
]
