"""What every command shares: printing a VlocrError as one line and exiting with code 2."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from vlocr.errors import VlocrError

EXIT_INPUT_ERROR = 2


def report_error(err: VlocrError) -> None:
    typer.echo(f"vlocr: error: {err.one_line()}", err=True)


def fail(err: VlocrError) -> NoReturn:
    report_error(err)
    raise typer.Exit(EXIT_INPUT_ERROR)


def warn(message: str) -> None:
    print(f"vlocr: {message}", file=sys.stderr)
