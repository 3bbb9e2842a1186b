"""`vlocr pdf` and `vlocr read --format pdf`: one searchable PDF, as OCRmyPDF users expect it (the
scan or photo embedded as it came, a digital PDF kept with its metadata, the text reads back)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from reportlab.pdfgen.canvas import Canvas

PY = sys.executable
REPO = Path(__file__).resolve().parents[2]
BOOK_PAGE = REPO.parent / "shared/dev-data/oldbooks/c050.png"  # a real 1-bit book scan
RECEIPT = REPO / "examples/receipt.jpg"


def run_cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [PY, "-m", "vlocr.cli.main", *args], capture_output=True, timeout=300, cwd=REPO
    )


def _squash(text: str) -> str:
    return "".join(text.replace("\ufffe", "-").split())


@pytest.mark.skipif(not BOOK_PAGE.exists(), reason="needs the dev data's book pages")
def test_a_bilevel_book_scan_stays_about_its_size_and_both_commands_agree(tmp_path: Path) -> None:
    by_read, by_pdf = tmp_path / "read.pdf", tmp_path / "pdf.pdf"
    out = run_cli("read", str(BOOK_PAGE), "-f", "pdf", "-o", str(by_read))
    assert out.returncode == 0, out.stderr
    assert by_read.stat().st_size <= 1.5 * BOOK_PAGE.stat().st_size
    with pikepdf.open(by_read) as document:
        (image,) = document.pages[0].get_images().values()
        assert int(image.BitsPerComponent) == 1  # bilevel, not a JPEG of the page
    text = pdfium.PdfDocument(by_read)[0].get_textpage().get_text_range()
    assert "ENCHANTER" in text and "market place" in text
    out = run_cli("pdf", str(BOOK_PAGE), str(by_pdf))
    assert out.returncode == 0, out.stderr
    assert by_pdf.read_bytes() == by_read.read_bytes()


def test_a_jpeg_photo_is_embedded_byte_for_byte(tmp_path: Path) -> None:
    target = tmp_path / "receipt.pdf"
    out = run_cli("read", str(RECEIPT), "-f", "pdf", "-o", str(target))
    assert out.returncode == 0, out.stderr
    data = RECEIPT.read_bytes()
    assert target.stat().st_size <= 1.1 * len(data)
    with pikepdf.open(target) as document:
        (image,) = document.pages[0].get_images().values()
        assert image.read_raw_bytes() == data
    text = pdfium.PdfDocument(target)[0].get_textpage().get_text_range()
    assert "TOTAL" in text.upper()


def test_a_digital_pdf_keeps_its_pages_and_metadata(tmp_path: Path) -> None:
    source, target = tmp_path / "vector.pdf", tmp_path / "out.pdf"
    canvas = Canvas(str(source), pagesize=(300, 200))
    canvas.setTitle("Quarterly report")
    canvas.setAuthor("Ada Lovelace")
    canvas.setFont("Helvetica", 14)
    canvas.drawString(20, 150, "Hello vector world")
    canvas.showPage()
    canvas.save()
    out = run_cli("read", str(source), "-f", "pdf", "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert target.stat().st_size <= 2 * source.stat().st_size  # not a picture of the page
    with pikepdf.open(target) as document:
        assert str(document.docinfo["/Title"]) == "Quarterly report"
        assert str(document.docinfo["/Author"]) == "Ada Lovelace"
        assert not document.pages[0].get_images()
    assert pdfium.PdfDocument(target)[0].get_textpage().get_text_range().strip() == (
        "Hello vector world"
    )


def test_force_ocr_and_skip_text_contradict(tmp_path: Path) -> None:
    out = run_cli("pdf", "--force-ocr", "--skip-text", str(RECEIPT), str(tmp_path / "o.pdf"))
    assert out.returncode == 2
    assert out.stderr.decode().strip() == (
        "vlocr: error: --force-ocr and --skip-text contradict each other (pass one of them)"
    )
    assert not (tmp_path / "o.pdf").exists()


def test_pdf_needs_an_input_and_an_output() -> None:
    out = run_cli("pdf", str(RECEIPT))
    assert out.returncode == 2
    assert b"needs an input and an output" in out.stderr


def test_pdf_reads_stdin_and_writes_stdout() -> None:
    out = subprocess.run(
        [PY, "-m", "vlocr.cli.main", "pdf", "-", "-"],
        input=RECEIPT.read_bytes(),
        capture_output=True,
        timeout=300,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr
    document = pdfium.PdfDocument(io.BytesIO(out.stdout).getvalue())
    assert "TOTAL" in document[0].get_textpage().get_text_range().upper()
