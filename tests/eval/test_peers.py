"""External peers: command parsing, fresh-process measurement, and a scripted peer in a run."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from vlocr.errors import InvalidOptionError
from vlocr.eval.reading import speed as speed_mod
from vlocr.eval.reading.model import BenchOptions, Config
from vlocr.eval.reading.peers import PeerCommand, parse_peer, peer_reader, run_process, split_pages
from vlocr.eval.reading.report import write_report
from vlocr.eval.reading.runner import degraded_item, run_bench
from vlocr.eval.synth import Document

# A peer that "reads" every image as the same two lines, one process per call; with several
# images it separates the pages by a form-feed line, and it allocates 60 MB so that its peak
# memory is measurable.
PEER_SCRIPT = """
import sys
ballast = bytearray(60 * 1024 * 1024)
for i, path in enumerate(sys.argv[1:]):
    if i:
        print("\\f")
    assert open(path, "rb").read(8) == b"\\x89PNG\\r\\n\\x1a\\n"
    print("TOTAL 12.50")
    print("Date: 2024-03-15")
"""


@pytest.fixture()
def peer(tmp_path: Path) -> PeerCommand:
    script = tmp_path / "fake_peer.py"
    script.write_text(PEER_SCRIPT, encoding="utf-8")
    return parse_peer(f"fake={sys.executable} {script} {{imgs}}")


def test_parse_peer_and_command_lines() -> None:
    one = parse_peer("lite=/venv/bin/python peer.py --fast {img}")
    assert one.name == "lite" and not one.batch
    assert one.argv(["a b.png"]) == ["/venv/bin/python", "peer.py", "--fast", "a b.png"]
    with pytest.raises(ValueError):
        one.argv(["a.png", "b.png"])
    many = parse_peer("x='cmd' --in {imgs}")
    assert many.batch and many.argv(["a.png", "b.png"]) == ["cmd", "--in", "a.png", "b.png"]
    for bad in ("no-equals", "name=cmd without image", "=cmd {img}"):
        with pytest.raises(InvalidOptionError):
            parse_peer(bad)


def test_split_pages_at_form_feed_lines() -> None:
    assert split_pages("a\nb\n\f\nc\n\n") == [["a", "b"], ["c"]]
    assert split_pages("") == [[]]


def test_run_process_measures_the_child_not_the_parent() -> None:
    ballast = np.ones(300 * 1024 * 1024 // 8)  # this process holds 300 MB more than the child
    run = run_process([sys.executable, "-c", "x = bytearray(80 * 1024 * 1024); print('ok')"])
    assert run.returncode == 0 and run.stdout.strip() == "ok"
    assert 80 <= run.peak_mb < 250, run.peak_mb
    assert run.wall_ms > 0 and run.cpu_ms > 0
    failed = run_process([sys.executable, "-c", "import sys; sys.exit('broken')"])
    assert failed.returncode == 1 and failed.last_error_line() == "broken"
    del ballast


def test_scripted_peer_in_a_run_and_in_the_report(
    peer: PeerCommand, tiny_doc: Document, tmp_path: Path
) -> None:
    text, lines = peer_reader(peer)(tiny_doc.image)
    assert lines == ["TOTAL 12.50", "Date: 2024-03-15"] and text == "\n".join(lines)
    items = [degraded_item(tiny_doc, "clean", 1, 0)]
    options = BenchOptions(
        engines=(), presets=("none",), peers=(f"fake={peer.template}",), speed=False, progress=False
    )
    result = run_bench(options, items=items)
    assert result.configs == ["fake/peer"]
    [sample] = result.samples
    assert sample.error is None and sample.n_lines == 2
    assert sample.scores["fields_found"] == 2 and 0 < sample.scores["word_f1"] < 1
    assert sample.cpu_ms > 0  # the child's CPU time is counted once it is reaped
    report = write_report(result, tmp_path)["report"].read_text(encoding="utf-8")
    assert "`fake/peer`" in report and "fresh command per page" in report


def test_speed_compares_ours_and_the_peer_in_fresh_processes(
    peer: PeerCommand, tiny_doc: Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "ours" is another scripted command here, so the test stays fast; the real one is
    # `vlocr read --engine ENGINE` (speed_mod.our_command)
    ours = tmp_path / "ours.py"
    ours.write_text("import sys\nfor p in sys.argv[1:]:\n    print('TOTAL 12.50')\n")
    monkeypatch.setattr(speed_mod, "our_command", lambda engine: [sys.executable, str(ours)])
    image = tmp_path / "page.png"
    from PIL import Image

    Image.fromarray(tiny_doc.image).save(image)
    fresh = speed_mod.fresh_process(2, "rapidocr", [peer], image)
    per = fresh["per_command"]
    assert set(per) == {"vlocr read --engine rapidocr", "fake (peer)"}
    assert per["fake (peer)"]["n"] == 2 and per["fake (peer)"]["peak_median_mb"] >= 60
    assert per["vlocr read --engine rapidocr"]["peak_median_mb"] < 60
    ratios = fresh["ours_over"]["fake (peer)"]
    assert 0 < ratios["peak_median_mb"] < 1
    warm = speed_mod.per_receipt_in_process(
        "rapidocr", [peer, PeerCommand("single", "cmd {img}")], [tiny_doc.image] * 3, repeats=1
    )
    assert warm["k"] == 2 and warm["skipped_peers"] == ["single"]
    assert set(warm["per_command"]) == {"vlocr read --engine rapidocr", "fake (peer)"}
    assert "fake (peer)" in warm["ours_over"]
    assert warm["per_command"]["fake (peer)"]["cpu_per_receipt_median_ms"] is not None
    report_cfg = Config("fake", command=peer.template)
    assert report_cfg.name == "fake/peer"
