"""The bad-case store: one folder per case, a size cap that refuses (never prunes), valid corrections."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from vlocr.badcases import BadCaseStore, BadCaseStoreFullError
from vlocr.errors import InvalidOptionError


def png(size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_add_list_and_export(tmp_path: Path) -> None:
    store = BadCaseStore(tmp_path / "cases")
    first = store.add(png(), kind="read", correction=" TOTAL 3.78 \n", result={"text": "T0TAL"})
    second = store.add(
        png(),
        kind="extract",
        correction='{"total": "3.78", "items": [{"name": "Milk"}]}',
        result={"data": {"total": "3.18"}},
        options={"schema": "receipt"},
        source="/etc/../receipt.png",
    )
    assert first.correction == "TOTAL 3.78" and second.source == "receipt.png"
    assert [c.id for c in store.list()] == sorted([first.id, second.id], reverse=True)
    assert second.correction_fields() == {"total": "3.78", "items[0].name": "Milk"}
    assert not list((tmp_path / "cases").glob(".tmp-*"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(store.export_zip())))
    assert json.loads(archive.read(f"{first.id}/case.json"))["correction"] == "TOTAL 3.78"
    assert archive.read(f"{first.id}/image.png") == png()


def test_full_store_refuses_and_keeps_what_it_has(tmp_path: Path) -> None:
    store = BadCaseStore(tmp_path, max_mb=0.01)  # ~10 KB
    kept = store.add(png(), kind="read", correction="a", result={})
    with pytest.raises(BadCaseStoreFullError) as err:
        store.add(png((900, 900)) + b"\0" * 20_000, kind="read", correction="b", result={})
    assert "export" in err.value.hint
    assert [c.id for c in store.list()] == [kept.id]


@pytest.mark.parametrize(
    ("kind", "correction"), [("read", "   "), ("extract", "{not json"), ("read", "x" * 70_000)]
)
def test_bad_corrections_are_refused(tmp_path: Path, kind: str, correction: str) -> None:
    with pytest.raises(InvalidOptionError):
        BadCaseStore(tmp_path).add(png(), kind=kind, correction=correction, result={})  # type: ignore[arg-type]
    assert BadCaseStore(tmp_path).list() == []


def test_nothing_is_written_without_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vlocr.api.app import create_app
    from vlocr.config import Settings

    monkeypatch.chdir(tmp_path)
    app = create_app(Settings(), ui=False)
    assert app.state.vlocr.bad_cases is None
    assert list(tmp_path.iterdir()) == []
