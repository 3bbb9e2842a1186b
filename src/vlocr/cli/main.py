"""The ``vlocr`` command. Each sub-command lives in its own module and registers itself here."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="vlocr",
    help="Read text out of images and PDFs, answer questions about them, extract fields as JSON.\n\n"
    "Works offline on a CPU: OCR models ship inside the package; Qwen3-VL runs locally through "
    "transformers or behind any OpenAI-compatible server.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from vlocr import __version__

        typer.echo(f"vlocr {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """Keeps `vlocr read ...` a sub-command even when it is the only one installed."""


from vlocr.cli.read_command import read  # noqa: E402

app.command("read")(read)

# Commands in other modules register themselves; a module missing its optional extra still lets
# `vlocr read` work.
for _module in (
    "vlocr.cli.batch_command",
    "vlocr.cli.vlm_commands",
    "vlocr.cli.bench_command",
    "vlocr.cli.serve_command",
    "vlocr.cli.pdf_command",
):
    try:
        importlib.import_module(_module).register(app)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise


def main() -> None:
    """Run the CLI; a command whose optional extra is not installed gets one line naming it."""
    from vlocr.errors import VlocrError

    try:
        app()
    except VlocrError as err:  # e.g. a bad VLOCR_* setting met outside a command's own checks
        from vlocr.cli.common import EXIT_INPUT_ERROR, report_error

        report_error(err)
        raise SystemExit(EXIT_INPUT_ERROR) from None
    except SystemExit as done:
        from vlocr.cli.common import end_if_output_written

        end_if_output_written(done.code)
        raise
    except ModuleNotFoundError as exc:
        from vlocr.cli.common import EXIT_INPUT_ERROR
        from vlocr.extras import extra_for, install_hint

        extra = extra_for(exc.name)
        if extra is None:
            raise
        typer.echo(
            f"vlocr: error: this command needs the '{extra}' extra (module '{exc.name}' is not "
            f"installed) ({install_hint(extra)})",
            err=True,
        )
        raise SystemExit(EXIT_INPUT_ERROR) from None


if __name__ == "__main__":
    main()
