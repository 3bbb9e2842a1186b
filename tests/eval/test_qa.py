"""The question benchmark: relaxed scoring, invented numbers, and full runs on the synthetic set
with the OCR-only answerer and with the tiny Qwen3-VL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vlocr.eval.questions.qa import (
    LEVELS,
    QA_KINDS,
    invented_numbers,
    load_questions,
    relaxed_match,
    run_qa_command,
    write_synthetic_set,
)
from vlocr.testing.openai_stub import completion_body


@pytest.mark.parametrize(
    ("reply", "expected", "ok"),
    [
        ("The total is RM 1,234.50.", 1234.5, True),
        ("Total: 1234.49", 1234.5, True),  # within a cent
        ("The total is 1243.50", 1234.5, False),
        ("It was bought on 12 May 2024.", "2024-05-12", True),
        ("2024年5月12日", "2024-05-12", True),
        ("05/12/2024", "12/05/2024", True),  # same day, either order
        ("2024-05-13", "2024-05-12", False),
        ("Yes, it adds up.", "yes", True),
        ("No.", "yes", False),
        ("否，不是同一家公司。", "否", True),
        ("The invoice number is inv-2024-00012", "INV-2024-00012", True),
        ("INV-2024-0012", "INV-2024-00012", False),
        ("Seller: Acme; buyer: Globex", ["Acme", "Globex"], True),
        ("Seller: Acme", ["Acme", "Globex"], False),
        ("There are 2.", 2, True),
    ],
)
def test_relaxed_match(reply: str, expected: object, ok: bool) -> None:
    assert relaxed_match(reply, expected) is ok


def test_invented_numbers_ignore_printed_and_expected_values() -> None:
    page = "TOTAL 89.50\nDate: 2024-05-12\nTel: 03-12345678"
    assert invented_numbers("The total is 89.50, paid on 2024-05-12.", page, 89.5) == []
    assert invented_numbers("12.30 more than the subtotal", page, 12.3) == []  # computed answer
    assert invented_numbers("The tax was 5.37.", page, 89.5) == ["5.37"]


def test_synthetic_set_has_every_level_kind_and_language(tmp_path: Path) -> None:
    path = write_synthetic_set(tmp_path, docs_per_kind=1)
    items = load_questions(path)
    assert {i.level for i in items} == set(LEVELS)
    assert {i.kind for i in items} == set(QA_KINDS)
    assert {i.lang for i in items} == {"en", "zh"}
    assert all(Path(i.image).is_file() and i.text for i in items)
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) >= {"image", "question", "answer", "level", "kind"}


@pytest.mark.slow
def test_qa_benchmark_end_to_end_with_the_ocr_answerer(tmp_path: Path) -> None:
    text, paths = run_qa_command("synth", answerer="ocr", out_dir=tmp_path, docs_per_kind=1)
    report = json.loads((tmp_path / "qa.json").read_text(encoding="utf-8"))
    summary = report["summary"]
    assert set(summary["levels"]) == set(LEVELS) and set(summary["kinds"]) == set(QA_KINDS)
    assert all(o["error"] is None for o in report["outcomes"])
    # OCR reads these clean pages well: the baseline answers most questions and invents nothing
    assert summary["levels"]["L1"]["accuracy"] >= 0.7
    assert summary["all"]["accuracy"] >= 0.7
    assert summary["all"]["invented_number_rate"] == 0.0
    assert "| L3 |" in text and (tmp_path / "qa.md").is_file()


@pytest.mark.slow
def test_qa_benchmark_end_to_end_with_the_tiny_model(tmp_path: Path) -> None:
    """The real transformers path on random weights: only the plumbing is checked."""
    pytest.importorskip("transformers")
    from vlocr.testing.tiny_qwen import build_tiny_qwen3_vl

    model = build_tiny_qwen3_vl(tmp_path / "tiny")
    questions = write_synthetic_set(tmp_path / "set", docs_per_kind=1)
    rows = questions.read_text(encoding="utf-8").splitlines()
    keep = [r for r in rows if json.loads(r)["kind"] in ("receipt", "invoice_zh")]
    questions.write_text("\n".join(keep) + "\n", encoding="utf-8")
    text, _ = run_qa_command(
        str(questions),
        answerer="vlm",
        vlm_model=str(model),
        out_dir=tmp_path / "out",
        vlm_overrides={"max_new_tokens": 6, "device": "cpu"},
    )
    report = json.loads((tmp_path / "out" / "qa.json").read_text(encoding="utf-8"))
    assert len(report["outcomes"]) == len(keep)
    assert all(o["error"] is None for o in report["outcomes"]), report["outcomes"][0]["error"]
    assert set(report["summary"]["levels"]) == set(LEVELS)
    assert "Answerer: `vlm`" in text


def test_cli_bench_qa_reads_a_jsonl_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`vlocr bench --qa FILE` scores whatever answerer it is given; here a stand-in answerer."""
    from typer.testing import CliRunner

    import vlocr.eval.questions.qa as qa
    from vlocr.cli.main import app

    (tmp_path / "a.png").write_bytes(b"")
    lines = [
        {"image": "a.png", "question": "Total?", "answer": 12.5, "level": "L1", "kind": "receipt"},
        {"image": "a.png", "question": "Same?", "answer": "no", "level": "L2", "kind": "invoice"},
    ]
    file = tmp_path / "q.jsonl"
    file.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    replies = {"Total?": "It is 12.50 (and 99.99)", "Same?": "yes"}
    monkeypatch.setattr(
        qa, "make_answerer", lambda *a, **k: (lambda item: replies[item.question], lambda i: "")
    )
    out = CliRunner().invoke(app, ["bench", "--qa", str(file), "-o", str(tmp_path / "o")])
    assert out.exit_code == 0, out.output
    assert "| L1 | 1 | 100.0 % | 100.0 % |" in out.stdout  # right, but 99.99 is invented
    assert "| L2 | 1 | 0.0 % | 0.0 % |" in out.stdout


def test_qa_benchmark_against_an_openai_compatible_server(tmp_path: Path) -> None:
    """A model behind a chat-completions server on loopback: the server here knows the answers
    (and invents one number), so the report must say 100 % with one invented number."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from typing import Any

    path = write_synthetic_set(tmp_path / "set", docs_per_kind=1)
    items = load_questions(path)
    seen: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            text = " ".join(
                part.get("text", "")
                for msg in body["messages"]
                if isinstance(msg["content"], list)
                for part in msg["content"]
            )
            question = next(i for i in items if i.question in text)
            seen.append(1)
            extra = " (about 77.77 in all)" if len(seen) == 1 else ""
            reply = json.dumps(question.answer, ensure_ascii=False).strip('"') + extra
            payload = completion_body(
                reply,
                usage={"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
            )
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
        # each synthetic document's questions are distinct, so the question text finds the answer
        assert len({i.question for i in items}) == len(items)
        run_qa_command(
            str(path),
            answerer="vlm",
            out_dir=tmp_path / "out",
            vlm_overrides={"backend": "openai", "base_url": url, "model": "qwen3-vl", "retries": 0},
        )
    finally:
        httpd.shutdown()
    summary = json.loads((tmp_path / "out" / "qa.json").read_text(encoding="utf-8"))["summary"]
    assert len(seen) == len(items)
    assert summary["all"]["accuracy"] == 1.0
    assert summary["all"]["invented_number_rate"] == round(1 / len(items), 4)


def test_sroie_questions_come_from_the_key_files(tmp_path: Path) -> None:
    from vlocr.eval.questions.qa import write_sroie_questions

    (tmp_path / "img").mkdir()
    (tmp_path / "key").mkdir()
    (tmp_path / "img" / "r1.jpg").write_bytes(b"")
    key = {"company": "POPULAR BOOK CO. (M) SDN BHD", "date": "11/02/18", "total": "RM 11.80"}
    (tmp_path / "key" / "r1.json").write_text(json.dumps(key), encoding="utf-8")
    items = {i.qid: i for i in load_questions(write_sroie_questions(tmp_path, tmp_path / "q"))}
    assert items["r1-total"].answer == 11.8 and items["r1-total"].level == "L1"
    assert items["r1-date"].answer == "2018-02-11"
    assert items["r1-company"].answer == key["company"]
    above = items["r1-above"]
    assert above.level == "L2" and "more than 15" in above.question and above.answer == "no"
    assert Path(above.image).is_absolute()
