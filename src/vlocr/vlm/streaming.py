"""Token timing and streaming for local generation.

``TokenStreamer`` receives every token ``generate`` produces, records when the first one existed
(time to first token) and, when streaming, hands text on at once: unlike transformers'
``TextIteratorStreamer`` it does not hold text back until a space, so the first word shows as soon
as it is decoded (only an incomplete UTF-8 sequence waits for its next byte).
``VisionTimer`` measures the vision encoder through forward hooks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class TokenStreamer:
    """A transformers streamer (``put``/``end``): first-token time, token count, text pieces."""

    def __init__(self, tokenizer: Any, on_text: Callable[[str], None] | None = None) -> None:
        self.tokenizer = tokenizer
        self.on_text = on_text
        self.started = time.perf_counter()
        self.first_token_at: float | None = None
        self.ids: list[int] = []
        self._prompt_seen = False
        self._sent = 0

    def put(self, value: Any) -> None:
        if not self._prompt_seen:  # generate() first puts the prompt
            self._prompt_seen = True
            return
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        self.ids.extend(int(t) for t in value.reshape(-1).tolist())
        self._emit(final=False)

    def end(self) -> None:
        self._emit(final=True)

    def _emit(self, *, final: bool) -> None:
        if self.on_text is None:
            return
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if not final and text.endswith("\ufffd"):
            return  # half a multi-byte character: wait for the rest
        piece = text[self._sent :]
        if piece:
            self._sent = len(text)
            self.on_text(piece)

    def ttft_ms(self) -> float | None:
        if self.first_token_at is None:
            return None
        return (self.first_token_at - self.started) * 1000


class VisionTimer:
    """Time spent in ``module.forward`` while installed (hooks removed by ``close``)."""

    def __init__(self, module: Any) -> None:
        self.ms = 0.0
        self.calls = 0
        self._t0 = 0.0
        self._handles = []
        if module is not None:
            self._handles = [
                module.register_forward_pre_hook(self._pre),
                module.register_forward_hook(self._post),
            ]

    def _pre(self, *_: Any) -> None:
        self._t0 = time.perf_counter()

    def _post(self, *_: Any) -> None:
        self.ms += (time.perf_counter() - self._t0) * 1000
        self.calls += 1

    def close(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
