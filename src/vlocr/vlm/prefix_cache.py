"""Reuse the KV cache of the last conversation for a follow-up that starts with the same tokens.

A chat follow-up re-sends the whole conversation: system prompt, the image, the OCR hints, the
earlier turns. Those tokens are the same as last time, so their keys and values are too. Keeping
the last generation's cache and cropping it to the longest common token prefix lets the next turn
skip the vision encoder and the prefill of everything but the new question. Greedy output does not
change (the cached values are the ones a fresh prefill would compute).

One entry per loaded model (the most recent conversation), used under the model's lock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any


@dataclass
class _Entry:
    ids: list[int]  # every token the cache holds (prompt + answer, less the last token)
    image_key: str
    cache: Any  # transformers DynamicCache
    rope_deltas: Any  # Qwen3-VL's M-RoPE offsets for the text after the image


def image_key(inputs: dict[str, Any]) -> str:
    """A digest of the pixels and grids the model saw, so another image never matches."""
    h = hashlib.blake2b(digest_size=16)
    for name in ("pixel_values", "image_grid_thw"):
        value = inputs.get(name)
        if value is not None:
            h.update(name.encode())
            h.update(value.detach().contiguous().cpu().float().numpy().tobytes())
    return h.hexdigest()


def common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class PrefixCache:
    """Holds the last generation's KV cache and hands it out for a prompt that extends it."""

    def __init__(self) -> None:
        self._entry: _Entry | None = None

    def clear(self) -> None:
        self._entry = None

    def take(self, ids: list[int], key: str, last_image_pos: int) -> tuple[Any, Any, int] | None:
        """Return (cache cropped to the shared prefix, rope deltas, prefix length), or None.

        The prefix must cover every image token (the cache holds the image's encoding) and leave
        at least one new token to compute. The entry is handed over, not copied: it is consumed.
        """
        entry, self._entry = self._entry, None
        if entry is None or entry.image_key != key:
            return None
        n = min(common_prefix(entry.ids, ids), len(ids) - 1, len(entry.ids))
        if n <= last_image_pos:
            return None
        extra = int(entry.cache.get_seq_length()) - n
        if extra > 0:
            entry.cache.crop(-extra)  # transformers 5: a negative count drops that many tokens
        return entry.cache, entry.rope_deltas, n

    def keep(self, ids: list[int], key: str, cache: Any, rope_deltas: Any) -> None:
        """Remember ``cache`` (which holds ``ids`` minus the last token) for the next call."""
        if cache is None or rope_deltas is None:
            self._entry = None
            return
        held = int(cache.get_seq_length())
        self._entry = _Entry(
            ids=list(ids[:held]), image_key=key, cache=cache, rope_deltas=rope_deltas
        )
