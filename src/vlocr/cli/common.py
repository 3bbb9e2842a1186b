"""What every command shares: printing a VlocrError as one line and exiting with code 2, and
ending a one-shot command's process without the interpreter's teardown."""

from __future__ import annotations

import os
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


_output_written = False


def output_written() -> None:
    """A one-shot command calls this once everything it writes is written and closed: the
    process may then end without tearing the interpreter down."""
    global _output_written
    _output_written = True


def end_if_output_written(code: object) -> None:
    """After ``vlocr read`` has written its output, end the process at once: the interpreter's
    teardown (ONNX Runtime sessions and their arena, thread pools, thousands of module objects
    freed one by one) took ~130 ms of a fresh read (median of 10 paired runs). Streams are
    flushed and logging shut down first; does nothing unless :func:`output_written` was called."""
    if not _output_written:
        return
    import logging

    logging.shutdown()
    status = 0
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`vlocr read ... | head`): as Python would
            status = 1
    if isinstance(code, int):
        status = code
    elif code is not None:  # SystemExit("message"): printed, status 1, as Python does
        print(code, file=sys.stderr, flush=True)
        status = 1
    os._exit(status)
