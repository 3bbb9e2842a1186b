"""What a batch does to one input (read, ask or extract through ``vlocr.service``) and the record it
leaves per page. The job key hashes the input's bytes with the options that change results, so a
renamed file is recognised and an edited one is read again."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from vlocr.config import VlmOptions
from vlocr.errors import VlocrError
from vlocr.results import ErrorInfo

if TYPE_CHECKING:
    from vlocr.service.requests import ReadRequest
    from vlocr.service.task_requests import AskRequest, ExtractRequest

TaskKind = Literal["read", "ask", "extract"]
Status = Literal["ok", "invalid", "error"]
KEY_CHARS = 24

# VLM settings that say where or how fast to ask, not what the answer is: not part of the key.
_VLM_TRANSPORT = {
    "base_url",
    "base_urls",
    "api_key",
    "timeout_s",
    "retries",
    "max_concurrency",
    "device",
    "cache_dir",
    "max_memory",
}


class BatchRecord(BaseModel):
    """One line of ``results.jsonl``: one page of one input, its status and the service's result."""

    key: str = Field(description="Hash of the input's bytes and the result-changing options")
    source: str
    page: int = 1
    page_count: int = 1
    task: TaskKind = "read"
    status: Status = "ok"
    error: ErrorInfo | None = None
    result: dict[str, Any] | None = Field(
        None, description="PageResult (read), VlmAnswer (ask) or ExtractResult (extract)"
    )


class TaskSpec(BaseModel):
    """Everything a worker needs to run the task on any input; sent once to each worker."""

    kind: TaskKind = "read"
    engine: str | None = Field(None, description="OCR engine for read; None: --lang picks it")
    lang: str | None = Field(None, description="Languages on the page, for read (e.g. en,ko)")
    force_ocr: bool = Field(False, description="OCR digital PDF pages instead of their text")
    preprocess: str | list[str] = "auto"
    region: tuple[int, int, int, int] | None = None
    pdf_dpi: int = 200
    question: str | None = None
    schema_name: str | None = None
    schema_: dict[str, Any] | None = Field(None, alias="schema")
    vlm: VlmOptions | None = None
    vlm_kwargs: dict[str, Any] = Field(
        default_factory=dict,
        description="ask/extract: the other fields of their request (ocr_hints, ocr_checks, "
        "ocr_engine, role, lang, temperature, focus, max_attempts, ...) as the library's "
        "keywords (service/task_requests.py); task_request() validates them",
    )
    threads: int = Field(0, ge=0, description="OCR threads per worker; 0 = the engine's default")
    extract_engine: Literal["vlm", "ocr"] = Field(
        "vlm", description="extract: ask the VLM, or fill receipt/invoice fields from OCR alone"
    )

    model_config = {"populate_by_name": True}

    def options_digest(self) -> str:
        """Hash of the options that change results (never threads, URLs, keys or timeouts)."""
        data = self.model_dump(mode="json", by_alias=True, exclude={"threads", "vlm"})
        if self.kind == "read":
            for name in ("question", "schema_name", "schema", "vlm_kwargs"):
                data.pop(name, None)
        else:
            for name in ("engine", "lang", "force_ocr"):
                data.pop(name, None)
            if self.kind == "extract" and self.extract_engine == "ocr":
                data["vlm"] = None  # no model involved: its settings change nothing
            else:
                vlm = self.vlm or VlmOptions()
                data["vlm"] = vlm.model_dump(mode="json", exclude=_VLM_TRANSPORT)
        if self.extract_engine == "vlm":
            data.pop("extract_engine", None)  # keys made before the option existed stay valid
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()

    def key(self, content_sha256: str) -> str:
        return hashlib.sha256(f"{content_sha256}:{self.options_digest()}".encode()).hexdigest()[
            :KEY_CHARS
        ]

    @property
    def uses_remote_vlm(self) -> bool:
        if self.kind == "read" or (self.kind == "extract" and self.extract_engine == "ocr"):
            return False
        return (self.vlm or VlmOptions()).backend == "openai"

    def run(self, path: str, key: str) -> list[BatchRecord]:
        """All pages of one input; never raises, so one bad file cannot stop a batch."""
        try:
            if self.kind == "read":
                return self._read(path, key)
            return self._ask_or_extract(path, key)
        except VlocrError as err:
            return [error_record(key, path, self.kind, error_info(err, path))]
        except Exception as err:  # a bug or a library crash on this input, not the whole run
            return [error_record(key, path, self.kind, internal_error(err, path))]

    def read_request(self) -> ReadRequest:
        """The read options as the request every interface builds (validated there)."""
        from vlocr.service.requests import ReadRequest

        return ReadRequest(
            engine=self.engine,
            lang=self.lang,
            force_ocr=self.force_ocr,
            preprocess=self.preprocess,
            region=self.region,
            pdf_dpi=self.pdf_dpi,
        )

    def _read(self, path: str, key: str) -> list[BatchRecord]:
        from vlocr.service import read

        result = read(
            [self._source(path)],
            request=self.read_request(),
            engine_options={"threads": self.threads} if self.threads else None,
        )
        for page in result.pages:  # bytes from a URI come back as "<input 1>"
            page.source = path
            if page.error is not None:
                page.error.source = path
        return [
            BatchRecord(
                key=key,
                source=path,
                page=page.page,
                page_count=page.page_count,
                task="read",
                status="ok" if page.ok else "error",
                error=page.error,
                result=page.model_dump(mode="json") if page.ok else None,
            )
            for page in result.pages
        ]

    @staticmethod
    def _source(path: str) -> Path | bytes:
        """A local path as it is; a URI's bytes, fetched through pyarrow's file systems."""
        from vlocr.batch.inputs import is_uri, read_input
        from vlocr.config import get_settings

        return read_input(path, get_settings().io.max_bytes) if is_uri(path) else Path(path)

    def _ask_or_extract(self, path: str, key: str) -> list[BatchRecord]:
        """Each page of a PDF/TIFF is asked on its own (the single-file commands use page 1),
        through the service's page loop: one page decoded at a time, under ``VLOCR_IO__*``."""
        from vlocr.config import get_settings
        from vlocr.service.pages import iter_pages

        records = []
        slots = iter_pages(
            self._source(path), io=get_settings().io, label=path, pdf_dpi=self.pdf_dpi
        )
        for slot in slots:
            page = slot.page
            count = page.page_count if page is not None else max(slot.number, 1)
            base = {"key": key, "source": path, "page": slot.number, "page_count": count}
            try:
                if slot.error is not None:
                    raise slot.error
                assert page is not None
                result, status = self._ask_page(page.image, page.label)
                records.append(BatchRecord(**base, task=self.kind, status=status, result=result))
            except VlocrError as err:
                records.append(
                    BatchRecord(**base, task=self.kind, status="error", error=error_info(err, path))
                )
            slot.page = page = None
        return records

    def task_request(self) -> AskRequest | ExtractRequest:
        """The ask/extract options as the request every interface builds (validated there).
        Each page is asked about as an image of its own, so ``page`` stays 1 and the OCR behind
        the checks reads its pixels."""
        from vlocr.service.task_requests import AskRequest, ExtractRequest

        common = {"region": self.region, "preprocess": self.preprocess, **self.vlm_kwargs}
        if self.kind == "ask":
            return AskRequest.from_options(question=self.question or "", **common)
        if self.extract_engine == "ocr":
            return ExtractRequest.from_options(
                schema=self.schema_name or "receipt", engine="ocr", **common
            )
        schema = self.schema_ or self.schema_name or "receipt"
        return ExtractRequest.from_options(schema=schema, engine="vlm", **common)

    def _ask_page(self, image: Any, label: str) -> tuple[dict[str, Any], Status]:
        from vlocr import service
        from vlocr.service.task_requests import AskRequest

        request = self.task_request()
        if isinstance(request, AskRequest):
            answer = service.ask(image, request=request, vlm=self.vlm)
            answer.source = label
            return answer.model_dump(mode="json"), "ok"
        extracted = service.extract(image, request=request, vlm=self.vlm)
        if extracted.answer is not None:
            extracted.answer.source = label
        return extracted.model_dump(mode="json"), "ok" if extracted.valid else "invalid"


def relabel(records: list[BatchRecord], source: str) -> list[BatchRecord]:
    """The same results under another path (a renamed file, or identical bytes under two names)."""
    out = []
    for rec in records:
        result = rec.result
        if result is not None and "source" in result:
            result = {**result, "source": source}
        out.append(rec.model_copy(update={"source": source, "result": result}))
    return out


def error_info(err: VlocrError, path: str) -> ErrorInfo:
    data = {k: v or "" for k, v in err.to_dict().items()}
    data["source"] = data.get("source") or path
    return ErrorInfo(**data)


def internal_error(err: BaseException, path: str) -> ErrorInfo:
    return ErrorInfo(
        type=type(err).__name__,
        code="internal_error",
        message=" ".join(str(err).split())[:300] or type(err).__name__,
        hint="this input made vlocr fail; please report it with the file",
        source=path,
    )


def error_record(key: str, path: str, kind: TaskKind, error: ErrorInfo) -> BatchRecord:
    return BatchRecord(key=key, source=path, task=kind, status="error", error=error)
