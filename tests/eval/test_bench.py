"""The runner, the report and the ``vlocr bench`` command."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from vlocr.eval.reading import runner as runner_mod
from vlocr.eval.reading.report import write_report as write_outputs
from vlocr.eval.reading.runner import (
    BenchOptions,
    Config,
    degraded_item,
    run_bench,
    synthetic_items,
)
from vlocr.eval.synth import Document


def test_configs_are_interleaved_and_see_the_same_images(
    monkeypatch: pytest.MonkeyPatch, tiny_doc: Document
) -> None:
    calls: list[tuple[str, bytes]] = []

    def fake_prepare(config, options, warmup):  # type: ignore[no-untyped-def]
        if config.engine == "missing":
            from vlocr.errors import EngineUnavailableError

            raise EngineUnavailableError("missing is not installed", "install it")

        def read(image: np.ndarray) -> tuple[str, list[str]]:
            calls.append((config.name, image.tobytes()))
            text = (
                "TOTAL 12.50\nDate: 2024-03-15\n合计金额 88.00"
                if config.engine == "good"
                else "TOTAL 12.5O"
            )
            return text, text.splitlines()

        return read

    monkeypatch.setattr(runner_mod, "prepare_reader", fake_prepare)
    items = [degraded_item(tiny_doc, g, 1, 0) for g in ("clean", "blur", "noise")]
    configs = [Config("good"), Config("bad"), Config("missing")]
    result = run_bench(BenchOptions(configs=configs, speed=False, progress=False), items=items)
    assert result.skipped == {"missing/none": "missing is not installed (install it)"}
    assert result.configs == ["good/none", "bad/none"]
    # per image, both configs in turn, the first one rotating
    assert [c for c, _ in calls] == [
        "good/none",
        "bad/none",
        "bad/none",
        "good/none",
        "good/none",
        "bad/none",
    ]
    assert calls[0][1] == calls[1][1] and calls[2][1] == calls[3][1] and calls[0][1] != calls[2][1]
    good = [s for s in result.samples if s.config == "good/none"]
    assert all(s.scores["cer"] == 0 and s.scores["fields_found"] == 2 for s in good)
    bad = [s for s in result.samples if s.config == "bad/none"]
    assert all(s.scores["fields_found"] == 0 and s.scores["cer"] > 0.5 for s in bad)


def test_synthetic_items_cycle_kinds_and_severities() -> None:
    items = synthetic_items(
        BenchOptions(groups=("clean", "blur"), kinds=("form", "table"), docs_per_group=3)
    )
    assert [i.group for i in items] == ["clean"] * 3 + ["blur"] * 3
    assert [i.severity for i in items] == [1, 1, 1, 1, 2, 3]
    assert [i.kind for i in items] == ["form", "table", "form", "table", "form", "table"]
    assert len({i.item_id for i in items}) == 6


def test_end_to_end_report(
    tmp_path: Path, tiny_doc: Document, require_engine: Callable[[str], None]
) -> None:
    require_engine("rapidocr")
    items = [degraded_item(tiny_doc, "clean", 1, 0), degraded_item(tiny_doc, "skew", 1, 0)]
    configs = [Config("rapidocr"), Config("tesseract"), Config("no-such-engine")]
    result = run_bench(BenchOptions(configs=configs, speed=False, progress=False), items=items)
    assert "no-such-engine/none" in result.skipped
    paths = write_outputs(result, tmp_path)
    report = paths["report"].read_text(encoding="utf-8")
    assert "## Overall" in report and "`rapidocr/none`" in report and "no-such-engine" in report
    assert "## CER per degradation" in report and "| skew (1) |" in report
    data = json.loads(paths["results"].read_text(encoding="utf-8"))
    assert {s["config"] for s in data["samples"]} >= {"rapidocr/none"}
    rapid = [s for s in data["samples"] if s["config"] == "rapidocr/none"]
    assert len(rapid) == 2
    clean, skewed = sorted(rapid, key=lambda s: s["group"] != "clean")
    assert clean["scores"]["cer"] < 0.1
    # reading order on a skewed page is the engine's business; the characters must be there
    assert skewed["scores"]["char_recall_unordered"] > 0.9
    assert data["aggregates"]["overall"]["rapidocr/none"]["n"] == 2
    assert data["aggregates"]["ratios_to_baseline"]["rapidocr/none"][
        "latency_median"
    ] == pytest.approx(1.0)
    for key in ("cer_by_degradation", "latency"):
        assert paths[key].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _app() -> typer.Typer:
    from vlocr.cli.bench_command import register

    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None: ...

    return app


def test_cli_quick_run_writes_outputs(
    tmp_path: Path, require_engine: Callable[[str], None]
) -> None:
    require_engine("tesseract")
    out = tmp_path / "bench"
    res = CliRunner().invoke(
        _app(),
        [
            "bench",
            "--quick",
            "--no-speed",
            "--no-progress",
            "--engines",
            "tesseract",
            "--groups",
            "clean",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert (out / "report.md").exists() and (out / "latency.png").exists()
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["configs"] == ["tesseract/none"] and data["options"]["quick"] is True
    assert [s["group"] for s in data["samples"]] == ["clean"]


def test_cli_rejects_unknown_group(tmp_path: Path) -> None:
    res = CliRunner().invoke(_app(), ["bench", "--groups", "smudge", "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert "unknown degradation group 'smudge'" in res.output


def test_receipt_speed_section(tmp_path: Path, require_engine: Callable[[str], None]) -> None:
    require_engine("tesseract")
    from vlocr.eval.reading.speed import receipt_speed

    out = receipt_speed([Config("tesseract")], count=1, seed=0)
    per = out["per_engine"]["tesseract"]
    assert per["n"] == 1 and per["median_ms"] > 0 and 0 <= per["cer_mean"] < 0.5
    w, h = (int(v) for v in out["image_size"].split("x"))
    assert 500 <= w <= 700 and h >= 1400 and 40 <= out["text_rows"] <= 60


@pytest.mark.slow
def test_vlm_variants_run_on_a_tiny_model(tmp_path: Path, tiny_doc: Document) -> None:
    """The prompt grid runs end to end through the real transformers path (random weights, so
    only the plumbing is checked, not the accuracy)."""
    pytest.importorskip("transformers")
    try:
        from vlocr.testing.tiny_qwen import build_tiny_qwen3_vl
    except ImportError as exc:  # pragma: no cover - depends on the VLM side being present
        pytest.skip(f"tiny model builder unavailable: {exc}")
    model_dir = build_tiny_qwen3_vl(tmp_path / "tiny")
    configs = [Config("vlm", "none", False, False), Config("vlm", "none", True, False)]
    opts = BenchOptions(
        configs=configs,
        vlm_model=str(model_dir),
        vlm_options={"max_new_tokens": 8, "device": "cpu"},
        speed=False,
        progress=False,
    )
    result = run_bench(opts, items=[degraded_item(tiny_doc, "clean", 1, 0)])
    assert result.skipped == {}, result.skipped
    assert result.configs == ["vlm/none/plain", "vlm/none/structured"]
    assert all(s.error is None for s in result.samples), [s.error for s in result.samples]


def test_report_has_article_grid_for_vlm_variants(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_doc: Document
) -> None:
    truth = "TOTAL 12.50\nDate: 2024-03-15\n合计金额 88.00"

    def fake_prepare(config, options, warmup):  # type: ignore[no-untyped-def]
        text = truth if config.structured else truth[:20]
        return lambda image: (text, text.splitlines())

    monkeypatch.setattr(runner_mod, "prepare_reader", fake_prepare)
    configs = runner_mod.default_configs([], ["none"], vlm_model="some/model")
    assert [c.name for c in configs] == [
        "vlm/none/plain",
        "vlm/none/plain+hints",
        "vlm/seed/plain",
        "vlm/none/structured",
        "vlm/none/structured+hints",
        "vlm/seed/structured",
    ]
    opts = BenchOptions(configs=configs, vlm_model="some/model", speed=False, progress=False)
    result = run_bench(opts, items=[degraded_item(tiny_doc, "clean", 1, 0)])
    report = write_outputs(result, tmp_path)["report"].read_text(encoding="utf-8")
    assert "## Preprocessing x prompt" in report
    row_d = next(
        line for line in report.splitlines() if line.startswith("| D (`vlm/seed/structured`)")
    )
    assert "| yes | structured | 100.0% | 0.0% |" in row_d


def test_cli_on_user_data_folder(
    tmp_path: Path, tiny_doc: Document, require_engine: Callable[[str], None]
) -> None:
    require_engine("tesseract")
    from PIL import Image

    data = tmp_path / "data"
    data.mkdir()
    Image.fromarray(tiny_doc.image).save(data / "page1.png")
    (data / "page1.txt").write_text(tiny_doc.text, encoding="utf-8")
    (data / "page1.json").write_text(json.dumps({"total": "12.50"}), encoding="utf-8")
    out = tmp_path / "out"
    args = [
        "bench",
        "--data",
        str(data),
        "--format",
        "txt",
        "--data-only",
        "--engines",
        "tesseract",
    ]
    args += ["--presets", "none", "--no-speed", "--no-progress", "--out", str(out)]
    res = CliRunner().invoke(_app(), args)
    assert res.exit_code == 0, res.output
    data_json = json.loads((out / "results.json").read_text(encoding="utf-8"))
    [sample] = data_json["samples"]
    assert sample["item_id"] == "txt:page1" and sample["group"] == "user:txt"
    assert sample["scores"]["fields_total"] == 1
    assert "user:txt (1)" in (out / "report.md").read_text(encoding="utf-8")


def test_report_per_page_kind_with_headline_metric_and_case_rule(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_doc: Document
) -> None:
    from vlocr.eval.reading.model import BenchItem

    def fake_prepare(config, options, warmup):  # type: ignore[no-untyped-def]
        text = "total 12.50" if config.engine == "good" else "TOTAL 12.5O"
        return lambda image: (text, text.splitlines())

    monkeypatch.setattr(runner_mod, "prepare_reader", fake_prepare)
    receipt = BenchItem(
        "sroie:r1",
        "user:sroie",
        0,
        "receipt",
        "en",
        tiny_doc.image,
        [],
        "TOTAL 12.50",
        {},
        casefold=True,
    )
    page = BenchItem("txt:p1", "user:txt", 0, "page", "en", tiny_doc.image, [], "TOTAL 12.50", {})
    opts = BenchOptions(configs=[Config("good"), Config("bad")], speed=False, progress=False)
    result = run_bench(opts, items=[receipt, page])
    scores = {(s.item_id, s.config): s.scores for s in result.samples}
    assert scores[("sroie:r1", "good/none")]["word_f1"] == 1  # case-insensitive
    assert scores[("txt:p1", "good/none")]["word_f1"] < 1  # case counts on other pages
    report = write_outputs(result, tmp_path)["report"].read_text(encoding="utf-8")
    assert "### receipt (1 pages) - scored case-insensitively" in report
    assert "| config | word F1 (headline) | char F1 | CER | order CER |" in report
    assert "### page (1 pages)\n" in report and "| config | CER (headline) |" in report
    assert "| `good/none` | **1.000** |" in report


def test_layout_pages_carry_reading_order_truth() -> None:
    items = runner_mod.layout_items(
        BenchOptions(layout_kinds=("columns_en", "newspaper_zh"), layout_docs=1)
    )
    assert [i.group for i in items] == ["layout", "layout"]
    assert all(i.page_text and i.page_text != i.text for i in items)
