"""Which optional extra provides which module, and the one-line install hint for each, in the
order README gives (torch before the ``vlm`` extra, so pip does not pull CUDA on a CPU box)."""

from __future__ import annotations

TORCH_FIRST = (
    "pip install torch==2.13.0 (the CPU wheel; a CUDA build on a GPU box), then "
    "pip install 'vlocr[vlm]'"
)

EXTRA_OF_MODULE = {
    "torch": "vlm",
    "transformers": "vlm",
    "accelerate": "vlm",
    "safetensors": "vlm",
    "fastapi": "server",
    "uvicorn": "server",
    "starlette": "server",
    "multipart": "server",
    "python_multipart": "server",
    "gradio": "server",
    "prometheus_client": "server",
    "rapidfuzz": "bench",
    "matplotlib": "bench",
    "psutil": "bench",
}


def extra_for(module: str | None) -> str | None:
    """The extra that installs ``module`` (a dotted name counts by its top package)."""
    return EXTRA_OF_MODULE.get((module or "").split(".")[0])


def install_hint(extra: str) -> str:
    if extra == "vlm":
        return TORCH_FIRST
    return f"pip install 'vlocr[{extra}]'"
