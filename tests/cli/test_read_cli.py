"""`vlocr read` end to end, in a real subprocess: output formats, annotation, bad inputs."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

PY = sys.executable


def run_cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "-m", "vlocr.cli.main", *args], capture_output=True, text=True, timeout=timeout
    )


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory, text_png: Path) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    files = {
        "empty": (d / "empty.png", b""),
        "truncated": (d / "truncated.png", text_png.read_bytes()[:300]),
        "text_as_jpg": (d / "notes.jpg", b"shopping list: milk, eggs, bread\n" * 10),
        "huge_header": (
            d / "huge.png",
            _png_header(100_000, 100_000) + b"\x00\x00\x00\x00IEND\xaeB`\x82",
        ),
        "unsupported": (
            d / "drawing.svg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
        ),
    }
    for path, data in files.values():
        path.write_bytes(data)
    out = {name: path for name, (path, _) in files.items()}
    out["missing"] = d / "does-not-exist.png"
    return out


def test_text_output_reads_the_lines(text_png: Path, text_lines: list[str]) -> None:
    proc = run_cli("read", str(text_png))
    assert proc.returncode == 0, proc.stderr
    got = proc.stdout.split("\n")
    for expected in text_lines:
        assert any(expected.replace(" ", "") == line.replace(" ", "") for line in got), (
            expected,
            got,
        )


def test_json_lines_have_boxes_and_confidences(text_png: Path, text_lines: list[str]) -> None:
    proc = run_cli("read", str(text_png), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    page = json.loads(proc.stdout)["pages"][0]
    assert page["width"] == 760 and page["error"] is None
    assert len(page["lines"]) == len(text_lines)
    for i, line in enumerate(page["lines"]):
        assert len(line["box"]) == 4 and 0.5 < line["confidence"] <= 1.0
        top = min(p[1] for p in line["box"])
        assert abs(top - (24 + i * 50)) < 20, "line boxes sit where the text was drawn"
    assert page["timings_ms"]["ocr"] > 0


def test_lines_output_is_a_table(text_png: Path) -> None:
    proc = run_cli("read", str(text_png), "--format", "lines")
    assert proc.returncode == 0
    assert "| # | text | confidence |" in proc.stdout and "TOTAL" in proc.stdout


def test_markdown_output_is_the_document(text_png: Path) -> None:
    proc = run_cli("read", str(text_png), "--format", "markdown")
    assert proc.returncode == 0
    assert "| # | text | confidence |" not in proc.stdout and "TOTAL" in proc.stdout


def test_annotation_draws_boxes_over_the_text(text_png: Path, tmp_path: Path) -> None:
    out = tmp_path / "ann.png"
    proc = run_cli("read", str(text_png), "--format", "json", "--annotate", str(out))
    assert proc.returncode == 0, proc.stderr
    page = json.loads(proc.stdout)["pages"][0]
    ann = np.asarray(Image.open(out).convert("RGB")).astype(int)
    original = np.asarray(Image.open(text_png).convert("RGB")).astype(int)
    assert ann.shape == original.shape
    for line in page["lines"]:
        x0 = int(min(p[0] for p in line["box"]))
        x1 = int(max(p[0] for p in line["box"]))
        y0 = int(min(p[1] for p in line["box"]))
        edge = ann[max(0, y0 - 2) : y0 + 3, x0 + 10 : x1 - 10]
        red = (edge[..., 0] > 180) & (edge[..., 1] < 120) & (edge[..., 2] < 120)
        assert red.any(axis=0).mean() > 0.8, (
            "a red box edge runs along the top of each recognised line"
        )
    far = ann[-10:, :]  # bottom margin has no text, so no drawing
    assert (far == 255).all()


@pytest.mark.parametrize(
    "name, needle",
    [
        ("empty", "empty"),
        ("truncated", "truncated"),
        ("text_as_jpg", "text"),
        ("huge_header", "too large"),
        ("unsupported", "SVG"),
        ("missing", "no such file"),
    ],
)
def test_bad_input_is_one_line_exit_2(bad_inputs: dict[str, Path], name: str, needle: str) -> None:
    proc = run_cli("read", str(bad_inputs[name]))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("vlocr: error: ") and str(bad_inputs[name]) in lines[0]
    assert needle.lower() in lines[0].lower()
    assert proc.stdout.strip() == ""


def test_batch_keeps_good_files_and_reports_failure(
    bad_inputs: dict[str, Path], text_png: Path
) -> None:
    proc = run_cli(
        "read",
        str(bad_inputs["empty"]),
        str(text_png),
        str(bad_inputs["missing"]),
        "--format",
        "json",
    )
    assert proc.returncode == 2
    result = json.loads(proc.stdout)
    assert [p["error"] is None for p in result["pages"]] == [False, True, False]
    assert "TOTAL" in result["pages"][1]["text"]
    assert len([ln for ln in proc.stderr.splitlines() if ln.startswith("vlocr: error:")]) == 2


def test_pdf_pages_are_labelled(tmp_path: Path, text_png: Path) -> None:
    page = Image.open(text_png).convert("RGB")
    pdf = tmp_path / "two.pdf"
    page.save(pdf, "PDF", save_all=True, append_images=[page], resolution=100)
    proc = run_cli("read", str(pdf), "--pdf-dpi", "100")
    assert proc.returncode == 0, proc.stderr
    assert f"==> {pdf} [page 1/2] <==" in proc.stdout and f"==> {pdf} [page 2/2] <==" in proc.stdout
    assert proc.stdout.count("TOTAL") == 2


def test_read_does_not_import_heavy_libraries(text_png: Path) -> None:
    code = (
        "import sys\n"
        "from vlocr.cli.main import app\n"
        f"try:\n    app(['read', {str(text_png)!r}])\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'gradio', 'matplotlib', 'fastapi') if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    proc = subprocess.run([PY, "-c", code], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert "TOTAL" in proc.stdout
    assert "HEAVY=\n" in proc.stdout, proc.stdout


def test_unknown_engine_is_a_clear_error(text_png: Path) -> None:
    proc = run_cli("read", str(text_png), "--engine", "nope")
    assert proc.returncode == 2
    assert "unknown OCR engine 'nope'" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_region_is_a_clear_error(text_png: Path) -> None:
    proc = run_cli("read", str(text_png), "--region", "1,2,three")
    assert proc.returncode == 2 and "x,y,w,h" in proc.stderr


@pytest.mark.parametrize("region", ["inf,0,10,10", "0,0,1e309,5"])
def test_non_finite_region_is_one_line_exit_2(text_png: Path, region: str) -> None:
    result = run_cli("read", str(text_png), "--region", region, "-p", "none")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "finite" in result.stderr
