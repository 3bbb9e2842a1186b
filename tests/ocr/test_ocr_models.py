"""Opening the bundled ONNX models: the optimised graph is kept per machine and reused."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from vlocr.ocr.models import _create_session, model_path, optimized_graph_path


@pytest.fixture()
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VLOCR_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _crop_batch() -> np.ndarray:
    rng = np.random.default_rng(3)
    return rng.uniform(-1, 1, (2, 3, 48, 192)).astype(np.float32)


def _run(session: ort.InferenceSession, batch: np.ndarray) -> np.ndarray:
    return session.run(None, {session.get_inputs()[0].name: batch})[0]


def test_optimised_graph_is_saved_then_reused_with_the_same_output(own_cache: Path) -> None:
    cls = model_path("cls", "v2")
    cached = optimized_graph_path(cls, ort.__version__)
    assert cached is not None and cached.parent.parent == own_cache and not cached.exists()

    first = _create_session(ort, cls, 1, False)  # optimises the bundled file, keeps the graph
    assert cached.is_file()
    assert not list(cached.parent.glob("*.part"))  # no half-written copy left behind
    second = _create_session(ort, cls, 1, False)  # opens the kept graph
    batch = _crop_batch()
    np.testing.assert_array_equal(_run(first, batch), _run(second, batch))


def test_a_kept_graph_is_what_the_next_session_opens(own_cache: Path) -> None:
    # put the detector's optimised graph where the classifier's belongs: the session that comes
    # back is the detector's, so the kept file (not the bundled one) was opened
    det, cls = model_path("det", "v4"), model_path("cls", "v2")
    _create_session(ort, det, 1, False)
    det_graph = optimized_graph_path(det, ort.__version__)
    cls_graph = optimized_graph_path(cls, ort.__version__)
    assert det_graph is not None and cls_graph is not None and det_graph != cls_graph
    shutil.copyfile(det_graph, cls_graph)
    session = _create_session(ort, cls, 1, False)
    assert session.get_outputs()[0].shape[1] == 1  # the detector's probability map, not 2 classes


def test_a_damaged_kept_graph_is_rebuilt(own_cache: Path) -> None:
    cls = model_path("cls", "v2")
    cached = optimized_graph_path(cls, ort.__version__)
    assert cached is not None
    cached.write_bytes(b"not an onnx graph")
    session = _create_session(ort, cls, 1, False)
    assert _run(session, _crop_batch()).shape == (2, 2)
    assert cached.stat().st_size > 100_000  # replaced by a real graph


def test_kept_graph_follows_the_model_file(own_cache: Path, tmp_path: Path) -> None:
    copy = tmp_path / "cls.onnx"
    shutil.copyfile(model_path("cls", "v2"), copy)
    before = optimized_graph_path(copy, ort.__version__)
    assert before != optimized_graph_path(copy, "0.0.0")  # another ONNX Runtime
    stat = copy.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert optimized_graph_path(copy, ort.__version__) != before  # the file changed


def test_unwritable_cache_opens_the_bundled_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("VLOCR_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    cls = model_path("cls", "v2")
    assert optimized_graph_path(cls, ort.__version__) is None
    assert _run(_create_session(ort, cls, 1, False), _crop_batch()).shape == (2, 2)


def test_graphs_unused_for_a_month_are_pruned_when_one_is_written(own_cache: Path) -> None:
    det, cls = model_path("det", "v4"), model_path("cls", "v2")
    _create_session(ort, det, 1, False)
    det_graph = optimized_graph_path(det, ort.__version__)
    assert det_graph is not None and det_graph.is_file()
    stale = det_graph.with_name("PP-OCRv6_rec_small.0123456789abcdef.onnx")  # another ORT, say
    stale.write_bytes(b"old")
    month_ago = time.time() - 31 * 86400
    for path in (det_graph, stale):
        os.utime(path, (month_ago, month_ago))
    _create_session(ort, det, 1, False)  # opens the kept graph: marks it in use
    _create_session(ort, cls, 1, False)  # writes a new graph: prunes what nobody opened
    assert det_graph.is_file() and not stale.exists()
    assert optimized_graph_path(cls, ort.__version__).is_file()  # type: ignore[union-attr]
