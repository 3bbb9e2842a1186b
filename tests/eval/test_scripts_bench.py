"""The script bench: one run scores vlocr against plain Tesseract on rendered pages."""

from __future__ import annotations

from types import SimpleNamespace

from vlocr.eval.reading import scripts_bench as sb
from vlocr.results import PreprocessTrace, StepTrace


def test_the_turn_auto_applied_is_read_from_the_trace() -> None:
    def page(*steps: StepTrace) -> SimpleNamespace:
        return SimpleNamespace(preprocess=PreprocessTrace(pipeline="auto", steps=list(steps)))

    assert sb._turn_of(page()) == 0
    assert sb._turn_of(page(StepTrace(name="rotate180"))) == 180
    # orient turns counter-clockwise: one quarter undoes a page turned 90 degrees clockwise
    assert sb._turn_of(page(StepTrace(name="orient", params={"quarter_turns": 1}))) == 90
    assert sb._turn_of(page(StepTrace(name="orient", params={"quarter_turns": 3}))) == 270
    assert sb._turn_of(SimpleNamespace(preprocess=None)) == 0


def test_korean_page_upright_and_turned_vlocr_vs_plain_tesseract(tmp_path) -> None:  # type: ignore[no-untyped-def]
    items = [i for i in sb.rendered_items() if i.name == "ko-sans"]
    rows = sb.run_scripts_bench(items, readers=("vlocr", "tesseract"), rotations=(0, 180))
    by = {(r.reader, r.rotation): r for r in rows}
    assert by["vlocr", 0].turn_applied == 0  # the upright page is not turned
    assert by["vlocr", 180].turn_applied == 180
    assert by["vlocr", 0].cer <= by["tesseract", 0].cer
    assert by["vlocr", 180].cer < sb.UPRIGHT_CER < by["tesseract", 180].cer
    table = sb.markdown(rows)
    assert "| Korean (Hangul) (1) | vlocr (tesseract kor+eng) |" in table
    assert "0 of 1 | 2 of 2 |" in table
    paths = sb.write(rows, tmp_path, "vlocr bench --scripts")
    assert "vlocr bench --scripts" in paths["report"].read_text(encoding="utf-8")


def test_the_orientation_signals_table_counts_each_signal() -> None:
    results = [
        {"rotation": 0, "need": 0, "geometry": 2, "classifier": 0, "osd": 0, "auto": 0},
        {"rotation": 180, "need": 2, "geometry": 0, "classifier": 2, "osd": 1, "auto": 2},
    ]
    table = sb.signals_markdown(results)
    assert "| glyph-box geometry (auto's old rule) | 0 of 1 | 0 of 1 | 1 |" in table
    assert "| Tesseract OSD alone | 1 of 1 | 0 of 1 | 1 |" in table
    assert "| auto now (classifier + OSD) | 1 of 1 | 1 of 1 | 0 |" in table
