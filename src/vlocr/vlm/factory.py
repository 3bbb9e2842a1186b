"""Build (once) the engine that a ``VlmOptions`` describes."""

from __future__ import annotations

import threading

from vlocr.config import VlmOptions
from vlocr.errors import InvalidOptionError
from vlocr.vlm.base import VlmEngine

_ENGINES: dict[str, VlmEngine] = {}
_LOCK = threading.Lock()


def get_engine(options: VlmOptions | None = None) -> VlmEngine:
    """Return a cached engine for these exact options (model weights are shared across options)."""
    opts = options or VlmOptions()
    key = opts.model_dump_json()
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is not None:
            return engine
        if opts.backend == "transformers":
            from vlocr.vlm.transformers_engine import TransformersEngine

            engine = TransformersEngine(opts)
        elif opts.backend == "openai" and opts.base_urls:
            from vlocr.vlm.pool import EndpointPool

            engine = EndpointPool(opts)
        elif opts.backend == "openai":
            from vlocr.vlm.openai_engine import OpenAIEngine

            engine = OpenAIEngine(opts)
        else:  # pragma: no cover - pydantic already restricts the literal
            raise InvalidOptionError(
                f"unknown VLM backend '{opts.backend}'", "use transformers or openai"
            )
        _ENGINES[key] = engine
        return engine


def clear_engines() -> None:
    with _LOCK:
        _ENGINES.clear()
