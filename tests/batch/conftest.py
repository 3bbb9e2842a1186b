"""Fixtures for batch tests: folders of generated pages and two scripted VLM servers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from batch_helpers import ScriptedServer, add_bad_files, make_pages


@pytest.fixture(scope="session")
def page_pool(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """24 distinct pages rendered once per session; tests copy what they need."""
    return make_pages(tmp_path_factory.mktemp("pool"), 24)


@pytest.fixture()
def mixed_folder(tmp_path: Path, page_pool: list[Path]) -> tuple[Path, list[Path], list[Path]]:
    """A folder with 6 good pages (one in a subfolder) and 3 bad files."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    good = []
    for i, src in enumerate(page_pool[:6]):
        dest = (folder / "sub" if i == 5 else folder) / src.name
        shutil.copy(src, dest)
        good.append(dest)
    return folder, good, add_bad_files(folder)


@pytest.fixture()
def vlm_servers() -> Iterator[list[ScriptedServer]]:
    servers = [ScriptedServer("A", delay_s=0.05), ScriptedServer("B", delay_s=0.05)]
    yield servers
    for server in servers:
        server.stop()
