"""``ask``/``extract``/``chat`` through typer's CliRunner with the tiny model, on a private app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from vlocr.cli.vlm_commands import register

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    return app


def test_ask_end_to_end_json(app: typer.Typer, receipt_png: Path, tiny_model_dir: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "ask",
            str(receipt_png),
            "What is the total?",
            "--model",
            str(tiny_model_dir),
            "--device",
            "cpu",
            "--max-new-tokens",
            "8",
            "--no-check-numbers",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (
        data["task"] == "ask"
        and data["usage"]["image_tokens"] == 150
        and data["usage"]["completion_tokens"] <= 8
    )


def test_missing_image_is_one_line_exit_2(
    app: typer.Typer, tmp_path: Path, tiny_model_dir: Path
) -> None:
    result = CliRunner().invoke(
        app, ["ask", str(tmp_path / "nope.png"), "q", "--model", str(tiny_model_dir)]
    )
    assert result.exit_code == 2
    assert (
        result.stderr.count("\n") == 1
        and "nope.png" in result.stderr
        and "Traceback" not in result.output
    )


def test_unknown_schema_exit_2(app: typer.Typer, receipt_png: Path, tiny_model_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["extract", str(receipt_png), "--schema", "passport", "--model", str(tiny_model_dir)]
    )
    assert result.exit_code == 2 and "unknown schema 'passport'" in result.stderr


def test_bad_model_dir_exit_2(app: typer.Typer, receipt_png: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["ask", str(receipt_png), "q", "--model", str(tmp_path), "--no-check-numbers"]
    )
    assert (
        result.exit_code == 2
        and "vlocr: error:" in result.stderr
        and "Traceback" not in result.output
    )


def test_extract_invalid_exits_1_with_errors(
    app: typer.Typer, receipt_png: Path, tiny_model_dir: Path
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "extract",
            str(receipt_png),
            "--schema",
            "receipt",
            "--model",
            str(tiny_model_dir),
            "--max-new-tokens",
            "4",
            "--attempts",
            "1",
            "--no-check-numbers",
        ],
    )
    assert result.exit_code == 1
    assert (
        json.loads(result.stdout)["valid"] is False
        and "still invalid after 1 attempt" in result.stderr
    )


def test_chat_reads_stdin_until_exit(
    app: typer.Typer, receipt_png: Path, tiny_model_dir: Path
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "chat",
            str(receipt_png),
            "--model",
            str(tiny_model_dir),
            "--max-new-tokens",
            "4",
            "--no-check-numbers",
            "--format",
            "json",
        ],
        input="Who?\n\nAnd the total?\nexit\nnever asked\n",
    )
    assert result.exit_code == 0, result.output
    answers = [json.loads(chunk) for chunk in result.stdout.replace("}\n{", "}\x00{").split("\x00")]
    assert len(answers) == 2 and all(a["task"] == "chat" for a in answers)
    assert answers[1]["usage"]["prompt_tokens"] > answers[0]["usage"]["prompt_tokens"]


def test_ask_stream_prints_what_the_local_model_answers(
    app: typer.Typer, receipt_png: Path, tiny_model_dir: Path
) -> None:
    common = [
        "ask",
        str(receipt_png),
        "What is the total?",
        "--model",
        str(tiny_model_dir),
        "--device",
        "cpu",
        "--dtype",
        "float32",
        "--max-new-tokens",
        "6",
        "--no-check-numbers",
    ]
    whole = CliRunner().invoke(app, [*common, "--format", "json"])
    streamed = CliRunner().invoke(app, [*common, "--stream"])
    assert whole.exit_code == 0 == streamed.exit_code, streamed.output
    text = json.loads(whole.stdout)["text"]
    assert text and streamed.stdout.strip() == text  # greedy: the same reply, piece by piece
