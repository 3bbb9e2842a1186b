"""`vlocr batch --task ask|extract` builds the same task request as `vlocr ask/extract`: every
option checked once before any input is read, carried to each page, and the job keys of runs
made before the request existed unchanged (a rerun still resumes)."""

from __future__ import annotations

from typing import Any

import pytest

from vlocr.cli.batch_command import Task, _task_spec
from vlocr.config import VlmOptions
from vlocr.errors import InvalidOptionError


def _spec(task: Task, **given: Any) -> Any:
    kw: dict[str, Any] = {
        "question": "Total?" if task is Task.ask else None,
        "schema": "receipt",
        "engine": None,
        "lang": None,
        "force_ocr": False,
        "preprocess": "auto",
        "region": None,
        "pdf_dpi": 200,
        "vlm": VlmOptions(backend="openai"),
        "base_urls": [],
        "max_concurrency": 4,
        "vlm_kwargs": {
            "ocr_hints": False,
            "ocr_checks": True,
            "ocr_engine": "rapidocr",
            **({"max_attempts": 3} if task is Task.extract else {}),
        },
    }
    extra = given.pop("vlm_kwargs", {})
    kw.update(given)
    kw["vlm_kwargs"].update(extra)
    return _task_spec(task, **kw)


def test_the_batch_options_become_the_ask_request() -> None:
    spec = _spec(
        Task.ask,
        region="0,0,50,40",
        vlm_kwargs={"lang": "zh", "focus": "page", "cross_check": False, "ocr_checks": False},
    )
    request = spec.task_request()
    assert (request.question, request.lang, request.focus) == ("Total?", "zh", "page")
    assert request.cross_check is False and request.check_numbers is False
    assert request.region == (0, 0, 50, 40) and request.page == 1


@pytest.mark.parametrize(
    ("task", "given", "message"),
    [
        (Task.ask, {"vlm_kwargs": {"lang": "xx"}}, "unknown language xx"),
        (Task.ask, {"vlm_kwargs": {"focus": "zoom"}}, "unknown focus 'zoom'"),
        (Task.ask, {"vlm_kwargs": {"ocr_engine": "nope"}}, "unknown OCR engine 'nope'"),
        (Task.extract, {"preprocess": "sharpen-more"}, "unknown preprocessing"),
    ],
)
def test_a_bad_task_option_is_refused_before_any_input(
    task: Task, given: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidOptionError, match=message):
        _spec(task, **given)


def test_default_runs_keep_their_job_keys() -> None:
    """The key of a default `--task ask` run, as runs before the task request recorded it."""
    from vlocr.batch import TaskSpec

    before = TaskSpec(
        kind="ask",
        question="Total?",
        preprocess="auto",
        pdf_dpi=200,
        vlm=VlmOptions(backend="openai"),
        vlm_kwargs={"ocr_hints": False, "ocr_checks": True, "ocr_engine": "rapidocr"},
    )
    assert _spec(Task.ask).options_digest() == before.options_digest()
