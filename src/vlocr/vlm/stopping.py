"""A stopping criterion that ends generation when the request is cancelled.

Without it a timed-out or abandoned request keeps a worker (and a core) busy until
``max_new_tokens``; with it, generation stops at the next token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def make_cancel_stopping_criteria(should_stop: Callable[[], bool]) -> Any:
    """A transformers ``StoppingCriteria`` that fires once ``should_stop()`` is true."""
    import torch
    from transformers import StoppingCriteria

    class CancelStoppingCriteria(StoppingCriteria):
        def __init__(self) -> None:
            self.fired = False

        def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.Tensor:
            self.fired = self.fired or should_stop()
            return torch.full(
                (input_ids.shape[0],), self.fired, dtype=torch.bool, device=input_ids.device
            )

    return CancelStoppingCriteria()
