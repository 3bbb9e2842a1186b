"""The load test (scripts/loadtest.py) in a small size: a burst on REST and the page together."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent / "scripts" / "loadtest.py"

CHECKS = (
    "rest_only_200_503",
    "503_has_retry_after",
    "page_only_ok_or_busy",
    "healthz_always_200",
    "memory_back_near_baseline",
    "no_temp_files_left",
)


@pytest.mark.slow
def test_burst_on_rest_and_page_gives_only_200_or_503() -> None:
    spec = importlib.util.spec_from_file_location("loadtest", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = module.run(rest=12, page=4, settle_s=3.0)
    failed = [name for name in CHECKS if not report["checks"][name]]
    assert not failed, report
    assert report["rest_status"].get(200, 0) >= 2, report
    assert report["rest_status"].get(503, 0) >= 1, "a burst of 12 on 2 workers + 4 queued"
