"""Interface parity for the VLM tasks (issue 20): ask (streamed and not), chat and extract (engine
vlm and ocr) through the Python API, the CLI (subprocess), REST (a real uvicorn server on loopback)
and the web page's own handlers give the same answer text, finish reason, number checks and
extracted data; streamed pieces join to the whole answer; and the control-token guard runs on
every path (what reaches the model is recorded by the scripted OpenAI-compatible stub)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import vlocr
from vlocr.api.app import create_app
from vlocr.api.http.background import BackgroundServer, start_in_thread
from vlocr.config import Settings, VlmOptions
from vlocr.results import ChatMessage
from vlocr.testing.openai_stub import StubServer
from vlocr.webui import handlers

PY = sys.executable
ANSWER = "The total is 16.50"
TOKEN = "<|image_pad|>"
SAFE = "<\u200b|image_pad|\u200b>"  # how the guard spells it (service/vlm_inputs.neutralize_text)
QUESTION = f"What is the total? {TOKEN}"
ROLE = f"You are an accountant {TOKEN}"
RECEIPT = {
    "merchant": "GROCERY MART",
    "date": None,
    "items": [{"name": "Fresh Milk 2L", "qty": 1, "price": 6.5}],
    "total": 16.5,
}


@pytest.fixture(scope="module")
def stub() -> Iterator[StubServer]:
    server = StubServer(answer=ANSWER).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def vlm(stub: StubServer) -> VlmOptions:
    return VlmOptions(backend="openai", model="m", base_url=stub.base_url, retries=0)


@pytest.fixture(scope="module")
def server(vlm: VlmOptions) -> Iterator[BackgroundServer]:
    srv = start_in_thread(create_app(Settings(), vlm=vlm, ui=False))
    srv.wait_ready()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory, text_png: Path) -> Path:
    folder = tmp_path_factory.mktemp("parity-vlm")
    shutil.copy(text_png, folder / "lines.png")
    return folder


@pytest.fixture(scope="module")
def page(vlm: VlmOptions, work: Path) -> Iterator[dict[str, Any]]:
    """The web page built with the stub model: its chat and extract callbacks (the functions the
    buttons run, error guard included) and the accepted upload."""
    from vlocr.webui.common import upload_root
    from vlocr.webui.page import build_page

    blocks = build_page(Settings(), vlm=vlm)
    fns = {getattr(f.fn, "__name__", ""): f.fn for f in blocks.fns.values()}
    root = Path(upload_root())
    root.mkdir(parents=True, exist_ok=True)
    target = root / "parity-vlm" / "lines.png"
    target.parent.mkdir(exist_ok=True)
    shutil.copy(work / "lines.png", target)
    upload, _ = handlers.accept_upload(str(target), Settings().io, root)
    yield {"chat": fns["do_chat"], "extract": fns["do_extract"], "upload": upload}
    shutil.rmtree(target.parent, ignore_errors=True)


@pytest.fixture()
def json_reply(stub: StubServer) -> Iterator[None]:
    stub.answer = json.dumps(RECEIPT)
    yield
    stub.answer = ANSWER


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def _cli(work: Path, stub: StubServer, *args: str, stdin: str | None = None) -> str:
    proc = subprocess.run(
        [PY, "-m", "vlocr.cli.main", *args, "--vlm", "openai", "--base-url", stub.base_url]
        + ["--model", "m"],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=180,
        cwd=work,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _same(answer: dict[str, Any]) -> dict[str, Any]:
    """What must agree between interfaces: the text, the finish reason, the number checks."""
    return {
        "text": answer["text"],
        "finish_reason": answer["finish_reason"],
        "number_checks": answer["number_checks"],
        "unsupported_numbers": answer["unsupported_numbers"],
    }


def _guarded(stub: StubServer, since: int, *, streamed: bool | None = None) -> None:
    """Every request since ``since`` reached the model with the token neutralised."""
    sent = stub.requests[since:]
    assert sent, "the path asked the model"
    for request in sent:
        text = json.dumps(request["messages"], ensure_ascii=False)
        assert TOKEN not in text and SAFE in text
    if streamed is not None:
        assert sent[0].get("stream", False) is streamed


def _sse(url: str, body: dict[str, Any]) -> list[Any]:
    frames: list[Any] = []
    with httpx.stream("POST", url, json=body, timeout=120) as response:
        assert response.status_code == 200, response.read()
        for line in response.iter_lines():
            if line.startswith("data: "):
                frames.append(line[6:] if line == "data: [DONE]" else json.loads(line[6:]))
    assert frames[-1] == "[DONE]"
    return frames[:-1]


#: The page callbacks' widget values by parameter name (the Ask and Extract tabs' controls).
PAGE_DEFAULTS: dict[str, Any] = {
    "number": 1,
    "history": [],
    "kept": {},
    "eng": "rapidocr",
    **dict.fromkeys(("x", "y", "w", "h"), 0),
    "preprocess": "auto",
    "force_ocr": False,
    "lang": "auto",
    "hints": False,
    "checks_on": True,
    "cross": True,
    "role_text": "",
    "temp": 0.0,
    "top": 1.0,
    "length": 256,
    "focus_how": "auto",
    "custom": "",
    "tries": 3,
}


def _page_args(fn: Any, **given: Any) -> tuple[Any, ...]:
    """Positional arguments for a page callback, named as its parameters are (so a new control
    needs a value here, not a recount)."""
    import inspect

    values = {**PAGE_DEFAULTS, **given}
    return tuple(values[name] for name in inspect.signature(fn).parameters)


def _run_page_chat(
    page: dict[str, Any], message: str, role: str = "", **widgets: Any
) -> list[tuple[Any, ...]]:
    args = _page_args(page["chat"], accepted=page["upload"], msg=message, role_text=role, **widgets)

    async def collect() -> list[tuple[Any, ...]]:
        return [out async for out in page["chat"](*args)]

    return asyncio.run(collect())


def _run_page_extract(page: dict[str, Any], how: str, role: str = "") -> dict[str, Any]:
    args = _page_args(
        page["extract"],
        accepted=page["upload"],
        preset="receipt",
        how=how,
        role_text=role,
        lang="zh",
        hints=True,
    )
    _text, _status, _data, record = asyncio.run(page["extract"](*args))
    return record["result"]  # type: ignore[no-any-return]


# ---- ask and chat -------------------------------------------------------------------------


def test_ask_and_chat_agree_everywhere(
    stub: StubServer, vlm: VlmOptions, server: BackgroundServer, work: Path, page: dict[str, Any]
) -> None:
    # Python API: whole, then streamed (any engine streams through on_text)
    n = len(stub.requests)
    whole = vlocr.ask(work / "lines.png", QUESTION, vlm=vlm)
    _guarded(stub, n, streamed=False)
    expected = _same(whole.model_dump(mode="json"))
    assert expected["text"] == ANSWER and expected["finish_reason"] == "stop"
    assert [c["value"] for c in expected["number_checks"] if c["found"]] == ["16.50"]
    pieces: list[str] = []
    n = len(stub.requests)
    streamed = vlocr.ask(work / "lines.png", QUESTION, vlm=vlm, on_text=pieces.append)
    _guarded(stub, n, streamed=True)
    assert len(pieces) > 1 and "".join(pieces) == streamed.text
    assert _same(streamed.model_dump(mode="json")) == expected
    n = len(stub.requests)
    chatted = vlocr.chat(
        work / "lines.png", [ChatMessage(role="user", content=TOKEN)], QUESTION, vlm=vlm
    )
    _guarded(stub, n)
    assert _same(chatted.model_dump(mode="json")) == expected

    # CLI: json, streamed text, chat over stdin
    n = len(stub.requests)
    out = _cli(work, stub, "ask", "lines.png", QUESTION, "--format", "json")
    _guarded(stub, n, streamed=False)
    assert _same(json.loads(out)) == expected
    n = len(stub.requests)
    out = _cli(work, stub, "ask", "lines.png", QUESTION, "--stream")
    _guarded(stub, n, streamed=True)
    assert out == ANSWER + "\n"
    n = len(stub.requests)
    out = _cli(work, stub, "chat", "lines.png", "--format", "json", stdin=QUESTION + "\n")
    _guarded(stub, n)
    assert _same(json.loads(out)) == expected

    # REST: /v1/ask whole and as SSE
    body = {"image": _b64(work / "lines.png"), "question": QUESTION}
    n = len(stub.requests)
    rest = httpx.post(f"{server.url}/v1/ask", json=body, timeout=120)
    assert rest.status_code == 200, rest.text
    _guarded(stub, n, streamed=False)
    assert _same(rest.json()) == expected
    n = len(stub.requests)
    frames = _sse(f"{server.url}/v1/ask", {**body, "stream": True})
    _guarded(stub, n, streamed=True)
    deltas = [f["delta"] for f in frames[:-1]]
    assert len(deltas) > 1 and "".join(deltas) == ANSWER
    assert _same(frames[-1]["answer"]) == expected

    # the page: the Ask tab's callback (a fresh question is ask, streamed under the page's gate)
    n = len(stub.requests)
    outs = _run_page_chat(page, QUESTION)
    _guarded(stub, n, streamed=True)
    replies = [o[0][-1]["content"] for o in outs[1:-1]]  # the reply as it grew
    assert replies and replies[-1] == ANSWER and all(ANSWER.startswith(r) for r in replies)
    final = outs[-1]
    assert final[0][-1]["content"] == ANSWER and final[5] == ANSWER
    assert _same(final[6]["answer"]) == expected


def test_chat_completions_agree_with_ask(
    stub: StubServer, vlm: VlmOptions, server: BackgroundServer, work: Path
) -> None:
    url = f"data:image/png;base64,{_b64(work / 'lines.png')}"
    content = [{"type": "image_url", "image_url": {"url": url}}, {"type": "text", "text": QUESTION}]
    body = {"model": "m", "messages": [{"role": "user", "content": content}]}
    n = len(stub.requests)
    whole = httpx.post(f"{server.url}/v1/chat/completions", json=body, timeout=120)
    assert whole.status_code == 200, whole.text
    _guarded(stub, n, streamed=False)
    choice = whole.json()["choices"][0]
    assert (choice["message"]["content"], choice["finish_reason"]) == (ANSWER, "stop")
    n = len(stub.requests)
    frames = _sse(f"{server.url}/v1/chat/completions", {**body, "stream": True})
    _guarded(stub, n, streamed=True)
    deltas = [f["choices"][0]["delta"].get("content", "") for f in frames if f["choices"]]
    assert len([d for d in deltas if d]) > 1 and "".join(deltas) == ANSWER
    assert [f["choices"][0]["finish_reason"] for f in frames if f["choices"]][-1] == "stop"
    python = vlocr.ask(work / "lines.png", QUESTION, vlm=vlm)
    assert (python.text, python.finish_reason) == (ANSWER, "stop")


# ---- extract ------------------------------------------------------------------------------


def _same_extract(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "engine": result["engine"],
        "schema_name": result["schema_name"],
        "data": result["data"],
        "valid": result["valid"],
        "issues": [i["message"] for i in result["issues"]],
        "answer": _same(result["answer"]) if result["answer"] else None,
    }


@pytest.mark.parametrize("engine", ["vlm", "ocr"])
def test_extract_agrees_everywhere(
    engine: str,
    stub: StubServer,
    vlm: VlmOptions,
    server: BackgroundServer,
    work: Path,
    page: dict[str, Any],
    json_reply: None,
) -> None:
    asks = engine == "vlm"
    n = len(stub.requests)
    python = vlocr.extract(
        work / "lines.png", "receipt", engine=engine, vlm=vlm, role=ROLE, lang="zh", ocr_hints=True
    )
    expected = _same_extract(python.model_dump(mode="json"))
    if asks:
        _guarded(stub, n)
        prompt = _prompt(stub.requests[n])
        assert expected["data"] == RECEIPT and expected["valid"] is True
    else:
        assert len(stub.requests) == n, "engine ocr asks no model"
        assert expected["data"]["total"] == 16.5 and expected["answer"] is None

    n = len(stub.requests)
    flags = ["--engine", engine, "--role", ROLE, "--lang", "zh", "--ocr-hints"]
    out = _cli(work, stub, "extract", "lines.png", *flags)
    assert _same_extract(json.loads(out)) == expected
    if asks:  # the prompt language and the OCR hints reached the model alike
        assert _prompt(stub.requests[n]) == prompt

    image = _b64(work / "lines.png")
    body = {"image": image, "schema": "receipt", "engine": engine, "role": ROLE}
    body |= {"lang": "zh", "ocr_hints": True}
    n_rest = len(stub.requests)
    rest = httpx.post(f"{server.url}/v1/extract", json=body, timeout=120)
    assert rest.status_code == 200, rest.text
    assert _same_extract(rest.json()) == expected
    if asks:
        assert _prompt(stub.requests[n_rest]) == prompt

    n_page = len(stub.requests)
    assert _same_extract(_run_page_extract(page, engine, ROLE)) == expected
    if asks:
        assert _prompt(stub.requests[n_page]) == prompt
        _guarded(stub, n)
        assert len(stub.requests) >= n + 3  # CLI, REST and the page each asked
    else:
        assert len(stub.requests) == n


# ---- every task option in every interface -------------------------------------------------

#: Task request field (its JSON name) -> the `vlocr ask/chat/extract` option that sets it.
CLI_TASK = {
    "page": "--page",
    "region": "--region",
    "preprocess": "--preprocess",
    "force_ocr": "--force-ocr",
    "ocr_engine": "--ocr-engine",
    "lang": "--lang",
    "ocr_hints": "--ocr-hints",
    "check_numbers": "--check-numbers",
    "cross_check": "--cross-check",
    "role": "--role",
    "temperature": "--temperature",
    "top_p": "--top-p",
    "max_new_tokens": "--max-new-tokens",
    "focus": "--focus",
    "stream": "--stream",
    "schema": "--schema",
    "engine": "--engine",
    "max_attempts": "--attempts",
}
#: Fields a command takes another way than an option, and how.
CLI_OTHERWISE = {
    "question": "the QUESTION argument of `vlocr ask`",
    "message": "`vlocr chat` reads one message per line on stdin",
    "history": "`vlocr chat` keeps the conversation itself",
}
#: Fields `vlocr batch --task ask|extract` does not take, and why.
BATCH_TASK_EXEMPT = {
    "page": "a batch asks about every page",
    "stream": "a batch records whole answers (results.jsonl)",
    "force_ocr": "a batch asks about each page as an image; its OCR reads the pixels",
}


def _json_names(model: Any) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def _command_options(name: str) -> set[str]:
    import typer.main

    from vlocr.cli.main import app

    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    return {opt for param in command.params for opt in param.opts}


def test_every_task_option_is_in_every_interface() -> None:
    from vlocr.api import schemas
    from vlocr.service.task_requests import AskRequest, ChatRequest, ExtractRequest
    from vlocr.webui.page import TASK_CONTROLS, TASK_EXEMPT

    commands = {"ask": AskRequest, "chat": ChatRequest, "extract": ExtractRequest}
    for command, model in commands.items():
        fields = _json_names(model)
        options = fields - set(CLI_OTHERWISE)
        assert options <= set(CLI_TASK), f"map the new {command} option to its flag"
        missing = {CLI_TASK[f] for f in options} - _command_options(command)
        assert not missing, f"`vlocr {command}` lacks {missing}"
        assert fields - set(TASK_EXEMPT) <= set(TASK_CONTROLS), "add a widget for the new option"

    openapi = create_app(Settings(), ui=False).openapi()
    rest = {
        "/v1/ask": (AskRequest, schemas.AskRequest),
        "/v1/extract": (ExtractRequest, schemas.ExtractRequest),
    }
    for path, (model, body_model) in rest.items():
        fields = _json_names(model)
        assert issubclass(body_model, model), "the REST body derives from the request"
        body = openapi["paths"][path]["post"]["requestBody"]["content"]
        assert fields <= set(body["multipart/form-data"]["schema"]["properties"]), path
        ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        assert fields <= set(openapi["components"]["schemas"][ref]["properties"]), path

    batch = _command_options("batch")
    for model, own in ((AskRequest, {"question": "--question"}), (ExtractRequest, {})):
        flags = {**CLI_TASK, **own}
        wanted = _json_names(model) - set(BATCH_TASK_EXEMPT)
        assert {flags[f] for f in wanted} <= batch, "`vlocr batch` lacks a task option"


def test_every_task_control_is_on_the_page(vlm: VlmOptions) -> None:
    from vlocr.webui.page import TASK_CONTROLS, build_page

    page = build_page(Settings(), vlm=vlm)
    ids = {getattr(block, "elem_id", None) for block in page.blocks.values()}
    assert set(TASK_CONTROLS.values()) <= ids


# ---- the same ask options give the same answer everywhere ---------------------------------

PLAIN = "What is the total?"
ASK_OPTIONS = {
    "zh-tesseract-whole-page": {
        "lang": "zh",
        "ocr_engine": "tesseract",
        "ocr_hints": True,
        "focus": "page",
        "check_numbers": True,
    },
    "en-named-rows": {
        "lang": "en",
        "ocr_engine": "rapidocr",
        "ocr_hints": True,
        "focus": "lines",
        "check_numbers": True,
    },
    "ko-picks-its-ocr": {  # no OCR engine given: the language picks Tesseract kor+eng
        "lang": "ko",
        "ocr_engine": None,
        "ocr_hints": True,
        "focus": "page",
        "check_numbers": True,
    },
    "no-ocr-at-all": {
        "lang": "en",
        "ocr_engine": "rapidocr-v4",
        "ocr_hints": False,
        "focus": "auto",
        "check_numbers": False,
    },
}


def _prompt(request: dict[str, Any]) -> list[tuple[str, str]]:
    """The text of what reached the model (the image bytes aside)."""
    out = []
    for message in request["messages"]:
        content = message["content"]
        parts = [content] if isinstance(content, str) else content
        for part in parts:
            text = part if isinstance(part, str) else part.get("text")
            if text:
                out.append((message["role"], text))
    return out


def _same_options(answer: dict[str, Any]) -> dict[str, Any]:
    visual = answer["visual_input"] or {}
    return {
        **_same(answer),
        "ocr_hints_used": answer["ocr_hints_used"],
        "sent": (visual.get("sent"), visual.get("box")),
        "disagreements": answer["disagreements"],
    }


@pytest.mark.parametrize("case", list(ASK_OPTIONS))
def test_ask_options_agree_between_rest_cli_page_and_library(
    case: str,
    stub: StubServer,
    vlm: VlmOptions,
    server: BackgroundServer,
    work: Path,
    page: dict[str, Any],
) -> None:
    options = {k: v for k, v in ASK_OPTIONS[case].items() if v is not None}
    n = len(stub.requests)
    python = vlocr.ask(work / "lines.png", PLAIN, vlm=vlm, **options)
    expected = _same_options(python.model_dump(mode="json"))
    prompt = _prompt(stub.requests[n])
    uses_ocr = options["ocr_hints"] or options["check_numbers"]
    assert python.ocr_hints_used is options["ocr_hints"]
    assert (python.number_checks != []) is uses_ocr, "no OCR, no checks"
    assert python.visual_input is not None
    if options["focus"] == "page":
        assert python.visual_input.sent == "page"
    assert any("\u4e00" <= ch <= "\u9fff" for _r, t in prompt for ch in t) is (
        options["lang"] == "zh"
    ), "the prompt language reached the model"

    if "ocr_engine" not in options:  # the language chose Tesseract, as an explicit choice would
        chosen = vlocr.ask(work / "lines.png", PLAIN, vlm=vlm, ocr_engine="tesseract", **options)
        assert _same_options(chosen.model_dump(mode="json")) == expected
    flags = ["--lang", options["lang"]]
    flags += ["--ocr-engine", options["ocr_engine"]] if "ocr_engine" in options else []
    flags += ["--ocr-hints" if options["ocr_hints"] else "--no-ocr-hints"]
    flags += ["--focus", options["focus"]]
    flags.append("--check-numbers" if options["check_numbers"] else "--no-check-numbers")
    n = len(stub.requests)
    cli = json.loads(_cli(work, stub, "ask", "lines.png", PLAIN, "--format", "json", *flags))
    assert _same_options(cli) == expected
    assert _prompt(stub.requests[n]) == prompt

    n = len(stub.requests)
    if case == "no-ocr-at-all":  # a multipart upload: the options as form fields
        form = {k: str(v).lower() if isinstance(v, bool) else v for k, v in options.items()}
        rest = httpx.post(
            f"{server.url}/v1/ask",
            files={"file": ("lines.png", (work / "lines.png").read_bytes())},
            data={"question": PLAIN, **form},
            timeout=120,
        )
    else:
        body = {"image": _b64(work / "lines.png"), "question": PLAIN, **options}
        rest = httpx.post(f"{server.url}/v1/ask", json=body, timeout=120)
    assert rest.status_code == 200, rest.text
    assert _same_options(rest.json()) == expected
    assert _prompt(stub.requests[n]) == prompt

    n = len(stub.requests)
    widgets = {
        "lang": [options["lang"]],  # the sidebar's multiselect
        "eng": options.get("ocr_engine", "auto"),  # the engine widget's default
        "hints": options["ocr_hints"],
        "focus_how": options["focus"],
        "checks_on": options["check_numbers"],
    }
    final = _run_page_chat(page, PLAIN, **widgets)[-1]
    assert _same_options(final[6]["answer"]) == expected
    assert _prompt(stub.requests[n]) == prompt


def test_the_page_asks_a_fresh_question_and_chats_on_follow_ups(
    stub: StubServer, page: dict[str, Any]
) -> None:
    first = _run_page_chat(page, PLAIN)[-1]
    assert first[6]["answer"]["task"] == "ask" and first[6]["options"]["task"] == "ask"
    history = first[0]  # the chatbot's conversation after the first answer
    n = len(stub.requests)
    follow = _run_page_chat(page, "And the date?", history=history)[-1]
    assert follow[6]["answer"]["task"] == "chat"
    said = [text for _role, text in _prompt(stub.requests[n])]
    assert PLAIN in " ".join(said) and ANSWER in said, "the follow-up carries the conversation"
