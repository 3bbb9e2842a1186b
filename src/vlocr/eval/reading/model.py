"""The benchmark's data: what to run (options, configurations), what is read (items) and what
came out (sample results, the whole result). Every other eval module imports these; this module
imports none of them, so runner -> speed/peers -> model and report -> model stay one-way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from vlocr.eval.data.canvas import GtLine
from vlocr.eval.synth import KINDS, LAYOUT_KINDS
from vlocr.eval.synth.degrade import DEGRADATIONS

BASELINE = "rapidocr/none"
DEFAULT_ENGINES = ("rapidocr", "rapidocr-v6", "rapidocr-v4", "tesseract")
DEFAULT_PRESETS = ("none", "seed", "auto")
ALL_GROUPS = tuple(DEGRADATIONS)
QUICK_GROUPS = ("clean", "skew", "low_contrast")
QUICK_KINDS = ("receipt", "notice_zh", "invoice")
LAYOUT_GROUP = "layout"

# Real page kinds per data format, and the headline metric of each (issue 10): word F1 for
# receipts and forms, CER for document pages. SROIE's truth is upper case where the print is not
# always, so receipts in that format are scored case-insensitively (and labelled so).
PAGE_KINDS = {"sroie": "receipt", "funsd": "form", "txt": "page"}
HEADLINE_METRIC = {"receipt": "word_f1", "form": "word_f1", "page": "cer"}
CASEFOLD_FORMATS = ("sroie",)
CASE_RULES = ("auto", "ignore", "keep")


@dataclass(frozen=True)
class Config:
    """One way of reading an image: an OCR engine + a preprocessing preset, a VLM prompt variant,
    or an external peer command (``command`` set; ``engine`` is then the peer's name)."""

    engine: str
    preset: str = "none"
    structured: bool | None = None
    hints: bool | None = None
    command: str | None = None

    @property
    def name(self) -> str:
        if self.command is not None:
            return f"{self.engine}/peer"
        if self.engine == "vlm":
            prompt = "structured" if self.structured else "plain"
            return f"vlm/{self.preset}/{prompt}{'+hints' if self.hints else ''}"
        return f"{self.engine}/{self.preset}"


@dataclass
class BenchItem:
    """One image every configuration reads, with its truth after degradation.

    ``text`` is the row-order reference for the order-free metrics; ``page_text`` is the text in
    reading order for the order-sensitive CER (the same for single-flow pages)."""

    item_id: str
    group: str
    severity: int
    kind: str
    lang: str
    image: np.ndarray
    lines: list[GtLine]
    text: str
    fields: dict[str, str]
    page_text: str | None = None
    casefold: bool = False

    @property
    def reference_lines(self) -> list[str]:
        return self.text.splitlines()


@dataclass
class SampleResult:
    item_id: str
    group: str
    severity: int
    kind: str
    lang: str
    config: str
    latency_ms: float
    scores: dict[str, Any]
    n_lines: int = 0
    error: str | None = None
    hypothesis: str = ""
    cpu_ms: float = 0.0
    casefold: bool = False


@dataclass
class BenchOptions:
    """What to run. ``docs_per_group`` synthetic documents per degradation group (severities cycle
    1, 2, 3); ``layout_docs`` clean pages per layout kind (mixed sizes, columns); ``data`` adds
    (or, with ``synthetic=False``, replaces) labelled folders, each read in the format at the
    same position of ``data_format`` (one format applies to all); ``peers`` are external commands
    ``NAME=cmd {img}`` run beside the engines. ``case``: ``auto`` scores upper-cased data sets
    (SROIE) case-insensitively and the rest case-sensitively; ``ignore`` / ``keep`` force one
    rule for all labelled data."""

    engines: Sequence[str] = DEFAULT_ENGINES
    presets: Sequence[str] = DEFAULT_PRESETS
    configs: Sequence[Config] | None = None
    groups: Sequence[str] = ALL_GROUPS
    kinds: Sequence[str] = tuple(KINDS)
    docs_per_group: int = 3
    layout_kinds: Sequence[str] = tuple(LAYOUT_KINDS)
    layout_docs: int = 1
    seed: int = 0
    data: str | Sequence[str] | None = None
    data_format: str | Sequence[str] = "txt"
    data_limit: int | None = None
    case: str = "auto"
    synthetic: bool = True
    peers: Sequence[str] = ()
    vlm_model: str | None = None
    vlm_options: dict[str, Any] = field(default_factory=dict)
    speed: bool = True
    receipts: int = 8
    cold_start_runs: int = 3
    big_photo: bool = True
    progress: bool = True
    quick: bool = False

    @classmethod
    def quick_options(cls, **overrides: Any) -> BenchOptions:
        """A CI-sized run: 3 documents, 3 groups, 2 engines, minimal speed section."""
        base: dict[str, Any] = dict(
            engines=("rapidocr", "tesseract"),
            presets=("none",),
            groups=QUICK_GROUPS,
            kinds=QUICK_KINDS,
            docs_per_group=1,
            layout_docs=0,
            receipts=1,
            cold_start_runs=1,
            big_photo=False,
            quick=True,
        )
        base.update(overrides)
        return cls(**base)

    def data_sets(self) -> list[tuple[str, str]]:
        """(folder, format) pairs of ``data`` / ``data_format``."""
        if not self.data:
            return []
        folders = [self.data] if isinstance(self.data, str) else list(self.data)
        formats = (
            [self.data_format] if isinstance(self.data_format, str) else list(self.data_format)
        )
        if len(formats) == 1:
            formats = formats * len(folders)
        if len(formats) != len(folders):
            from vlocr.errors import InvalidOptionError

            raise InvalidOptionError(
                f"{len(folders)} data folders but {len(formats)} formats",
                "give one --format for all folders or one per --data",
            )
        return list(zip(folders, formats, strict=True))


@dataclass
class BenchResult:
    options: dict[str, Any]
    configs: list[str]
    skipped: dict[str, str]
    samples: list[SampleResult]
    speed: dict[str, Any] = field(default_factory=dict)
    memory: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
