"""The page's HTTP side obeys the API: no server paths or URLs (issue 16 defect 4), the API's byte
caps and its worker gate (defect 6), no temp file per recognition (16.13); plus the bad-case API."""

from __future__ import annotations

import glob
import http.server
import io
import json
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from vlocr.api.app import create_app
from vlocr.api.http.background import BackgroundServer, start_in_thread
from vlocr.config import IoOptions, ServerOptions, Settings

SECRET_TEXT = "SECRET NOTE 4711"
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
HOLD = threading.Event()
HELD = threading.Semaphore(0)


class _HoldingEngine:
    """An OCR engine that keeps its worker until the test releases it."""

    name = "test-page-hold"

    def recognize(self, image: np.ndarray) -> object:
        from vlocr.ocr.base import OcrOutput

        HELD.release()
        HOLD.wait(30)
        return OcrOutput(lines=[])


def render(text: str) -> Image.Image:
    from PIL import ImageDraw, ImageFont

    img = Image.new("RGB", (520, 80), "white")
    ImageDraw.Draw(img).text((16, 20), text, font=ImageFont.truetype(DEJAVU, 30), fill="black")
    return img


@pytest.fixture(scope="module")
def secret_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("server-files") / "secret_note.png"
    render(SECRET_TEXT).save(path)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    settings = Settings(
        io=IoOptions(max_bytes=2 * 1024 * 1024),
        server=ServerOptions(
            workers=1, queue=0, bad_cases_dir=str(tmp_path_factory.mktemp("cases"))
        ),
    )
    srv = start_in_thread(create_app(settings))
    srv.wait_ready()
    yield srv
    srv.stop()


def call(srv: BackgroundServer, api_name: str, data: list[object]) -> tuple[str, str]:
    """Run one page event through Gradio's HTTP API; return (event, data) of its last message."""
    base = f"{srv.url}/ui/gradio_api/call/{api_name}"
    started = httpx.post(base, json={"data": data}, timeout=30)
    assert started.status_code == 200, started.text
    event_id = started.json()["event_id"]
    last = ("", "")
    with httpx.stream("GET", f"{base}/{event_id}", timeout=120) as response:
        event = ""
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                last = (event, line[5:].strip())
    return last


def file_ref(path: str) -> dict[str, object]:
    return {"path": path, "meta": {"_type": "gradio.FileData"}}


def test_page_refuses_server_paths(server: BackgroundServer, secret_png: Path) -> None:
    event, data = call(server, "upload", [file_ref(str(secret_png))])
    assert event == "error"
    assert SECRET_TEXT not in data
    # Without Gradio's file marker the path reaches the handler, which refuses it too.
    event, data = call(server, "upload", [{"path": str(secret_png)}])
    assert event == "error" and SECRET_TEXT not in data


def test_page_does_not_fetch_urls(server: BackgroundServer, secret_png: Path) -> None:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            hits.append(self.path)
            body = secret_png.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{origin.server_address[1]}/secret_note.png"
        for ref in (file_ref(url), {"path": url, "url": url, "meta": {"_type": "gradio.FileData"}}):
            event, data = call(server, "upload", [ref])
            assert event == "error" and SECRET_TEXT not in data
    finally:
        origin.shutdown()
    assert hits == []


def test_recognize_takes_no_file_reference(server: BackgroundServer, secret_png: Path) -> None:
    """The read event works on the session's accepted upload only; a fresh session has none."""
    event, data = call(
        server, "recognize", [1, "rapidocr", [], "none", False, 200, 0, 0, 0, 0, "text"]
    )
    assert event == "error" and "Upload" in data


def test_page_bodies_are_capped(server: BackgroundServer) -> None:
    # An event body far over the page's 1 MB cap is refused from its Content-Length ...
    big = httpx.post(
        f"{server.url}/ui/gradio_api/queue/join",
        content=b"{" + b" " * (3 * 1024 * 1024) + b"}",
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert big.status_code == 413
    # ... and several files in one upload cannot add up past one file's byte cap (2 MB here).
    files = [
        ("files", (f"f{i}.png", b"\x89PNG" + b"0" * (900 * 1024), "image/png")) for i in range(4)
    ]
    before = set(
        glob.glob(str(Path(tempfile.gettempdir()) / "gradio" / "**" / "f?.png"), recursive=True)
    )
    upload = httpx.post(f"{server.url}/ui/gradio_api/upload", files=files, timeout=30)
    assert upload.status_code == 413
    after = set(
        glob.glob(str(Path(tempfile.gettempdir()) / "gradio" / "**" / "f?.png"), recursive=True)
    )
    assert len(after - before) < 4


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    render("TOTAL 3.78").save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(server: BackgroundServer, name: str) -> str:
    response = httpx.post(
        f"{server.url}/ui/gradio_api/upload",
        files=[("files", (name, _png_bytes(), "image/png"))],
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()[0])


def test_page_work_goes_through_the_api_gate(server: BackgroundServer) -> None:
    """With --workers 1 --queue 0 and a REST request holding the worker, a page event is told
    the server is busy instead of running beside it."""
    import base64

    from vlocr.ocr import registry

    registry.ENGINES.setdefault(
        _HoldingEngine.name, (lambda **kw: _HoldingEngine(), "test hook: holds a worker")
    )
    path = _upload(server, "gate.png")
    HOLD.clear()
    body = {"image": base64.b64encode(_png_bytes()).decode(), "engine": _HoldingEngine.name}
    holder = threading.Thread(
        target=lambda: httpx.post(f"{server.url}/v1/ocr", json=body, timeout=60), daemon=True
    )
    holder.start()
    try:
        assert HELD.acquire(timeout=30)
        event, data = call(server, "upload", [file_ref(path)])
        assert event == "error" and "busy" in data
    finally:
        HOLD.set()
        holder.join(30)
    event, data = call(server, "upload", [file_ref(path)])
    assert event == "complete", data


def test_recognition_leaves_no_temp_json(server: BackgroundServer) -> None:
    """The old page wrote vlocr-*.json to the temp folder on every recognition; the JSON now
    downloads from the browser. Checked through the handler the page calls."""
    from vlocr.webui import handlers

    pattern = str(Path(tempfile.gettempdir()) / "vlocr-*.json")
    before = set(glob.glob(pattern))
    image = np.asarray(Image.open(io.BytesIO(_png_bytes())).convert("RGB"))
    out = handlers.recognize(image, "rapidocr", "none", None)
    assert "TOTAL" in out["text"] and json.loads(out["json"])["lines"]
    assert set(glob.glob(pattern)) == before


def test_bad_case_api(server: BackgroundServer, tmp_path: Path) -> None:
    from vlocr.badcases import BadCaseStore

    state = server.server.config.app.state.vlocr  # type: ignore[attr-defined]
    store: BadCaseStore = state.bad_cases
    case = store.add(_png_bytes(), kind="read", correction="TOTAL 3.78", result={"text": "T0TAL"})
    listed = httpx.get(f"{server.url}/v1/bad-cases", timeout=10)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["cases"]] == [case.id]
    export = httpx.get(f"{server.url}/v1/bad-cases/export", timeout=30)
    assert export.status_code == 200 and export.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        assert sorted(archive.namelist()) == [f"{case.id}/case.json", f"{case.id}/image.png"]
        archive.extractall(tmp_path)
    from vlocr.eval.data.loaders import load_folder

    samples = load_folder(tmp_path, "badcases")
    assert [s.sample_id for s in samples] == [case.id] and samples[0].text == "TOTAL 3.78"


def test_bad_case_api_needs_a_store_and_a_key(tmp_path: Path) -> None:
    srv = start_in_thread(create_app(Settings(), ui=False))
    try:
        gone = httpx.get(f"{srv.url}/v1/bad-cases", timeout=10)
        assert gone.status_code == 404 and "--bad-cases" in gone.json()["error"]["hint"]
    finally:
        srv.stop()
    keyed = Settings(api_keys="k1", server=ServerOptions(bad_cases_dir=str(tmp_path)))
    srv = start_in_thread(create_app(keyed, ui=False))
    try:
        assert httpx.get(f"{srv.url}/v1/bad-cases", timeout=10).status_code == 401
        ok = httpx.get(
            f"{srv.url}/v1/bad-cases", headers={"Authorization": "Bearer k1"}, timeout=10
        )
        assert ok.status_code == 200 and ok.json()["cases"] == []
    finally:
        srv.stop()


def test_bad_case_table_escapes_what_users_typed() -> None:
    """A correction, file name or note is user text: the table shows it, never runs it."""
    from types import SimpleNamespace

    from vlocr.webui import handlers

    case = SimpleNamespace(
        created_at="2026-11-29T20:00:00Z",
        kind="read",
        source='<img src=x onerror="alert(1)">.png',
        correction="TOTAL <b>39.54</b>\n<script>alert(2)</script>",
        id="20261129-200000-abc",
    )
    table = handlers.bad_case_table([case])
    assert "<script>" not in table and "<img" not in table and "<b>" not in table
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in table and "2026-11-29 20:00:00" in table
    assert table.count("<tr>") == 2  # header and the case
    assert "colspan" in handlers.bad_case_table([])  # an empty store shows one placeholder row
