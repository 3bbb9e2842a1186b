"""README's examples run as written: the `vlocr read` block and its Python snippet on the bundled
examples, and the serve section's curl calls and OpenAI client against a real `vlocr serve` on
127.0.0.1 (with a scripted OpenAI-compatible backend as its VLM)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from vlocr.api.http.background import free_port
from vlocr.testing.openai_stub import StubServer

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
VLOCR = f'vlocr() {{ "{sys.executable}" -m vlocr.cli.main "$@"; }}\n'


def blocks(lang: str, section: str) -> list[str]:
    """The ``lang`` code blocks under the README heading that starts with ``section``."""
    start = README.index(f"\n## {section}")
    end = README.find("\n## ", start + 4)
    text = README[start : end if end > 0 else None]
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def bash(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + VLOCR + script],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with README's inputs: examples/, photo.jpg, a two-page scan.pdf, ./scans."""
    root = tmp_path_factory.mktemp("readme")
    (root / "examples").symlink_to(REPO / "examples")
    shutil.copy(REPO / "examples" / "receipt.jpg", root / "photo.jpg")
    notice = Image.open(REPO / "examples" / "notice_zh_en.png").convert("RGB")
    notice.save(root / "scan.pdf", "PDF", save_all=True, append_images=[notice], resolution=150)
    (root / "scans").mkdir()
    shutil.copy(REPO / "examples" / "screenshot.png", root / "scans" / "shot.png")
    shutil.copy(REPO / "examples" / "screenshot.png", root / "page.png")
    _typed_pdf(root / "report.pdf")
    _korean_sign(root / "sign.jpg")
    return root


def _typed_pdf(path: Path) -> None:
    """A digital PDF: typed text, no picture (read from its text layer)."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), pagesize=(595, 842))
    canvas.setFont("Helvetica", 14)
    canvas.drawString(72, 770, "Quarterly report: revenue 1,234.50 EUR")
    canvas.showPage()
    canvas.save()


def _korean_sign(path: Path) -> None:
    from PIL import ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 44, index=1)
    sign = Image.new("RGB", (700, 140), "white")
    ImageDraw.Draw(sign).text((30, 40), "영수증 합계 12,000원", font=font, fill="black")
    sign.save(path, quality=95)


def test_read_block_runs_as_written(workdir: Path) -> None:
    scripts = blocks("bash", "Read text")
    assert len(scripts) == 2  # reading, then outputs for other tools / languages / digital PDFs
    commands = [
        ln.split("  #")[0]
        for script in scripts
        for ln in script.splitlines()
        if ln.startswith("vlocr ")
    ]
    assert len(commands) >= 17
    for command in commands:
        proc = bash(command, workdir)
        assert proc.returncode == 0, (command, proc.stderr)
        assert "Traceback" not in proc.stderr
        if "--format json" in command:
            assert json.loads(proc.stdout)["pages"]
        elif not command.startswith(("vlocr batch", "vlocr pdf")) and " -o " not in command:
            assert proc.stdout.strip(), command
    assert (workdir / "boxes.png").exists() and (workdir / "seen.png").exists()
    assert list((workdir / "ocr-out").glob("*.json"))
    assert (workdir / "searchable.pdf").read_bytes().startswith(b"%PDF-")
    assert (workdir / "out.pdf").read_bytes().startswith(b"%PDF-")
    assert b"ocrx_word" in (workdir / "page.hocr").read_bytes()
    assert b"<alto" in (workdir / "page.xml").read_bytes()


def test_read_python_snippet_runs(workdir: Path) -> None:
    snippet = next(b for b in blocks("python", "Read text") if "vlocr.read" in b)
    proc = subprocess.run(
        [sys.executable, "-c", snippet], cwd=workdir, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert "GREENLEAF MARKET" in proc.stdout


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, StubServer]]:
    """`vlocr serve` as README starts it, on a free loopback port, with a scripted VLM backend."""
    stub = StubServer(answer="The total is 16.50.").start()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("VLOCR_API_KEYS", None)
    args = ["serve", "--port", str(port), "--no-ui", "--vlm", "openai"]
    args += ["--base-url", stub.base_url, "--model", "stub-vl"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "vlocr.cli.main", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "vlocr serve did not get ready"
            time.sleep(0.3)
        yield url, stub
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        stub.stop()


def test_curl_examples_run_against_a_real_server(
    served: tuple[str, StubServer], workdir: Path
) -> None:
    url, stub = served
    script = next(b for b in blocks("bash", "Serve") if "curl" in b)
    script = script.replace("http://127.0.0.1:8000", url)
    replies = []
    for command in re.split(r"\n(?=curl |\{ printf)", script.strip()):
        command = "\n".join(ln for ln in command.splitlines() if not ln.startswith("#"))
        proc = bash(command, workdir)
        assert proc.returncode == 0, (command, proc.stderr)
        if "curl" in command:
            replies.append(json.loads(proc.stdout))
    assert len(replies) == 3
    upload, inline, answer = replies
    assert "GREENLEAF" in upload["pages"][0]["text"]
    assert "GREENLEAF" in inline["pages"][0]["text"] and inline["annotated_images"]
    assert answer["text"] == "The total is 16.50." and stub.requests


def test_openai_client_example_runs(served: tuple[str, StubServer], workdir: Path) -> None:
    url, _stub = served
    (snippet,) = [b for b in blocks("python", "Serve") if "openai.OpenAI" in b]
    snippet = snippet.replace("http://127.0.0.1:8000", url)
    proc = subprocess.run(
        [sys.executable, "-c", snippet], cwd=workdir, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "The total is 16.50."


def test_no_curl_example_inlines_a_file_in_its_arguments() -> None:
    """One argument may hold 128 KiB on Linux: "$(base64 photo.jpg)" fails for a real photo."""
    for block in blocks("bash", "Serve"):
        for line in block.splitlines():
            if "curl" in line:
                assert "$(base64" not in line, line
