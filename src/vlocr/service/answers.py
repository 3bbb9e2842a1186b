"""A finished ``Generation`` on a task page becomes a ``VlmAnswer``: the reply plus the fusion
checks (numbers found in the OCR text, the lines that support it), usage, timings and what the
model was shown."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from vlocr.config import VlmOptions
from vlocr.fusion import check_numbers, provenance
from vlocr.results import VlmAnswer
from vlocr.service.task_page import TaskPage
from vlocr.tasks import PROMPT_VERSIONS
from vlocr.vlm import Generation


def build_answer(
    task: str,
    gen: Generation,
    opts: VlmOptions,
    prep: TaskPage,
    extra_ms: dict[str, float],
) -> VlmAnswer:
    """The checked answer of ``task`` (OCR hints count as used when the page has them)."""
    checks = check_numbers(gen.text, prep.lines) if prep.lines is not None else []
    support = provenance(gen.text, prep.lines) if prep.lines else []
    timings = {**prep.timings_ms, **{f"vlm_{k}": v for k, v in gen.timings_ms.items()}, **extra_ms}
    visual = prep.visual.model_copy(
        update={
            "visual_tokens": gen.usage.image_tokens,
            "budget_tokens": opts.max_pixels // (32 * 32),
        }
    )
    return VlmAnswer(
        task=task,
        text=gen.text,
        model=opts.model,
        backend=opts.backend,
        prompt_version=PROMPT_VERSIONS[task],
        usage=gen.usage,
        finish_reason=gen.finish_reason,
        loop_cut=gen.loop_cut,
        number_checks=checks,
        unsupported_numbers=[c.value for c in checks if not c.found],
        provenance=support,
        ocr_hints_used=prep.hints is not None,
        timings_ms={k: round(v, 2) for k, v in timings.items()},
        source=prep.source,
        region=prep.region,
        visual_input=visual,
        engine=dict(gen.info),
    )


def answer_of(turn: Iterable[str | VlmAnswer], on_text: Callable[[str], None] | None) -> VlmAnswer:
    """Read a streamed turn (pieces, then its answer): pieces go to ``on_text``, the answer back."""
    answer: VlmAnswer | None = None
    for event in turn:
        if isinstance(event, VlmAnswer):
            answer = event
        elif on_text is not None:
            on_text(event)
    if answer is None:
        raise RuntimeError("the turn ended without its answer")
    return answer
