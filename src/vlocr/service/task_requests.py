"""One request for each VLM task (``ask``, ``chat``, ``extract``, ``transcribe``): every option of
``vlocr ask/chat/extract``, ``POST /v1/ask`` and ``/v1/extract``, the page's Ask and Extract tabs
and ``vlocr batch --task ask|extract``, validated once here and passed down to the service.

Each interface turns its own syntax (flags, JSON or form fields, widgets, batch options) into an
:class:`AskRequest`, :class:`ChatRequest` or :class:`ExtractRequest`; the library builds one from
its keywords (:meth:`TaskRequest.from_options`). The page options (page, region, preprocess,
force_ocr) and their checks are ``ReadRequest``'s (``PageSource``). A new option is one field
here; ``tests/test_parity_vlm.py`` fails until every interface offers it.

``lang`` means what it means for a read: the languages on the page (``en``, ``zh``, ``ko,en``,
...). It picks the OCR behind the hints and checks as ``vlocr read --lang`` does (unless
``ocr_engine`` is given) and the prompt's language: Chinese when the first language is Chinese,
English for any other; left out (or ``auto``), the prompt follows the question's script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import Field, ValidationError, field_validator, model_validator

from vlocr.errors import InvalidOptionError
from vlocr.results import ChatMessage
from vlocr.service.requests import VLM_ENGINE, PageSource, Region, check_engine

T = TypeVar("T", bound="TaskRequest")

#: Keywords the library has always taken under another name -> the field.
_KEYWORD_ALIASES = {"ocr_checks": "check_numbers"}
FOCUS_CHOICES = ("auto", "lines", "page")
EXTRACT_ENGINES = ("vlm", "ocr")


class TaskRequest(PageSource):
    """The options every VLM task over one page takes, whatever interface it came from."""

    page: int = Field(
        1,
        ge=1,
        le=10000,
        description="Which page of a PDF/TIFF to look at (1-based); the others are not read.",
    )
    region: Region | None = Field(
        None,
        description="Only look at this rectangle: x, y, w, h in pixels of the original page "
        '([0, 0, 400, 300], or "0,0,400,300"); the model and the OCR see the crop alone.',
        examples=[[0, 0, 400, 300]],
    )
    preprocess: str | list[str] = Field(
        "auto",
        description="Preprocessing before the OCR behind the hints and checks: none | seed | "
        "auto | a comma list of steps (the model sees the page as it is).",
        examples=["auto"],
    )
    force_ocr: bool = Field(
        False,
        description="OCR a digital PDF page for the hints and checks instead of reading its "
        "text layer.",
    )
    ocr_engine: str | None = Field(
        None,
        description="OCR engine for the hints and the number checks: rapidocr (default: "
        "VLOCR_OCR_ENGINE), rapidocr-v6, rapidocr-v4 or tesseract.",
        examples=["rapidocr"],
    )
    lang: str | None = Field(
        None,
        description="Languages on the page, comma-separated ISO codes (en, zh, zh-Hant, ko, ...) "
        "as for a read: they pick the OCR behind the hints and checks (unless ocr_engine) and "
        "the prompt's language (Chinese for a first language zh, else English); left out or "
        "auto: the prompt follows the question's script.",
        examples=["en"],
    )
    ocr_hints: bool = Field(
        False, description="Run OCR first and give its lines (with rough positions) to the model."
    )
    check_numbers: bool = Field(
        True,
        description="OCR the page and look up the answer's numbers (and receipt/invoice fields) "
        "in it; off: no OCR unless ocr_hints.",
    )
    role: str | None = Field(
        None,
        max_length=2000,
        description="A role / system prompt, e.g. 'You are an accountant.'",
        examples=["You are a senior accountant."],
    )
    temperature: float | None = Field(
        None, ge=0.0, le=2.0, description="Sampling temperature (0 = greedy, the default)."
    )
    top_p: float | None = Field(None, gt=0.0, le=1.0, description="Nucleus sampling mass.")
    max_new_tokens: int | None = Field(
        None,
        ge=1,
        le=32768,
        description="Longest answer in tokens (default VLOCR_VLM__MAX_NEW_TOKENS; a server's "
        "setting is a ceiling).",
    )

    @field_validator("ocr_engine")
    @classmethod
    def _ocr_engine(cls, value: str | None) -> str | None:
        if value == VLM_ENGINE:
            raise InvalidOptionError(
                "ocr_engine vlm cannot check the model against itself",
                "pick an OCR engine (rapidocr, tesseract, ...)",
            )
        if value:
            check_engine(value)
        return value or None

    @field_validator("lang")
    @classmethod
    def _lang(cls, value: str | None) -> str | None:
        from vlocr.ocr.languages import parse_langs

        if value is None or value.strip().lower() in ("", "auto"):
            return None
        parse_langs(value)  # unknown codes are refused here, once, as for a read
        return value

    @property
    def prompt_lang(self) -> str | None:
        """The prompt's language: zh when the page's first language is Chinese, en for any
        other, None (from the question's script) when no language was given."""
        from vlocr.ocr.languages import parse_langs

        langs = parse_langs(self.lang)
        if not langs:
            return None
        return "zh" if langs[0].startswith("zh") else "en"

    def ocr_choice(self) -> tuple[str | None, dict[str, Any]]:
        """The OCR engine and its options for the hints and checks: ``ocr_engine`` as given, or
        the engine that reads ``lang`` (Tesseract's packs for ko, ja, ru, ...) as a read picks
        it; (None, {}) = the configured default."""
        from vlocr.ocr.languages import choose_engine, parse_langs

        langs = parse_langs(self.lang)
        if not langs:
            return self.ocr_engine, {}
        choice = choose_engine(langs, self.ocr_engine)
        return choice.engine, dict(choice.options)

    @field_validator("role")
    @classmethod
    def _role(cls, value: str | None) -> str | None:
        return value.strip() or None if value else None

    @model_validator(mode="after")
    def _ocr_reads_the_languages(self) -> TaskRequest:
        """An OCR engine that cannot read ``lang`` (or a missing Tesseract pack) is refused when
        the request is built, before any input is read, as a read refuses it."""
        if self.lang and self.uses_ocr:
            self.ocr_choice()
        return self

    @property
    def uses_ocr(self) -> bool:
        return self.ocr_hints or self.check_numbers

    @classmethod
    def from_options(cls: type[T], **options: Any) -> T:
        """The request from Python keywords (``vlocr.ask(path, question, **options)``): a value
        of None means "not given"; an unknown keyword is a TypeError naming the ones there are,
        a bad value one ``InvalidOptionError`` line."""
        given = {_KEYWORD_ALIASES.get(k, k): v for k, v in options.items() if v is not None}
        names = {f.alias or n for n, f in cls.model_fields.items()}
        unknown = sorted(set(given) - names - set(cls.model_fields))
        if unknown:
            raise TypeError(
                f"{cls.__name__} has no option {', '.join(map(repr, unknown))}; "
                f"options: {', '.join(sorted(names))}"
            )
        try:
            return cls.model_validate(given)
        except ValidationError as exc:
            raise invalid(exc) from None


class _CrossChecked(TaskRequest):
    cross_check: bool = Field(
        True,
        description="An answer about a field the OCR extractor reads that disagrees with it is "
        "asked again once on a zoomed crop (needs check_numbers).",
    )


class AskRequest(_CrossChecked):
    """One question about a page (``vlocr ask``, ``POST /v1/ask``, the page's first question)."""

    question: str = Field(
        ..., max_length=8000, description="The question.", examples=["What is the total?"]
    )
    focus: Literal["auto", "lines", "page"] = Field(
        "auto",
        description="With ocr_hints: auto/lines sends only the rows the question names (full "
        "resolution), page the whole page; the answer's visual_input says what was sent.",
    )
    stream: bool = Field(
        False,
        description="Stream the answer as the model writes it (REST: server-sent events, "
        "`{delta}` frames, then one `{answer}` frame with the checks, then `[DONE]`).",
    )

    @field_validator("focus", mode="before")
    @classmethod
    def _focus(cls, value: Any) -> Any:
        if value not in FOCUS_CHOICES:
            raise InvalidOptionError(f"unknown focus '{value}'", "use auto, lines or page")
        return value

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        if not value or not value.strip():
            raise InvalidOptionError(
                "the question is empty", 'pass a question, e.g. "What is the total?"'
            )
        return value


class ChatRequest(TaskRequest):
    """One more turn of a conversation about a page (``vlocr chat``, the page's follow-ups)."""

    message: str = Field(..., max_length=8000, description="This turn's message.")
    history: list[ChatMessage] = Field(
        default_factory=list, description="The earlier turns, oldest first."
    )
    stream: bool = Field(False, description="Stream the reply as the model writes it.")


class ExtractRequest(_CrossChecked):
    """Fields as JSON validated against a schema (``vlocr extract``, ``POST /v1/extract``)."""

    schema_: str | dict[str, Any] = Field(
        "receipt",
        alias="schema",
        description="A preset name (receipt, invoice) or a JSON Schema object (the library and "
        "the CLI also take a JSON Schema file's path).",
    )
    engine: Literal["vlm", "ocr"] = Field(
        "vlm",
        description="vlm: ask the model (fields cross-checked against OCR); ocr: receipt or "
        "invoice fields from OCR lines and layout alone, each with its box (no model needed).",
    )
    max_attempts: int = Field(
        3, ge=1, le=10, description="Re-ask with the validation errors up to this many times."
    )

    model_config = {"populate_by_name": True}

    @field_validator("schema_", mode="before")
    @classmethod
    def _schema(cls, value: Any) -> Any:
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, dict):
            from vlocr.tasks.schemas import check_schema_size

            check_schema_size(value)
        return value

    @field_validator("engine", mode="before")
    @classmethod
    def _engine(cls, value: Any) -> Any:
        if value not in EXTRACT_ENGINES:
            raise InvalidOptionError(f"unknown extract engine '{value}'", "use vlm or ocr")
        return value

    @model_validator(mode="after")
    def _ocr_schemas(self) -> ExtractRequest:
        from vlocr.fields.from_lines import OCR_SCHEMAS

        if self.engine == "ocr" and (
            not isinstance(self.schema_, str) or self.schema_ not in OCR_SCHEMAS
        ):
            shown = self.schema_ if isinstance(self.schema_, str) else "a custom schema"
            raise InvalidOptionError(
                f"engine ocr has rules for the receipt and invoice schemas only, not {shown}",
                "use the receipt or invoice schema, or engine vlm for your own schema",
            )
        return self


def invalid(exc: ValidationError) -> InvalidOptionError:
    """A pydantic error as the one-line ``InvalidOptionError`` every interface reports."""
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "options"
    shown = first.get("input")
    value = f" (got {shown!r})" if isinstance(shown, (int, float, str)) else ""
    return InvalidOptionError(f"{where}: {first.get('msg', 'invalid')}{value}", "fix the option")
