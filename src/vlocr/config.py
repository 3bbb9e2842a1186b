"""Settings: one root read from ``VLOCR_*`` environment variables, and one options model per engine.

Engines receive their own options model; nothing here imports an engine.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_VLM_MODEL = "Qwen/Qwen3-VL-2B-Instruct"


class IoOptions(BaseModel):
    max_bytes: int = Field(25 * 1024 * 1024, description="Largest accepted input, in bytes.")
    max_pixels: int = Field(50_000_000, description="Largest accepted page, in pixels (w*h).")
    pdf_dpi: int = Field(200, ge=36, le=600, description="Resolution PDF pages are rendered at.")
    max_pages: int = Field(200, ge=1, description="Most pages read from one PDF or TIFF.")
    max_total_pixels: int = Field(
        1_000_000_000, ge=1, description="Most pixels decoded from one input or one request."
    )
    pdf_timeout_s: float = Field(60.0, gt=0, description="Longest render of one PDF page.")
    pdf_memory_mb: int = Field(1024, ge=256, description="Memory cap of the PDF renderer (MB).")


class RapidOcrOptions(BaseModel):
    kind: Literal["rapidocr", "rapidocr-v4", "rapidocr-v6"] = "rapidocr"
    threads: int = Field(0, ge=0, description="ONNX Runtime intra-op threads; 0 = number of cores.")
    postprocess: bool = Field(True, description="Spacing, confusable and width corrections.")
    min_confidence: float = Field(0.3, ge=0.0, le=1.0)


class TesseractOptions(BaseModel):
    kind: Literal["tesseract"] = "tesseract"
    lang: str = Field("eng+chi_sim", description="Tesseract language packs, '+'-joined.")
    psm: int = Field(3, description="Tesseract page segmentation mode.")
    binary: str = Field("tesseract", description="Path or name of the tesseract executable.")


class VlmOptions(BaseModel):
    backend: Literal["transformers", "openai"] = "transformers"
    model: str = Field(
        DEFAULT_VLM_MODEL,
        description="Hub id or local directory (transformers), or model name (openai).",
    )
    device: str = Field("auto", description="auto | cpu | cuda | cuda:N")
    dtype: str = Field(
        "auto",
        description=(
            "auto (bfloat16 on GPU and on CPUs with native bfloat16, else float32) | float32 | "
            "bfloat16 | float16 | int8 (CPU: int8 Linear weights, not accuracy-checked)"
        ),
    )
    cache_dir: str | None = Field(None, description="Writable directory for hub downloads.")
    max_memory: dict[str, str] | None = Field(
        None, description="Per-device memory caps for device_map on GPU."
    )
    min_pixels: int = Field(64 * 32 * 32, description="Smallest image area sent to the model.")
    max_pixels: int = Field(
        1280 * 32 * 32, description="Largest image area sent to the model (~1280 visual tokens)."
    )
    hints_max_pixels: int = Field(
        512 * 32 * 32,
        description="Largest image area when OCR hints carry the text (~512 visual tokens).",
    )
    reuse_prefix: bool = Field(
        True, description="Reuse the last conversation's KV cache for a follow-up (transformers)."
    )
    prompt_lookup_tokens: int = Field(
        10,
        ge=0,
        le=64,
        description=(
            "transcribe/extract with OCR hints: greedy decoding drafts this many tokens copied "
            "from the prompt (same output); 0 = off."
        ),
    )
    base_url: str = Field(
        "http://127.0.0.1:8001/v1", description="OpenAI-compatible server root (openai backend)."
    )
    api_key: str | None = Field(None, description="Bearer key for the OpenAI-compatible server.")
    base_urls: list[str] = Field(
        default_factory=list,
        description="Several OpenAI-compatible servers to share requests between, with failover "
        "(openai backend; when empty, base_url alone is used).",
    )
    max_concurrency: int = Field(4, ge=1, description="Requests in flight per server (openai).")
    timeout_s: float = Field(120.0, gt=0)
    retries: int = Field(3, ge=0)
    max_new_tokens: int = Field(512, ge=1, le=32768)
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    top_p: float = Field(1.0, gt=0.0, le=1.0)


class ServerOptions(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(1, ge=1, description="Requests processed at once.")
    queue: int = Field(8, ge=0, description="Requests allowed to wait; more get 503.")
    request_timeout_s: float = Field(120.0, gt=0)
    max_body_bytes: int = 30 * 1024 * 1024
    api_keys: list[str] = Field(default_factory=list)
    allow_no_key: bool = Field(
        False, description="Listen off loopback without any API key (trusted networks only)."
    )
    url_allowlist: list[str] = Field(
        default_factory=list,
        description="Host names image URLs may be fetched from; empty = never fetch.",
    )
    failed_samples_dir: str | None = None
    failed_samples_max_mb: float = 200.0
    bad_cases_dir: str | None = Field(
        None, description="Folder for results users mark wrong on the page; None = not kept."
    )
    bad_cases_max_mb: float = Field(500.0, gt=0, description="Size cap of the bad-case folder.")
    low_confidence: float = Field(
        0.6, description="Mean line confidence under which a sample is kept for review."
    )


class Settings(BaseSettings):
    """Root settings. Nested fields use ``__``: ``VLOCR_VLM__MODEL=/models/qwen``."""

    model_config = SettingsConfigDict(
        env_prefix="VLOCR_", env_nested_delimiter="__", extra="ignore"
    )

    io: IoOptions = Field(default_factory=IoOptions)
    ocr_engine: str = "rapidocr"
    rapidocr: RapidOcrOptions = Field(default_factory=RapidOcrOptions)
    tesseract: TesseractOptions = Field(default_factory=TesseractOptions)
    vlm: VlmOptions = Field(default_factory=VlmOptions)
    server: ServerOptions = Field(default_factory=ServerOptions)
    api_keys: str = Field("", description="Comma-separated Bearer keys (VLOCR_API_KEYS).")

    def server_api_keys(self) -> list[str]:
        keys = [k.strip() for k in self.api_keys.split(",") if k.strip()]
        return keys + list(self.server.api_keys)


def load_settings() -> Settings:
    """The settings from the environment; a bad ``VLOCR_*`` value is one ``SettingsError`` that
    names the variable (every command prints it as one line, exit code 2), not a traceback."""
    from pydantic import ValidationError

    from vlocr.errors import SettingsError

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        name = "VLOCR_" + "__".join(str(p) for p in first.get("loc", ())).upper()
        value = os.environ.get(name)
        shown = f"={value!r}" if value is not None and len(value) < 80 else ""
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise SettingsError(
            f"setting {name}{shown} is invalid: {first.get('msg', 'invalid value')}{more}",
            f"fix or unset {name}",
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def cache_dir() -> Path:
    root = os.environ.get("VLOCR_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "vlocr"
    )
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path
