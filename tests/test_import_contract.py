"""The layers written down in pyproject.toml ([tool.importlinter]) hold, an arrow that runs back
up breaks them, and no module imports itself through a circle (issue 20)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"

pytest.importorskip("importlinter", reason="the dev extra installs import-linter")


def lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with the repo's contract, over the package found in ``src``."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
        "lint-imports"
    )
    assert exe, "lint-imports is not installed (pip install -e '.[dev]')"
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [exe, "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_layers_hold() -> None:
    out = lint_imports(SRC)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 kept, 0 broken" in out.stdout


def test_an_arrow_back_up_breaks_the_contract(tmp_path: Path) -> None:
    shutil.copytree(SRC / "vlocr", tmp_path / "vlocr", ignore=shutil.ignore_patterns("__pycache__"))
    engine = tmp_path / "vlocr" / "ocr" / "base.py"
    engine.write_text(engine.read_text() + "\nfrom vlocr.service import read  # upward\n")
    out = lint_imports(tmp_path)
    assert out.returncode != 0
    assert "BROKEN" in out.stdout and "vlocr.ocr.base -> vlocr.service" in out.stdout


def test_no_import_circles() -> None:
    import grimp

    graph = grimp.build_graph("vlocr", cache_dir=None)
    circles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported != module and graph.chain_exists(imported, module):
                circles.append(f"{module} -> {imported}")
    assert not circles, "modules that import each other (through a chain): " + ", ".join(circles)
