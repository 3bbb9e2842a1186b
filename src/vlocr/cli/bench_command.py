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
    data: Path = typer.Option(
        None,
        "--data",
        help="Also benchmark your own labelled images from this folder (see --format).",
    ),
    data_format: str = typer.Option(
        "txt",
        "--format",
        help="Layout of --data: txt (name.png + name.txt), sroie (img/ box/ key/), funsd (images/ annotations/).",
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
        min=1,
        help="Synthetic documents per degradation group (default 3; 1 with --quick).",
    ),
    vlm_model: str = typer.Option(
        None,
        "--vlm-model",
        help="Also run Qwen3-VL transcription variants (plain/structured prompt x OCR hints, preprocessing none/seed) with this model id or folder.",
    ),
    speed: bool = typer.Option(
        True,
        "--speed/--no-speed",
        help="Run the speed section (receipt-sized reads, cold start, preprocessing cost).",
    ),
    progress: bool = typer.Option(
        True, "--progress/--no-progress", help="Show a progress bar on stderr."
    ),
    vlm_speed: bool = typer.Option(
        False,
        "--vlm-speed",
        help="Instead: Qwen3-VL-2B/4B at real size (random weights, built in a temp folder) on "
        "this CPU, load/memory/latency per stage; writes vlm-speed.md/json into --out. "
        "Takes tens of minutes; `python -m vlocr.eval.vlm_speed --help` picks the cells.",
    ),
) -> None:
    """Measure accuracy (CER, WER, word F1, key fields) and speed of every engine x preset on
    degraded synthetic documents and on your own data, in one run so the ratios hold."""
    if vlm_speed:
        from vlocr.eval.vlm_speed import main as vlm_speed_main

        raise typer.Exit(vlm_speed_main(["--out", str(out)]))
    from vlocr.eval.runner import ALL_GROUPS, BenchOptions, run_bench, write_outputs

    overrides: dict[str, object] = {"seed": seed, "progress": progress, "speed": speed}
    if _split(engines):
        overrides["engines"] = tuple(_split(engines) or ())
    if _split(presets):
        overrides["presets"] = tuple(_split(presets) or ())
    if _split(groups):
        overrides["groups"] = tuple(_split(groups) or ())
    if docs is not None:
        overrides["docs_per_group"] = docs
    if data is not None:
        overrides.update(data=str(data), data_format=data_format, synthetic=not data_only)
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
        result = run_bench(options)
        paths = write_outputs(result, out)
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
