"""`vlocr read` outputs OCR users expect: hOCR, ALTO, searchable PDF, stdin, --output, --version."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pypdfium2 as pdfium

import vlocr

PY = sys.executable


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [PY, "-m", "vlocr.cli.main", *args], input=stdin, capture_output=True, timeout=180
    )


def test_version() -> None:
    out = run_cli("--version")
    assert out.returncode == 0
    assert out.stdout.decode().strip() == f"vlocr {vlocr.__version__}"


def test_stdin_is_read_as_an_image(text_png: Path) -> None:
    out = run_cli("read", "-", "--format", "json", stdin=text_png.read_bytes())
    assert out.returncode == 0, out.stderr
    assert b"\"source\": \"<stdin>\"" in out.stdout
    assert b"TOTAL 16.50" in out.stdout


def test_searchable_pdf_of_two_files_reads_back(text_png: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    out = run_cli("read", str(text_png), "examples/receipt.jpg", "-f", "pdf", "-o", str(target))
    assert out.returncode == 0, out.stderr
    document = pdfium.PdfDocument(target)
    assert len(document) == 2
    expected = vlocr.read([text_png, "examples/receipt.jpg"])
    for page, result in zip(document, expected.pages, strict=True):
        text = page.get_textpage().get_text_range()
        assert "".join(text.split()) == "".join(result.text.split())


def test_pdf_to_a_pipe_is_written_to_stdout(text_png: Path) -> None:
    out = run_cli("read", str(text_png), "-f", "pdf")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(b"%PDF-")
    assert "TOTAL" in pdfium.PdfDocument(out.stdout)[0].get_textpage().get_text_range()


def test_hocr_and_alto_go_to_output_files(text_png: Path, tmp_path: Path) -> None:
    for fmt, tag in (("hocr", "{http://www.w3.org/1999/xhtml}html"), ("alto", "alto")):
        target = tmp_path / f"out.{fmt}"
        out = run_cli("read", str(text_png), "-f", fmt, "-o", str(target))
        assert out.returncode == 0, out.stderr
        assert out.stdout == b""
        root = ET.parse(target).getroot()
        assert root.tag.endswith(tag)
        assert "GROCERY" in ET.tostring(root, encoding="unicode")


def test_an_output_in_a_missing_folder_fails_before_reading(text_png: Path) -> None:
    out = run_cli("read", str(text_png), "-o", "/nonexistent/dir/out.txt")
    assert out.returncode == 2
    lines = out.stderr.decode().strip().splitlines()
    assert lines == [
        "vlocr: error: cannot write /nonexistent/dir/out.txt: no folder /nonexistent/dir (create it first)"
    ]


def test_shell_completion_script_is_available() -> None:
    out = run_cli("--show-completion", "bash")
    assert out.returncode == 0
    assert b"complete" in out.stdout and b"vlocr" in out.stdout.lower()
