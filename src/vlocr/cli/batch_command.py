"""``vlocr batch``: OCR of whole folders, resumable, with a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from vlocr.cli.common import EXIT_INPUT_ERROR


def batch(
    inputs: list[Path] = typer.Argument(
        ...,
        help="Files and/or folders; folders are searched recursively for images and PDFs.",
        show_default=False,
    ),
    out: Path = typer.Option(
        Path("vlocr-out"),
        "--out",
        "-o",
        help="Folder for <name>.<hash>.json per input and results.jsonl (one line per page).",
    ),
    engine: str = typer.Option(
        "rapidocr",
        "--engine",
        "-e",
        help="OCR engine (see 'vlocr read --help'); vlm transcribes with the model set by VLOCR_VLM__*.",
    ),
    preprocess: str = typer.Option(
        "auto", "--preprocess", "-p", help="Preprocessing preset or comma list of steps."
    ),
    resume: bool = typer.Option(
        True,
        "--resume/--no-resume",
        help="Skip inputs whose result file already exists (failed inputs are retried).",
    ),
) -> None:
    """OCR many files; each result is written as soon as it is ready, so an interrupted run
    resumes where it stopped. Exit code 2 if any input failed (the others are still written)."""
    from tqdm import tqdm

    from vlocr.batch import collect_inputs, run_batch
    from vlocr.cli.common import fail
    from vlocr.errors import VlocrError
    from vlocr.service.reading import check_options

    try:
        check_options(engine, preprocess)  # once, up front, not once per file
    except VlocrError as err:
        fail(err)
    files = collect_inputs(inputs)
    bar = tqdm(total=len(files), unit="file", desc="vlocr batch", disable=None)

    def step(path: Path, pages: list) -> None:  # type: ignore[type-arg]
        bar.update(1)
        for page in pages:
            if page.error:
                bar.write(
                    f"vlocr: error: {page.label}: {page.error.message} ({page.error.hint})",
                    file=sys.stderr,
                )

    summary = run_batch(
        files, out, engine=engine, preprocess=preprocess, resume=resume, on_input=step
    )
    bar.update(summary.skipped)
    bar.close()
    typer.echo(
        f"{summary.inputs} inputs: {summary.pages_ok} pages read, {summary.pages_failed} failed, "
        f"{summary.skipped} skipped (already done); results in {out}",
        err=True,
    )
    if summary.pages_failed:
        raise typer.Exit(EXIT_INPUT_ERROR)


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)
