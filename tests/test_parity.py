"""Interface parity (issue 20): the same read requests through the Python API, the CLI
(subprocess), REST (a real uvicorn server on loopback) and the web page's handlers give the same
text, lines, output bytes and errors; and every ReadRequest option exists in every interface."""

from __future__ import annotations

import json
import os
import re
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
from vlocr.config import Settings
from vlocr.errors import VlocrError
from vlocr.service.requests import OutputFormat, ReadRequest
from vlocr.webui import handlers

PY = sys.executable

# ---- every option in every interface ---------------------------------------------------------

#: ReadRequest field -> `vlocr read` option.
CLI_READ = {
    "engine": "--engine",
    "lang": "--lang",
    "preprocess": "--preprocess",
    "region": "--region",
    "force_ocr": "--force-ocr",
    "pdf_dpi": "--pdf-dpi",
    "page": "--page",
    "format": "--format",
    "return_preprocessed": "--save-preprocessed",
    "return_annotated": "--annotate",
}
#: ReadRequest fields `vlocr batch --task read` does not take, and why.
BATCH_EXEMPT = {
    "page": "a batch reads every page of every input",
    "format": "a batch writes one JSON record per page (results.jsonl)",
    "return_preprocessed": "a batch keeps no images",
    "return_annotated": "a batch keeps no images",
}


def test_every_read_option_is_in_every_interface() -> None:
    import typer.main

    from vlocr.api.schemas import OcrRequest
    from vlocr.batch import TaskSpec
    from vlocr.cli.main import app
    from vlocr.webui.page import READ_CONTROLS

    fields = set(ReadRequest.model_fields)
    assert set(CLI_READ) == fields, "map the new option to its `vlocr read` flag"
    command = typer.main.get_command(app).commands["read"]  # type: ignore[attr-defined]
    flags = {opt for param in command.params for opt in param.opts}
    assert {CLI_READ[f] for f in fields} <= flags
    assert fields <= set(OcrRequest.model_fields)
    openapi = create_app(Settings(), ui=False).openapi()
    body = openapi["paths"]["/v1/ocr"]["post"]["requestBody"]["content"]
    assert fields <= set(body["multipart/form-data"]["schema"]["properties"])
    assert fields <= set(openapi["components"]["schemas"]["OcrRequest"]["properties"])
    assert set(READ_CONTROLS) == fields, "add a widget for the new option to the Read tab"
    assert fields - set(BATCH_EXEMPT) <= set(TaskSpec.model_fields)


def test_every_read_control_is_on_the_page() -> None:
    from vlocr.webui.page import READ_CONTROLS, build_page

    page = build_page(Settings())
    ids = {getattr(block, "elem_id", None) for block in page.blocks.values()}
    assert set(READ_CONTROLS.values()) <= ids


# ---- the same results through each interface ------------------------------------------------


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory, text_png: Path, pdf_two_pages: Path) -> Path:
    """Inputs under short names, so every interface labels them alike ("lines.png")."""
    folder = tmp_path_factory.mktemp("parity")
    shutil.copy(text_png, folder / "lines.png")
    shutil.copy(pdf_two_pages, folder / "two.pdf")
    return folder


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    srv = start_in_thread(create_app(Settings(), ui=False))
    srv.wait_ready()
    yield srv
    srv.stop()


def _flags(options: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for name, value in options.items():
        if value is True:
            out.append(CLI_READ[name])
        elif value not in (None, False):
            text = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
            out += [CLI_READ[name], text]
    return out


def via_cli(work: Path, name: str, options: dict[str, Any]) -> tuple[int, bytes, str]:
    proc = subprocess.run(
        [PY, "-m", "vlocr.cli.main", "read", name, *_flags(options)],
        capture_output=True,
        timeout=180,
        cwd=work,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    return proc.returncode, proc.stdout, proc.stderr.decode()


def via_rest(server: BackgroundServer, work: Path, name: str, options: dict[str, Any]) -> Any:
    fields = {
        k: (",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v).lower())
        if isinstance(v, (bool, list, tuple))
        else str(v)
        for k, v in options.items()
    }
    return httpx.post(
        f"{server.url}/v1/ocr",
        files={"file": (name, (work / name).read_bytes())},
        data=fields,
        timeout=120,
    )


def via_page(work: Path, name: str, options: dict[str, Any]) -> tuple[Any, Any]:
    """The Read tab's path: accept the upload, build the request from widget values, read."""
    io = Settings().io
    upload, _ = handlers.accept_upload(str(work / name), io, work)
    request = handlers.read_request(
        options.get("engine", handlers.AUTO_ENGINE),  # the engine widget's default: auto
        options.get("lang"),
        options.get("preprocess", "auto"),
        options.get("force_ocr", False),
        tuple(options["region"]) if options.get("region") else None,
        options.get("page"),
        options.get("pdf_dpi"),
        options.get("format", "text"),
    )
    page = handlers.load_page(upload, options.get("page") or 1, io, work, pdf_dpi=request.pdf_dpi)
    return handlers.recognize_page(page, request, io)["result"], page


def _same(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What must agree: text, engine, page numbers, each line's text and box."""
    return [
        {
            "text": p["text"],
            "engine": p["engine"],
            "page": (p["page"], p["page_count"]),
            "lines": [
                (ln["text"], [[round(c) for c in pt] for pt in ln["box"]]) for ln in p["lines"]
            ],
        }
        for p in pages
    ]


CASES = {
    "lang": ("lines.png", {"lang": "en", "preprocess": "none"}),
    # a language only Tesseract reads picks it in every interface (the page's engine: auto)
    "lang-picks-tesseract": ("lines.png", {"lang": "ko,en", "preprocess": "none"}),
    "region": ("lines.png", {"region": [0, 0, 760, 60], "preprocess": "none"}),
    "pdf-page-1-text-layer": ("two.pdf", {"page": 1, "pdf_dpi": 100}),
    "pdf-page-1-force-ocr": ("two.pdf", {"page": 1, "pdf_dpi": 100, "force_ocr": True}),
    "pdf-page-2": ("two.pdf", {"page": 2, "pdf_dpi": 100, "preprocess": "none"}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_same_pages_everywhere(case: str, work: Path, server: BackgroundServer) -> None:
    name, options = CASES[case]
    cwd = os.getcwd()
    os.chdir(work)
    try:
        python = vlocr.read(name, **options)
    finally:
        os.chdir(cwd)
    expected = _same([p.model_dump(mode="json") for p in python.pages])
    assert expected[0]["text"], "the case reads something"
    code, out, err = via_cli(work, name, {**options, "format": "json"})
    assert code == 0, err
    assert _same(json.loads(out)["pages"]) == expected
    rest = via_rest(server, work, name, options)
    assert rest.status_code == 200, rest.text
    assert _same(rest.json()["pages"]) == expected
    result, _ = via_page(work, name, options)
    assert _same([result.model_dump(mode="json")]) == expected


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat if f is not OutputFormat.json])
def test_same_bytes_in_each_format(fmt: str, work: Path, server: BackgroundServer) -> None:
    options = {"preprocess": "none", "lang": "en"}
    code, cli_bytes, err = via_cli(work, "lines.png", {**options, "format": fmt})
    assert code == 0, err
    rest = via_rest(server, work, "lines.png", {**options, "format": fmt})
    assert rest.status_code == 200, rest.text
    result, page = via_page(work, "lines.png", {**options, "format": fmt})
    upload = (work / "lines.png").read_bytes()
    saved = handlers.export_read(result, upload, fmt, work / "downloads")
    if fmt == "pdf":  # the same file, and its text layer reads back
        assert saved is not None and cli_bytes.startswith(b"%PDF")
        assert rest.content == cli_bytes == Path(saved).read_bytes()
        assert "TOTAL" in vlocr.read(cli_bytes).pages[0].text
        return
    assert _untimed(rest.content) == _untimed(cli_bytes)
    if saved is None:  # text: shown on the page, not downloaded
        assert result.text + "\n" == cli_bytes.decode()
    else:
        assert _untimed(Path(saved).read_bytes()) == _untimed(cli_bytes)


def _untimed(data: bytes) -> bytes:
    """Markdown lists each stage's milliseconds: the one thing that may differ between runs
    (and the page decodes before it reads, so it has no "load" stage)."""
    return re.sub(rb"`; [^\n]* ms\n", b"`; T\n", data)


ERRORS = {
    "unknown-language": ("lines.png", {"lang": "xx"}),
    "region-outside": ("lines.png", {"region": [5000, 0, 10, 10], "preprocess": "none"}),
    "page-past-the-end": ("two.pdf", {"page": 3}),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_same_errors_everywhere(case: str, work: Path, server: BackgroundServer) -> None:
    name, options = ERRORS[case]
    try:
        python = vlocr.read(work / name, **options)
        message = next(p.error.message for p in python.pages if p.error)
    except VlocrError as err:
        message = err.message
    code, _, err = via_cli(work, name, {**options, "format": "json"})
    assert code == 2 and message in err
    rest = via_rest(server, work, name, options)
    assert rest.status_code == 422 and rest.json()["error"]["message"] == message
    if case == "page-past-the-end":  # the page clamps its page number box to the upload's pages
        return
    with pytest.raises(VlocrError) as raised:
        via_page(work, name, options)
    assert raised.value.message == message


def test_extract_with_the_ocr_engine_everywhere(work: Path, server: BackgroundServer) -> None:
    python = vlocr.extract(work / "lines.png", "receipt", engine="ocr").data
    assert python["total"] == 16.5
    proc = subprocess.run(
        [PY, "-m", "vlocr.cli.main", "extract", "lines.png", "--engine", "ocr"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=work,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["data"] == python
    rest = httpx.post(
        f"{server.url}/v1/extract",
        files={"file": ("lines.png", (work / "lines.png").read_bytes())},
        data={"engine": "ocr", "schema": "receipt"},
        timeout=120,
    )
    assert rest.status_code == 200, rest.text
    assert rest.json()["data"] == python
    io = Settings().io
    upload, _ = handlers.accept_upload(str(work / "lines.png"), io, work)
    image = handlers.page_image(upload, 1, io, work)
    assert handlers.extract_with_ocr(image, "receipt", "rapidocr", None).data == python
