"""``vlocr ask``/``chat`` with ``--stream`` against a real OpenAI-compatible server on loopback:
the answer streams from every engine, not only the local one (issue 20)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from vlocr.cli.vlm_commands import register
from vlocr.testing.openai_stub import StubServer


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    return app


@pytest.fixture()
def stub() -> Iterator[StubServer]:
    server = StubServer(answer="The total is 16.50").start()
    yield server
    server.stop()


def _openai(stub: StubServer) -> list[str]:
    return ["--vlm", "openai", "--base-url", stub.base_url, "--model", "m", "--no-check-numbers"]


def test_ask_streams_the_answer_from_an_openai_server(
    app: typer.Typer, text_png: Path, stub: StubServer
) -> None:
    args = ["ask", str(text_png), "What is the total?", *_openai(stub), "--stream"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "The total is 16.50"
    assert stub.requests[-1]["stream"] is True  # streamed, not asked whole and printed after


def test_chat_streams_each_turn_from_an_openai_server(
    app: typer.Typer, text_png: Path, stub: StubServer
) -> None:
    args = ["chat", str(text_png), *_openai(stub), "--stream"]
    result = CliRunner().invoke(app, args, input="What is the total?\nAnd again?\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["The total is 16.50", "The total is 16.50"]
    assert [r["stream"] for r in stub.requests] == [True, True]
