"""Repetition-loop detection: small models sometimes repeat one span until the token limit.

``detect_loop`` is a pure function used both after generation and, through
``make_loop_stopping_criteria``, while a transformers model is still generating.
"""

from __future__ import annotations

from typing import Any

# A loop must cover at least this many characters and repeat its span at least this often.
MIN_LOOP_CHARS = 120
MIN_REPEATS = 5
MAX_SPAN = 200
TAIL_CHARS = 4000


def detect_loop(
    text: str,
    *,
    min_chars: int = MIN_LOOP_CHARS,
    min_repeats: int = MIN_REPEATS,
    max_span: int = MAX_SPAN,
) -> int | None:
    """Return the index to cut ``text`` at when it ends in a span repeated many times, else None.

    The periodic tail is found for each span length ``L`` (the smallest that qualifies wins) by
    walking back while ``text[i] == text[i + L]``. The cut keeps one copy of the span, so
    ``text[:cut]`` still shows what the model was saying. A receipt divider of 40 dashes does not
    count as a loop; 120 dashes do.
    """
    offset = max(0, len(text) - TAIL_CHARS)
    tail = text[offset:]
    n = len(tail)
    for span in range(1, min(max_span, n // min_repeats) + 1):
        j = n - 1 - span
        while j >= 0 and tail[j] == tail[j + span]:
            j -= 1
        periodic = n - (j + 1)  # length of the tail that has period `span`
        if periodic >= span * min_repeats and periodic >= min_chars:
            if not tail[j + 1 : j + 1 + span].strip():
                # whitespace-only loops: cut all of them
                return offset + j + 1
            return offset + j + 1 + span
    return None


def make_loop_stopping_criteria(tokenizer: Any, prompt_len: int, every: int = 8) -> Any:
    """A transformers ``StoppingCriteria`` that stops when the new text ends in a loop.

    It decodes the generated tokens every ``every`` steps (decoding is cheap next to a forward pass)
    and records ``fired`` so the engine can report ``loop_cut``.
    """
    import torch
    from transformers import StoppingCriteria

    class LoopStoppingCriteria(StoppingCriteria):
        def __init__(self) -> None:
            self.fired = False
            self._step = 0

        def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.Tensor:
            self._step += 1
            done = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
            if self._step % every:
                return done
            for row in range(input_ids.shape[0]):
                text = tokenizer.decode(input_ids[row, prompt_len:], skip_special_tokens=True)
                if detect_loop(text) is not None:
                    done[row] = True
                    self.fired = True
            return done

    return LoopStoppingCriteria()
