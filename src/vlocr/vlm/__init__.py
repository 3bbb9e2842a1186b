"""Vision-language engines: local Qwen3-VL through transformers, or any OpenAI-compatible server.

Importing this package is light; torch/transformers load only when a local engine is built.
"""

from __future__ import annotations

from vlocr.vlm.base import IMAGE_PART, Generation, StreamEvent, VlmEngine, final_generation
from vlocr.vlm.factory import clear_engines, get_engine
from vlocr.vlm.loop import detect_loop

__all__ = [
    "IMAGE_PART",
    "Generation",
    "StreamEvent",
    "VlmEngine",
    "clear_engines",
    "detect_loop",
    "final_generation",
    "get_engine",
]
