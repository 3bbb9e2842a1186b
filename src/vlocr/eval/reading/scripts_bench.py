"""The script bench: vlocr vs plain Tesseract vs plain PP-OCR on pages in every script vlocr
reads, each upright and turned by 90, 180 and 270 degrees, in one run.

Pages: the rendered documents of ``script_pages`` (Latin, Korean, Japanese, Chinese simplified
and traditional; a sans and a serif face each) plus any real labelled pages given (``--data``:
receipts and book pages of the dev data). Readers, each with the language the page is in:

- ``vlocr``: ``vlocr.read(image, lang=...)`` as a user runs it (engine chosen from ``--lang``,
  ``auto`` preprocessing);
- ``tesseract``: plain ``tesseract -l <pack>`` (the language's one pack, default ``--psm 3``,
  no preprocessing) through pytesseract;
- ``pp-ocr``: the ``rapidocr-v6`` engine (plain rapidocr library defaults, bundled PP-OCRv6
  models), no preprocessing.

Scores: CER (NFKC, whitespace runs as one space, spaces count; SROIE truth is upper case, so
its pages are scored case-insensitively) and "read the right way up" (the page's CER below 0.5:
a page read sideways or upside down comes out as garbage, CER near 1). For vlocr also the turn
``auto`` preprocessing applied, checked against the turn the page needed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vlocr.eval.reading.metrics import char_errors
from vlocr.eval.synth.script_pages import PAGE_TEXT, SCRIPT_NAMES, render_page, rotate_page
from vlocr.preprocess.presets import SELF_ORIENTING_ENGINES

READERS = ("vlocr", "tesseract", "pp-ocr")
ROTATIONS = (0, 90, 180, 270)
UPRIGHT_CER = 0.5  # a page read below this CER was read the right way up


@dataclass(frozen=True)
class ScriptItem:
    image: np.ndarray  # upright RGB
    text: str
    lang: str
    name: str
    group: str  # the table row: a script, or "Latin, real <set>"
    casefold: bool = False


@dataclass
class ScriptRow:
    name: str
    group: str
    lang: str
    rotation: int
    reader: str
    errors: int
    length: int
    seconds: float
    turn_applied: int | None = None  # vlocr: the clockwise turn of the input auto undid
    text: str = ""

    @property
    def cer(self) -> float:
        return self.errors / max(self.length, 1)


def rendered_items() -> list[ScriptItem]:
    items = []
    for lang in PAGE_TEXT:
        for serif in (False, True):
            page = render_page(lang, serif=serif)
            items.append(ScriptItem(page.image, page.text, lang, page.name, SCRIPT_NAMES[lang]))
    return items


def real_items(folders: Sequence[tuple[str, str]], limit: int = 2) -> list[ScriptItem]:
    """Real Latin pages: ``(folder, format)`` pairs as ``vlocr bench --data`` takes them."""
    from vlocr.eval.data.loaders import load_folder

    items = []
    for folder, fmt in folders:
        for sample in load_folder(folder, fmt, limit):
            group = f"Latin, real {Path(folder).name}"
            items.append(
                ScriptItem(sample.image, sample.text, "en", sample.sample_id, group, fmt == "sroie")
            )
    return items


def _turn_of(page: Any) -> int:
    """The clockwise turn (degrees) of the input that auto preprocessing undid: it turns pages
    counter-clockwise, so one quarter turn undoes a page turned 90 degrees clockwise."""
    ccw = 0
    for step in page.preprocess.steps if page.preprocess else []:
        if step.name == "orient":
            ccw += int(step.params.get("quarter_turns", 1))
        elif step.name == "rotate180":
            ccw += 2
    return (ccw % 4) * 90


def _read_vlocr(image: np.ndarray, lang: str) -> tuple[str, int | None]:
    import vlocr

    page = vlocr.read(image, lang=lang).pages[0]
    return page.text, _turn_of(page)


def _read_tesseract(image: np.ndarray, lang: str) -> tuple[str, int | None]:
    import pytesseract

    from vlocr.ocr.languages import TESSERACT_PACKS

    return pytesseract.image_to_string(image, lang=TESSERACT_PACKS[lang]), None


def _read_ppocr(image: np.ndarray, lang: str) -> tuple[str, int | None]:
    import vlocr

    return vlocr.read(image, engine="rapidocr-v6", preprocess="none").pages[0].text, None


_READ: dict[str, Callable[[np.ndarray, str], tuple[str, int | None]]] = {
    "vlocr": _read_vlocr,
    "tesseract": _read_tesseract,
    "pp-ocr": _read_ppocr,
}


def run_scripts_bench(
    items: Sequence[ScriptItem],
    readers: Sequence[str] = READERS,
    rotations: Sequence[int] = ROTATIONS,
    progress: bool = False,
) -> list[ScriptRow]:
    """Every item x rotation x reader, side by side in one process."""
    rows = []
    total = len(items) * len(rotations) * len(readers)
    done = 0
    for item in items:
        for rotation in rotations:
            image = rotate_page(item.image, rotation)
            for reader in readers:
                t0 = time.perf_counter()
                text, turned = _READ[reader](image, item.lang)
                seconds = time.perf_counter() - t0
                errors, length = char_errors(item.text, text, casefold=item.casefold)
                rows.append(
                    ScriptRow(
                        item.name, item.group, item.lang, rotation, reader, errors, length,
                        round(seconds, 3), turned, text,
                    )
                )  # fmt: skip
                done += 1
                if progress:
                    print(
                        f"[{done}/{total}] {item.name} {rotation:>3} {reader:<9} "
                        f"CER {errors / max(length, 1):.3f}",
                        flush=True,
                    )
    return rows


def _cer(rows: list[ScriptRow]) -> float:
    return sum(r.errors for r in rows) / max(1, sum(r.length for r in rows))


def summary(rows: Sequence[ScriptRow]) -> list[dict[str, Any]]:
    """One row per page group x reader: CER upright / all turns, pages read the right way up,
    and for vlocr how auto preprocessing turned them."""
    groups = list(dict.fromkeys(r.group for r in rows))
    readers = list(dict.fromkeys(r.reader for r in rows))
    out = []
    for group in groups:
        tess_s = sum(r.seconds for r in rows if r.group == group and r.reader == "tesseract")
        for reader in readers:
            sel = [r for r in rows if r.group == group and r.reader == reader]
            upright = [r for r in sel if r.rotation == 0]
            entry: dict[str, Any] = {
                "group": group,
                "reader": reader,
                "pages": len(upright),
                "cer_upright": round(_cer(upright), 4),
                "cer_all": round(_cer(sel), 4),
                "right_way_up": sum(r.cer < UPRIGHT_CER for r in sel),
                "read": len(sel),
                "time_vs_tesseract": round(sum(r.seconds for r in sel) / tess_s, 2)
                if tess_s
                else None,
            }
            if reader == "vlocr" and sel:
                engine, packs = _vlocr_engine(sel[0].lang)
                entry["reader"] = f"vlocr ({engine}{' ' + packs if packs else ''})"
                entry["upright_turned"] = sum(1 for r in upright if r.turn_applied not in (None, 0))
                entry["turn_right"] = (
                    None  # the engine turns pages itself; auto leaves them to it
                    if engine in SELF_ORIENTING_ENGINES
                    else sum(1 for r in sel if r.turn_applied == r.rotation)
                )
            out.append(entry)
    return out


def _vlocr_engine(lang: str) -> tuple[str, str]:
    """The engine (and Tesseract packs) ``vlocr read --lang LANG`` uses."""
    from vlocr.ocr.languages import choose_engine

    choice = choose_engine([lang], None)
    return choice.engine, choice.options.get("lang", "")


def markdown(rows: Sequence[ScriptRow]) -> str:
    lines = [
        "| pages | reader | CER upright | CER all 4 turns | read the right way up | "
        "upright pages turned by auto | turned right by auto | time / plain Tesseract |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for e in summary(rows):
        turned = f"{e['upright_turned']} of {e['pages']}" if "upright_turned" in e else ""
        right = f"{e['turn_right']} of {e['read']}" if e.get("turn_right") is not None else ""
        if "turn_right" in e and e["turn_right"] is None:
            right = "left to the engine"
        ratio = f"{e['time_vs_tesseract']:.2f}x" if e["time_vs_tesseract"] else ""
        lines.append(
            f"| {e['group']} ({e['pages']}) | {e['reader']} | {100 * e['cer_upright']:.1f} % | "
            f"{100 * e['cer_all']:.1f} % | {e['right_way_up']} of {e['read']} | {turned} | "
            f"{right} | {ratio} |"
        )
    return "\n".join(lines) + "\n"


def write(rows: Sequence[ScriptRow], out: Path, command: str = "") -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    text = "# Script bench\n\n"
    if command:
        text += f"```bash\n{command}\n```\n\n"
    text += markdown(rows)
    paths = {"report": out / "scripts.md", "results": out / "scripts.json"}
    paths["report"].write_text(text, encoding="utf-8")
    paths["results"].write_text(
        json.dumps(
            {"command": command, "summary": summary(rows), "rows": [asdict(r) for r in rows]},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return paths


# ---- the orientation signals, one by one ------------------------------------------------------


def _geometry_turn(image: np.ndarray) -> int:
    """Counter-clockwise quarter turns the glyph-geometry rule (auto's rule before the line
    classifier and OSD) applied: sideways at a vertical/horizontal ratio >= 2 (one turn), then
    180 degrees at an upright score <= -0.16 on >= 60 glyphs."""
    from vlocr.preprocess import geometry as geo
    from vlocr.preprocess.measure import measure

    turns = 0
    m = measure(image)
    if m.glyphs >= 30 and m.orientation_ratio >= 2.0:
        image = geo.rotate90(image, 1)[0]
        turns = 1
        m = measure(image)
    if m.upright_glyphs >= 60 and m.upright_score <= -0.16:
        turns += 2
    return turns % 4


def orientation_signals(items: Sequence[ScriptItem]) -> list[dict[str, Any]]:
    """Each signal's answer on every item x rotation, as counter-clockwise quarter turns
    (0 = leave as is); ``need`` is the right answer."""
    from vlocr.preprocess.orientation import classifier_vote, detect, osd_clockwise

    out = []
    for item in items:
        for rotation in ROTATIONS:
            image = rotate_page(item.image, rotation)
            vote = classifier_vote(image)
            osd_cw, _ = osd_clockwise(image)
            out.append(
                {
                    "name": item.name,
                    "rotation": rotation,
                    "need": rotation // 90,
                    "geometry": _geometry_turn(image),
                    "classifier": 0 if vote.clockwise is None else (4 - vote.clockwise) % 4,
                    "osd": 0 if osd_cw is None else (4 - osd_cw) % 4,
                    "auto": detect(image).turns,
                }
            )
    return out


def signals_markdown(results: Sequence[dict[str, Any]]) -> str:
    upright = [r for r in results if r["rotation"] == 0]
    turned = [r for r in results if r["rotation"] != 0]
    names = {
        "geometry": "glyph-box geometry (auto's old rule)",
        "classifier": "PP-OCR line classifier alone (decisive vote)",
        "osd": "Tesseract OSD alone",
        "auto": "auto now (classifier + OSD)",
    }
    lines = [
        "| signal | upright pages left upright | turned pages turned right | pages turned wrong |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, label in names.items():
        kept = sum(r[key] == 0 for r in upright)
        right = sum(r[key] == r["need"] for r in turned)
        wrong = sum(r[key] not in (0, r["need"]) for r in results)
        lines.append(f"| {label} | {kept} of {len(upright)} | {right} of {len(turned)} | {wrong} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m vlocr.eval.reading.scripts_bench --signals``: the orientation signals table on the
    rendered pages (the full bench is ``vlocr bench --scripts``)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m vlocr.eval.reading.scripts_bench")
    parser.add_argument("--signals", action="store_true", help="orientation signals table")
    parser.add_argument(
        "--report", metavar="DIR", help="write scripts.md again from DIR/scripts.json"
    )
    args = parser.parse_args(argv)
    if args.report:
        folder = Path(args.report)
        data = json.loads((folder / "scripts.json").read_text(encoding="utf-8"))
        rows = [ScriptRow(**r) for r in data["rows"]]
        write(rows, folder, data.get("command", ""))
        print(markdown(rows))
        return 0
    if not args.signals:
        parser.print_help()
        return 2
    results = orientation_signals(rendered_items())
    print(signals_markdown(results))
    for r in results:
        if len({r["need"], r["auto"], r["classifier"], r["osd"], r["geometry"]}) > 1:
            print(r)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
