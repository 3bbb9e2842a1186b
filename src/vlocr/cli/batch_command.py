"""``vlocr batch``: read, ask or extract over whole folders; resumable, parallel, or on Ray."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import typer

from vlocr.cli.common import EXIT_INPUT_ERROR, fail, warn
from vlocr.cli.vlm_commands import (
    _API_KEY,
    _CHECKS,
    _CROSS_CHECK,
    _DEVICE,
    _DTYPE,
    _FOCUS,
    _HINTS,
    _MAX_NEW,
    _MODEL,
    _OCR_ENGINE,
    _ROLE,
    _TEMP,
    _TOP_P,
    _VLM,
    Backend,
    vlm_options,
)
from vlocr.errors import VlocrError


class Task(str, enum.Enum):
    read = "read"
    ask = "ask"
    extract = "extract"


def batch(
    inputs: list[str] = typer.Argument(
        ...,
        help="Files and/or folders (searched recursively for images and PDFs), or s3:// gs:// "
        "file:// URIs of files or prefixes (needs pyarrow, part of the ray extra).",
        show_default=False,
    ),
    out: str = typer.Option(
        "vlocr-out",
        "--out",
        "-o",
        metavar="DIR|URI",
        help="Folder for <name>.<key>.json per input, results.jsonl (one line per page) and, for "
        "extract, extract.csv / extract.parquet; or an s3:// gs:// bucket prefix (needs pyarrow; "
        "the run works on a local copy in vlocr's cache and uploads each input as it finishes).",
    ),
    task: Task = typer.Option(
        Task.read, "--task", "-t", help="read (OCR), ask (--question) or extract (--schema)."
    ),
    question: str = typer.Option(None, "--question", "-q", help="The question for --task ask."),
    schema: str = typer.Option(
        "receipt",
        "--schema",
        "-s",
        help="For --task extract: receipt, invoice, or the path of a JSON Schema file.",
    ),
    engine: str = typer.Option(
        None,
        "--engine",
        "-e",
        help="read: the OCR engine (see 'vlocr read --help'; left out, --lang picks it). "
        "extract: vlm (default) asks the model, ocr fills receipt/invoice fields from OCR alone.",
    ),
    force_ocr: bool = typer.Option(
        False, "--force-ocr", help="read: OCR digital PDF pages instead of using their text layer."
    ),
    preprocess: str = typer.Option(
        "auto", "--preprocess", "-p", help="Preprocessing preset or comma list of steps."
    ),
    region: str = typer.Option(None, "--region", help="Only this rectangle: x,y,w,h in pixels."),
    pdf_dpi: int = typer.Option(
        None,
        "--pdf-dpi",
        min=36,
        max=600,
        help="Resolution for rendering PDF pages (default: VLOCR_IO__PDF_DPI, 200).",
        show_default=False,
    ),
    workers: int = typer.Option(
        None,
        "--workers",
        "-j",
        min=1,
        max=256,
        help="Parallel workers: processes for OCR and the local VLM (cores are split between "
        "them), threads for a VLM server; with --ray, actors (default: sized from the cluster).",
    ),
    ray: str = typer.Option(
        None,
        "--ray",
        help="Run on Ray: 'local' (a private cluster on this machine), 'auto' (the cluster "
        "'ray start' runs here) or an address like ray://head:10001. Needs the ray extra.",
    ),
    resume: bool = typer.Option(
        True,
        "--resume/--no-resume",
        help="Skip inputs already done with the same bytes and options (failed ones are retried).",
    ),
    vlm: Backend = _VLM,
    model: str = _MODEL,
    base_url: list[str] = typer.Option(
        None,
        "--base-url",
        help="OpenAI-compatible server root; repeat it to share the work between servers "
        "(requests fail over to the others when one is down).",
    ),
    api_key: str = _API_KEY,
    max_concurrency: int = typer.Option(
        4, "--max-concurrency", min=1, max=256, help="Requests in flight per VLM server."
    ),
    ocr_hints: bool = _HINTS,
    role: str = _ROLE,
    temperature: float = _TEMP,
    top_p: float = _TOP_P,
    max_new_tokens: int = _MAX_NEW,
    device: str = _DEVICE,
    dtype: str = _DTYPE,
    lang: str = typer.Option(
        None,
        "--lang",
        help="Languages on the page (en, zh, ko, ...; see 'vlocr read --help'): the OCR engine "
        "for read, and for ask/extract the OCR behind the checks and the prompt's language.",
    ),
    ocr_engine: str = _OCR_ENGINE,
    check_numbers: bool = _CHECKS,
    cross_check: bool = _CROSS_CHECK,
    focus: str = _FOCUS,
    attempts: int = typer.Option(
        3, "--attempts", min=1, max=10, help="For extract: re-ask with the errors up to N times."
    ),
) -> None:
    """Run a task over many files. Each result is saved as soon as it is ready; a rerun skips
    inputs already done (by content, so a renamed file is not read again) and retries failures.
    Exit code 2 if any input failed (the others are still written); 1 if extract validated no
    page at all (as 'vlocr extract'); 130 on Ctrl-C, after a summary (rerun to resume)."""
    from vlocr.batch import BatchInterrupted, run_job
    from vlocr.config import get_settings

    try:
        spec = _task_spec(
            task,
            question=question,
            schema=schema,
            engine=engine,
            lang=lang,
            force_ocr=force_ocr,
            preprocess=preprocess,
            region=region,
            pdf_dpi=pdf_dpi or get_settings().io.pdf_dpi,
            vlm=vlm_options(vlm, model, base_url[0] if base_url else None, api_key, device, dtype),
            base_urls=base_url or [],
            max_concurrency=max_concurrency,
            # The task request's fields as the library's keywords; defaults that older runs
            # did not record are left out, so their job keys (and resumes) stay valid.
            vlm_kwargs={
                "ocr_hints": ocr_hints,
                "ocr_checks": check_numbers,
                "ocr_engine": ocr_engine or get_settings().ocr_engine,
                "role": role,
                "lang": lang,
                "temperature": temperature,
                "top_p": top_p,
                "max_new_tokens": max_new_tokens,
                **({"cross_check": False} if not cross_check else {}),
                **({"focus": focus} if task is Task.ask and focus != "auto" else {}),
                **({"max_attempts": attempts} if task is Task.extract else {}),
            },
        )
    except VlocrError as err:
        fail(err)
    if spec.uses_remote_vlm and workers is None and ray is None:
        workers = max_concurrency * max(1, len(base_url or []))
    progress = _Progress()
    try:
        summary = run_job(
            [s if "://" in s else Path(s) for s in inputs],
            out if "://" in out else Path(out),
            spec,
            workers=workers,
            use_ray=ray is not None,
            ray_address=ray,
            resume=resume,
            on_plan=progress.start,
            on_input=progress.step,
        )
    except VlocrError as err:
        progress.close()
        fail(err)
    except BatchInterrupted as stop:
        progress.close()
        _report_interrupted(stop.summary)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except KeyboardInterrupt:  # before any input ran: nothing to count
        progress.close()
        warn("interrupted before any input ran; rerun the same command to start")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    progress.close()
    _report(summary)
    if summary.pages_failed:
        raise typer.Exit(EXIT_INPUT_ERROR)
    if spec.kind == "extract" and summary.pages_invalid and not summary.pages_ok:
        warn(
            f"no page validated against the schema ({summary.pages_invalid} invalid): exit 1, "
            "as 'vlocr extract'"
        )
        raise typer.Exit(EXIT_INVALID)


EXIT_INVALID = 1  # as `vlocr extract` when the fields do not validate
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C


def _report_interrupted(summary: Any) -> None:
    """What Ctrl-C left: the finished inputs are saved and a rerun skips them."""
    failed = f", {summary.pages_failed} page(s) failed" if summary.pages_failed else ""
    warn(
        f"interrupted: {summary.processed} input(s) done{failed}, {summary.left} left "
        f"(and {summary.skipped} done by earlier runs); results so far in {summary.out}"
    )
    warn("rerun the same command to resume: finished inputs are skipped")


def _task_spec(task: Task, **kw: Any) -> Any:
    """Validate the options once, in the parent, so no worker meets a bad schema or region."""
    from vlocr.batch import TaskSpec
    from vlocr.service.reading import parse_region

    schema_name, schema = None, None
    if task is Task.read:
        from vlocr.service.requests import ReadRequest

        # Once, up front, not once per file: the checks every interface's read request runs
        # (engine, languages and their Tesseract packs, preprocessing, region).
        ReadRequest(
            engine=kw["engine"],
            lang=kw["lang"],
            preprocess=kw["preprocess"],
            region=kw["region"],
            force_ocr=kw["force_ocr"],
            pdf_dpi=kw["pdf_dpi"],
        ).plan()
    if task is Task.extract:
        from vlocr.tasks import load_schema

        schema_name, schema = load_schema(kw["schema"])
    if task is Task.ask and not (kw["question"] or "").strip():
        from vlocr.errors import InvalidOptionError

        raise InvalidOptionError("--task ask needs a question", 'add -q "What is the total?"')
    pool = {"base_urls": kw["base_urls"], "max_concurrency": kw["max_concurrency"]}
    vlm = kw["vlm"].model_copy(update=pool)
    engine, extract_engine = kw["engine"], "vlm"
    if task is Task.extract:
        # As in `vlocr extract --engine`: vlm asks the model, ocr fills the fields from OCR alone.
        if engine not in (None, "vlm", "ocr"):
            from vlocr.errors import InvalidOptionError

            raise InvalidOptionError(
                f"--task extract takes --engine vlm or ocr, not '{engine}'",
                "use --ocr-engine to pick the OCR engine for hints and checks",
            )
        extract_engine, engine = engine or "vlm", None
        if extract_engine == "ocr" and schema_name not in ("receipt", "invoice"):
            from vlocr.errors import InvalidOptionError

            raise InvalidOptionError(
                "--engine ocr fills the receipt and invoice schemas only",
                "use --schema receipt|invoice, or --engine vlm for your own schema",
            )
    spec = TaskSpec(
        kind=task.value,
        engine=engine,
        extract_engine=extract_engine,
        lang=kw["lang"] if task is Task.read else None,
        force_ocr=kw["force_ocr"],
        preprocess=kw["preprocess"],
        region=parse_region(kw["region"]),
        pdf_dpi=kw["pdf_dpi"],
        question=kw["question"] if task is Task.ask else None,
        schema_name=schema_name,
        schema=schema,
        vlm=vlm if task is not Task.read else None,
        vlm_kwargs={k: v for k, v in kw["vlm_kwargs"].items() if v is not None}
        if task is not Task.read
        else {},
    )
    if task is not Task.read:
        spec.task_request()  # every ask/extract option checked once, as `vlocr ask/extract` do
    return spec


class _Progress:
    """A tqdm bar over the inputs this run has to do (files/s and ETA); errors printed above it."""

    def __init__(self) -> None:
        self.bar: Any = None

    def start(self, to_run: int, done: int) -> None:
        from tqdm import tqdm

        if done:
            warn(f"{done} input(s) already done, skipped")
        self.bar = tqdm(total=to_run, unit="file", desc="vlocr batch", disable=None)

    def step(self, path: str, records: list[Any]) -> None:
        if self.bar is None:
            return
        self.bar.update(1)
        for rec in records:
            if rec.error is not None:
                hint = f" ({rec.error.hint})" if rec.error.hint else ""
                where = path if rec.page_count <= 1 else f"{path} [page {rec.page}]"
                self.bar.write(f"vlocr: error: {where}: {rec.error.message}{hint}", file=_stderr())

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _stderr() -> Any:
    import sys

    return sys.stderr


def _report(summary: Any) -> None:
    by_reason: dict[str, list[Any]] = {}
    for path, reason in summary.ignored:
        by_reason.setdefault(reason, []).append(path)
    for reason, paths in by_reason.items():
        names = ", ".join(str(p) for p in paths[:5]) + (" ..." if len(paths) > 5 else "")
        warn(
            f"ignored {len(paths)} folder entr{'y' if len(paths) == 1 else 'ies'} ({reason}): {names}"
        )
    if summary.repaired_lines:
        warn(f"repaired {summary.repaired_lines} torn or unreadable line(s) in results.jsonl")
    invalid = f", {summary.pages_invalid} invalid" if summary.pages_invalid else ""
    typer.echo(
        f"{summary.inputs} inputs: {summary.processed} run, {summary.skipped} skipped (already "
        f"done); {summary.pages_ok} pages ok{invalid}, {summary.pages_failed} failed; "
        f"results in {summary.out}",
        err=True,
    )
    if summary.local_copy:
        typer.echo(f"working copy: {summary.local_copy}", err=True)
    for table in summary.tables:
        typer.echo(f"table: {table}", err=True)


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)
