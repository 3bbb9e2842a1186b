from __future__ import annotations

import pytest

from vlocr.eval.data.canvas import Canvas
from vlocr.eval.synth import Document


@pytest.fixture(scope="session")
def require_engine():  # type: ignore[no-untyped-def]
    """Call with an engine name: skips the test when that engine cannot run here."""
    from vlocr.ocr.registry import engine_available

    def check(name: str) -> None:
        if not engine_available(name):
            pytest.skip(f"OCR engine {name} is not available here")

    return check


@pytest.fixture(scope="session")
def tiny_doc() -> Document:
    """A three-line page, small enough to read in well under a second."""
    c = Canvas(420, margin=24)
    c.row([("TOTAL", "l"), ("12.50", "r")], "sans-bold", 22)
    c.row([("Date: 2024-03-15", "l")], "sans", 20)
    c.row([("合计金额 88.00", "l")], "cjk", 22)
    image, lines = c.finish()
    return Document(
        image=image,
        lines=lines,
        fields={"total": "12.50", "date": "2024-03-15"},
        kind="tiny",
        lang="mixed",
        doc_id="tiny-0",
    )


@pytest.fixture(scope="session")
def dev_data():  # type: ignore[no-untyped-def]
    """The real development scans (../shared/dev-data next to the checkout, or $VLOCR_DEV_DATA).
    They are never copied into the repo, so a clone without them skips these tests."""
    import os
    from pathlib import Path

    root = Path(
        os.environ.get("VLOCR_DEV_DATA")
        or Path(__file__).resolve().parents[2] / "../shared/dev-data"
    )
    if not (root / "sroie-train").is_dir():
        pytest.skip(f"development data not found at {root} (set VLOCR_DEV_DATA)")
    return root
