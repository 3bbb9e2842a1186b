"""One read request: every option of ``vlocr read``, ``POST /v1/ocr``, the page's Read tab and
``vlocr batch --task read``, validated once here and passed down to the page loop.

Each interface builds a :class:`ReadRequest` from its own syntax (flags, JSON or form fields,
widgets, batch options) and calls :meth:`ReadRequest.plan` with its settings; the plan carries
the engine chosen for ``lang`` (``ocr/languages.py``) and the I/O budgets. A new option is one
field here; ``tests/service/test_request_parity.py`` fails until every interface offers it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from vlocr.config import IoOptions, Settings, get_settings
from vlocr.errors import InvalidOptionError

Region = tuple[int, int, int, int]
VLM_ENGINE = "vlm"


class OutputFormat(str, enum.Enum):
    """What a read renders to; the names ``vlocr read --format`` has always taken."""

    text = "text"
    json = "json"
    markdown = "markdown"
    lines = "lines"
    hocr = "hocr"
    alto = "alto"
    pdf = "pdf"


#: The media type of each format's body (REST answers with it; the CLI writes the same bytes).
MEDIA_TYPES: dict[OutputFormat, str] = {
    OutputFormat.text: "text/plain; charset=utf-8",
    OutputFormat.json: "application/json",
    OutputFormat.markdown: "text/markdown; charset=utf-8",
    OutputFormat.lines: "text/markdown; charset=utf-8",
    OutputFormat.hocr: "text/html; charset=utf-8",  # hOCR is XHTML
    OutputFormat.alto: "application/xml; charset=utf-8",
    OutputFormat.pdf: "application/pdf",
}
#: Formats that need line boxes (an OCR engine, not the VLM's plain transcription).
BOX_FORMATS = frozenset({OutputFormat.hocr, OutputFormat.alto, OutputFormat.pdf})


class PageSource(BaseModel):
    """The page options every request shares (``ReadRequest`` and the VLM tasks'
    ``TaskRequest``): which page, which rectangle, how it is preprocessed for OCR, and whether a
    digital PDF page is OCRed instead of read from its text layer. Validated here, once."""

    model_config = ConfigDict(extra="forbid")

    preprocess: str | list[str] = Field(
        "auto", description="none | seed | auto | a comma list of steps", examples=["auto"]
    )
    region: Region | None = Field(
        None,
        description="Only read this rectangle: x, y, w, h in pixels of the original image "
        '([0, 0, 400, 300], or "0,0,400,300").',
        examples=[[0, 0, 400, 300]],
    )
    force_ocr: bool = Field(
        False, description="OCR digital PDF pages too (by default their text layer is read)."
    )

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> Region | None:
        from vlocr.service.regions import parse_region

        return parse_region(value)

    @field_validator("preprocess")
    @classmethod
    def _preprocess(cls, value: str | list[str]) -> str | list[str]:
        if value not in ("none", [], None):
            from vlocr.preprocess import check_pipeline

            check_pipeline(value)
        return value


class ReadRequest(PageSource):
    """The options of one read, whatever interface it came from."""

    engine: str | None = Field(
        None,
        description="OCR engine: rapidocr (default), rapidocr-v6, rapidocr-v4, tesseract, or vlm "
        "(transcription without line boxes). Left out with lang, the language picks it.",
        examples=["rapidocr"],
    )
    lang: str | None = Field(
        None,
        description="Languages on the page, comma-separated ISO codes (en, zh, zh-Hant, ko, ...); "
        "languages the bundled models cannot read go to Tesseract.",
        examples=["en,ko"],
    )
    pdf_dpi: int | None = Field(
        None, ge=36, le=600, description="Resolution PDF pages are rendered at (VLOCR_IO__PDF_DPI)."
    )
    page: int | None = Field(
        None,
        ge=1,
        le=10000,
        description="Read only this page of a PDF/TIFF (1-based); a PDF renders that page alone. "
        "Left out: every page.",
    )
    format: OutputFormat = Field(
        OutputFormat.text,
        description="text | json | markdown | hocr | alto | pdf (a searchable PDF).",
    )
    return_preprocessed: bool = Field(False, description="Keep the image the engine saw, per page.")
    return_annotated: bool = Field(
        False, description="Keep the page with numbered line boxes drawn, per page."
    )

    @field_validator("lang")
    @classmethod
    def _lang(cls, value: str | None) -> str | None:
        from vlocr.ocr.languages import parse_langs

        parse_langs(value)  # unknown codes are refused here, once
        return value or None

    @field_validator("engine")
    @classmethod
    def _engine(cls, value: str | None) -> str | None:
        if value:
            check_engine(value)
        return value or None

    @model_validator(mode="after")
    def _boxes_for_box_formats(self) -> ReadRequest:
        if self.engine != VLM_ENGINE:
            return self
        if self.format in BOX_FORMATS:
            raise InvalidOptionError(
                f"format {self.format.value} needs line boxes; engine vlm returns text only",
                "read with an OCR engine (e.g. engine rapidocr)",
            )
        if self.return_annotated or self.return_preprocessed:
            raise InvalidOptionError(
                "annotated and preprocessed images need line boxes; engine vlm returns text only",
                "drop the option, or read with an OCR engine (e.g. engine rapidocr)",
            )
        return self

    def plan(self, settings: Settings | None = None, *, io: IoOptions | None = None) -> ReadPlan:
        """Resolve what depends on the settings: the engine for ``lang`` (a missing Tesseract
        pack is refused here, before any input is read), the I/O budgets and the PDF dpi."""
        from vlocr.ocr.languages import EngineChoice, choose_engine, parse_langs

        settings = settings or get_settings()
        langs = parse_langs(self.lang) if self.engine != VLM_ENGINE else []
        choice = (
            choose_engine(langs, self.engine)
            if langs
            else EngineChoice(self.engine or settings.ocr_engine)
        )
        check_engine(choice.engine)
        io = io or settings.io
        return ReadPlan(
            request=self,
            engine=choice.engine,
            engine_options=dict(choice.options),
            io=io,
            pdf_dpi=self.pdf_dpi or io.pdf_dpi,
        )


@dataclass(frozen=True)
class ReadPlan:
    """A validated request with the engine chosen and the budgets it runs under."""

    request: ReadRequest
    engine: str
    engine_options: dict[str, Any] = field(default_factory=dict)
    io: IoOptions = field(default_factory=IoOptions)
    pdf_dpi: int = 200

    @property
    def uses_vlm(self) -> bool:
        return self.engine == VLM_ENGINE

    @property
    def keeps_images(self) -> bool:
        """The page images are needed after OCR (searchable PDF, annotated/preprocessed)."""
        r = self.request
        return r.format is OutputFormat.pdf or r.return_annotated or r.return_preprocessed


def check_engine(engine: str) -> None:
    """Refuse an unknown engine name, naming the ones there are."""
    from vlocr.ocr.registry import ENGINES

    if engine != VLM_ENGINE and engine not in ENGINES:
        raise InvalidOptionError(
            f"unknown OCR engine '{engine}'",
            f"choose one of: {', '.join([*ENGINES, VLM_ENGINE])}",
        )
