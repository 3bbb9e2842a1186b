"""The page's streamed chat turn: pieces while the tiny model writes, then the checked answer."""

from __future__ import annotations

import numpy as np

from vlocr.config import VlmOptions
from vlocr.results import ChatMessage, VlmAnswer
from vlocr.service.chat_stream import chat_stream


def test_pieces_then_the_answer(tiny_opts: VlmOptions) -> None:
    import torch

    torch.manual_seed(0)
    image = np.full((64, 200, 3), 255, np.uint8)
    history = [ChatMessage(role="user", content="hi"), ChatMessage(role="assistant", content="ok")]
    out = list(
        chat_stream(
            image,
            history,
            "What is the total?",
            vlm=tiny_opts.model_copy(update={"max_new_tokens": 24}),
            temperature=1.0,
        )
    )
    pieces, answer = out[:-1], out[-1]
    assert len(pieces) >= 2 and all(isinstance(p, str) for p in pieces)
    assert isinstance(answer, VlmAnswer) and answer.task == "chat"
    assert answer.text == "".join(pieces).strip()
    assert "vlm" in answer.timings_ms
