"""Result models shared by the library, CLI, API, batch runs and the benchmark.

Every interface prints or serialises these same objects, so a field added here shows up
everywhere. Coordinates are always in the pixel space of the *original* page image.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

Point = tuple[float, float]
Quad = list[Point]  # 4 points, clockwise from top-left


class Correction(BaseModel):
    """One post-OCR edit, kept so users can see and undo what was changed."""

    kind: str = Field(description="spacing | confusable | decimal | width | ...")
    original: str
    corrected: str


class OcrWord(BaseModel):
    text: str
    box: Quad | None = None
    confidence: float | None = None


class OcrLine(BaseModel):
    text: str
    box: Quad = Field(description="4 points (x, y), clockwise from top-left, original-image pixels")
    confidence: float = Field(ge=0.0, le=1.0)
    raw_text: str | None = Field(None, description="Text before corrections, when any were made")
    corrections: list[Correction] = Field(default_factory=list)
    words: list[OcrWord] | None = None
    engine: str | None = Field(
        None, description="Set when a line came from a different engine than the page's"
    )

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        xs = [p[0] for p in self.box]
        ys = [p[1] for p in self.box]
        return min(xs), min(ys), max(xs), max(ys)


class StepTrace(BaseModel):
    name: str
    params: dict[str, Any] = Field(default_factory=dict)
    reason: str = ""
    ms: float = 0.0


class PreprocessTrace(BaseModel):
    """What a preprocessing pipeline measured, chose, and how long each step took."""

    pipeline: str
    measurements: dict[str, Any] = Field(default_factory=dict)
    steps: list[StepTrace] = Field(default_factory=list)
    skipped: list[StepTrace] = Field(
        default_factory=list, description="Steps considered and not applied, with why"
    )
    input_size: tuple[int, int] = (0, 0)
    output_size: tuple[int, int] = (0, 0)
    total_ms: float = 0.0


class ErrorInfo(BaseModel):
    type: str
    code: str
    message: str
    hint: str = ""
    source: str | None = None


class TableCell(BaseModel):
    """One cell of a table found on the page (ruled, unruled, or a receipt's item rows)."""

    row: int = Field(ge=0)
    col: int = Field(ge=0)
    text: str = ""
    row_span: int = Field(1, ge=1)
    col_span: int = Field(1, ge=1)
    box: Quad | None = None
    lines: list[int] = Field(default_factory=list, description="Indexes into the page's lines")


class Table(BaseModel):
    """A grid of cells; ``kind`` says how it was found: ruled | unruled | items."""

    kind: str = "unruled"
    box: Quad | None = None
    n_rows: int = 0
    n_cols: int = 0
    header_rows: int = 0
    cells: list[TableCell] = Field(default_factory=list)


class LayoutBlock(BaseModel):
    """A region of the page in reading order: what it is, where it is, which lines it holds."""

    kind: str = Field(
        description="title | heading | paragraph | list | table | figure | caption | header | "
        "footer | page_number | text"
    )
    box: Quad | None = None
    lines: list[int] = Field(default_factory=list, description="Indexes into the page's lines")
    text: str = ""
    level: int | None = Field(None, description="Heading level, 1 = largest")
    table: int | None = Field(None, description="Index into the page's tables")
    source: str | None = Field(None, description="Engine that read it when not the page's own")


class PageResult(BaseModel):
    """OCR of one page (an image, or one page of a PDF/TIFF)."""

    source: str = Field(description="File path or label of the input")
    page: int = Field(1, description="1-based page number inside the source")
    page_count: int = 1
    width: int = 0
    height: int = 0
    engine: str = ""
    lines: list[OcrLine] = Field(default_factory=list)
    text: str = ""
    mean_confidence: float | None = None
    timings_ms: dict[str, float] = Field(
        default_factory=dict, description="Per-stage wall time in ms"
    )
    preprocess: PreprocessTrace | None = None
    region: tuple[int, int, int, int] | None = Field(
        None, description="x, y, w, h crop that was read"
    )
    error: ErrorInfo | None = None
    blocks: list[LayoutBlock] = Field(
        default_factory=list, description="Layout regions in reading order (when analysed)"
    )
    tables: list[Table] = Field(default_factory=list, description="Tables found on the page")

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def label(self) -> str:
        return (
            self.source
            if self.page_count <= 1
            else f"{self.source} [page {self.page}/{self.page_count}]"
        )


class ReadResult(BaseModel):
    """Everything one ``read`` call produced: pages in input order, failures included."""

    pages: list[PageResult] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.pages)

    @property
    def failures(self) -> list[PageResult]:
        return [p for p in self.pages if not p.ok]


# ---- VLM side -------------------------------------------------------------------------------


class NumberCheck(BaseModel):
    """A number or amount from the model's answer, looked up in the OCR text."""

    value: str
    found: bool
    lines: list[int] = Field(default_factory=list, description="Indexes of supporting OCR lines")
    boxes: list[Quad] = Field(default_factory=list)


class ConsistencyIssue(BaseModel):
    """A rule check that failed, e.g. amount x rate != tax, or items do not add up."""

    rule: str
    message: str
    expected: float | None = None
    found: float | None = None


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    image_tokens: int = 0


class FieldEvidence(BaseModel):
    """Where one extracted field was read on the page, so a person can check it at a glance."""

    value: str | float | None = Field(description="Typed value, as it goes into ``data``")
    text: str = Field("", description="The value as printed on the page")
    box: Quad | None = Field(None, description="Union of the boxes that hold the value")
    lines: list[int] = Field(default_factory=list, description="Indexes of the OCR lines used")
    confidence: float = Field(0.0, ge=0.0, le=1.0)
    rule: str = Field("", description="Which rule found it, e.g. 'label:GRAND TOTAL'")


class FieldDisagreement(BaseModel):
    """A field (or an answer's number) where the VLM and the OCR extractor disagree."""

    field: str
    vlm_value: Any = None
    ocr_value: Any = None
    vlm_boxes: list[Quad] = Field(
        default_factory=list,
        description="OCR boxes holding the VLM's value (empty: not on the page)",
    )
    ocr_box: Quad | None = None
    reasked: bool = Field(False, description="The VLM was asked again on a zoomed crop")
    reask_value: Any = None
    resolved: str = Field(
        "open", description="open | vlm (kept) | ocr (the re-ask agreed with OCR) | agreed"
    )


class VisualInput(BaseModel):
    """What the model was shown and what it cost: the page, a region, or the rows a question names."""

    sent: str = "page"  # page | region (the caller's --region) | lines (rows the question names)
    box: tuple[int, int, int, int] | None = None  # x, y, w, h in page pixels; None = whole page
    lines: list[str] = Field(default_factory=list, description="OCR lines that chose the crop")
    visual_tokens: int = 0
    budget_tokens: int = 0


class VlmAnswer(BaseModel):
    """The model's reply to one task, with OCR-based checks attached."""

    task: str
    text: str
    model: str = ""
    backend: str = ""
    prompt_version: str = ""
    usage: Usage = Field(default_factory=Usage)
    finish_reason: str = ""
    loop_cut: bool = Field(False, description="A repetition loop was detected and the output cut")
    number_checks: list[NumberCheck] = Field(default_factory=list)
    unsupported_numbers: list[str] = Field(default_factory=list)
    provenance: list[OcrLine] = Field(
        default_factory=list, description="OCR lines that support the answer"
    )
    ocr_hints_used: bool = False
    timings_ms: dict[str, float] = Field(default_factory=dict)
    source: str = ""
    region: tuple[int, int, int, int] | None = None
    disagreements: list[FieldDisagreement] = Field(
        default_factory=list,
        description="Numbers in the answer that differ from the OCR extractor's field asked about",
    )
    visual_input: VisualInput | None = None
    engine: dict[str, Any] = Field(
        default_factory=dict,
        description="How the engine ran: dtype and why, KV-cache prefix reused, draft tokens",
    )


class ExtractResult(BaseModel):
    """JSON fields extracted for a schema; ``valid`` is never True unless the schema accepts ``data``."""

    schema_name: str
    data: dict[str, Any] | None = None
    valid: bool = False
    validation_errors: list[str] = Field(default_factory=list)
    attempts: int = 1
    repaired: bool = False
    issues: list[ConsistencyIssue] = Field(default_factory=list)
    answer: VlmAnswer | None = None
    engine: str = Field("vlm", description="vlm | ocr (fields from OCR lines and layout alone)")
    fields: dict[str, FieldEvidence | None] = Field(
        default_factory=dict,
        description="Per-field evidence from the OCR extractor; null = not on the page",
    )
    disagreements: list[FieldDisagreement] = Field(
        default_factory=list, description="VLM fields that the OCR extractor reads differently"
    )


class ChatMessage(BaseModel):
    role: str
    content: str
