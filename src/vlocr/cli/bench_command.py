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
        help="Layout of --data: txt (name.png + name.txt), sroie (img/ box/ key/), funsd (images/ annotations/). One for all folders, or one per --data in order (default txt).",
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
) -> None:
    """Measure accuracy (CER, WER, word F1, key fields) and speed of every engine x preset on
    degraded synthetic documents and on your own data, in one run so the ratios hold."""
    from vlocr.eval.peers import parse_peer
    from vlocr.eval.report import write_report
    from vlocr.eval.runner import ALL_GROUPS, BenchOptions, run_bench

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


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)
