"""``--format badcases``: reads, answers and extractions become samples with their corrections."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from vlocr.badcases import BadCaseStore
from vlocr.eval.data.loaders import load_folder


def test_cases_become_samples(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), "white").save(buffer, format="PNG")
    store = BadCaseStore(tmp_path)
    read = store.add(buffer.getvalue(), kind="read", correction="GREENLEAF\nTOTAL 39.54", result={})
    answer = store.add(buffer.getvalue(), kind="answer", correction="39.54", result={})
    extract = store.add(
        buffer.getvalue(), kind="extract", correction='{"total": "39.54"}', result={}
    )
    (tmp_path / "not-a-case").mkdir()
    samples = {s.sample_id: s for s in load_folder(tmp_path, "badcases")}
    assert set(samples) == {read.id, answer.id, extract.id}
    assert samples[read.id].text == "GREENLEAF\nTOTAL 39.54"
    assert [ln.text for ln in samples[read.id].lines] == ["GREENLEAF", "TOTAL 39.54"]
    assert samples[answer.id].fields == {"answer": "39.54"} and samples[answer.id].text == ""
    assert samples[extract.id].fields == {"total": "39.54"}
    assert samples[extract.id].kind == "badcase-extract"
    assert samples[read.id].image.shape == (30, 60, 3)
