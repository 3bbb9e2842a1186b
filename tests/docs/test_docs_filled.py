"""The docs hold measurements, not the placeholders a draft left for them (docs/batch.md once
shipped with MEASURED_TABLE where its throughput table belonged)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# UPPER_CASE_WORDS outside code: in prose they are a placeholder; settings such as
# VLOCR_IO__MAX_PIXELS are written in backticks.
PLACEHOLDER = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


def prose(text: str) -> str:
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", "", text)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_placeholder_is_left_in_the_docs(doc: Path) -> None:
    found = PLACEHOLDER.findall(prose(doc.read_text(encoding="utf-8")))
    assert not found, f"{doc.name} still has placeholders: {found}"


def test_the_placeholder_check_sees_one() -> None:
    assert PLACEHOLDER.findall(prose("Measured:\n\nMEASURED_TABLE\n\n`VLOCR_IO__MAX_PIXELS`"))
