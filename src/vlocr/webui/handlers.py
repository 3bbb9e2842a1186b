"""What the page's buttons do, as plain functions over plain values (testable without a browser).

Each one turns widget values into a ``vlocr.service`` call and the result back into widget values;
decisions about OCR or the model live in the service, not here. The page keeps the accepted upload
in server-side session state (an ``Upload``), so no event can point the server at another file.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vlocr.config import IoOptions
from vlocr.errors import ImageTooLargeError, InvalidOptionError, VlocrError
from vlocr.io.page import Page
from vlocr.results import VlmAnswer

if TYPE_CHECKING:
    from vlocr.service.requests import ReadRequest

Region = tuple[int, int, int, int]
NO_FILE = "请先上传图片或 PDF / Upload an image or PDF first"


@dataclass(frozen=True)
class Upload:
    """A file the browser uploaded and the page accepted (caps checked, decodable)."""

    path: str
    name: str
    size: int
    sha256: str
    pages: int


def region_from_fields(
    x: float | None, y: float | None, w: float | None, h: float | None
) -> Region | None:
    """The x/y/w/h boxes as a region; all zero or empty means the whole page."""
    values = [int(v or 0) for v in (x, y, w, h)]
    if values[2] <= 0 or values[3] <= 0:
        return None
    return values[0], values[1], values[2], values[3]


def region_from_clicks(first: tuple[int, int], second: tuple[int, int]) -> Region:
    """Two clicked corners (any order) -> x, y, w, h."""
    x0, x1 = sorted((int(first[0]), int(second[0])))
    y0, y1 = sorted((int(first[1]), int(second[1])))
    return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


def region_text(region: Region | None) -> str:
    if region is None:
        return "区域 / Region: 整页 / whole page"
    x, y, w, h = region
    return f"区域 / Region: x={x}, y={y}, {w}×{h} px"


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def check_uploaded_path(path: str, upload_root: str | Path) -> Path:
    """The real path of a file under ``upload_root`` (where the page's upload endpoint writes).

    Server paths elsewhere, links out of the folder and URLs are refused: the page reads only
    what was uploaded through it.
    """
    text = str(path or "")
    if "://" in text[:16]:
        raise InvalidOptionError(
            "the page does not fetch URLs", "download the file and upload it / 请上传文件"
        )
    root = Path(os.path.realpath(upload_root))
    real = Path(os.path.realpath(text))
    if not text or not _inside(real, root) or not real.is_file():
        raise InvalidOptionError(
            "the page reads only files uploaded through it",
            "drag a file onto the upload box / 将文件拖到上传框",
        )
    return real


def read_upload(path: Path, io: IoOptions) -> bytes:
    size = path.stat().st_size
    if size > io.max_bytes:
        raise ImageTooLargeError(
            f"the file is {size / 1e6:.1f} MB; this server accepts at most "
            f"{io.max_bytes / 1e6:.1f} MB",
            "send a smaller file (downscale the image or split the PDF)",
        )
    return path.read_bytes()


def accept_upload(
    path: str | None, io: IoOptions, upload_root: str | Path
) -> tuple[Upload, np.ndarray]:
    """Check an uploaded file against the API's caps and return it with its first page (the
    other pages are counted, not decoded)."""
    from vlocr.io import count_pages, first_page

    if not path:
        raise InvalidOptionError(NO_FILE, "drag a file onto the upload box / 将文件拖到上传框")
    real = check_uploaded_path(path, upload_root)
    data = read_upload(real, io)
    first = first_page(data, options=io, label=real.name)
    upload = Upload(
        path=str(real),
        name=real.name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        pages=count_pages(data, options=io, label=real.name),
    )
    return upload, first.image


def upload_bytes(upload: Upload | None, io: IoOptions, upload_root: str | Path) -> bytes:
    if upload is None:
        raise InvalidOptionError(NO_FILE, "drag a file onto the upload box / 将文件拖到上传框")
    try:
        real = check_uploaded_path(upload.path, upload_root)
    except InvalidOptionError:
        raise InvalidOptionError(
            "the uploaded file has expired on the server", "upload it again / 请重新上传"
        ) from None
    return read_upload(real, io)


def load_page(
    upload: Upload | None,
    page_no: float | None,
    io: IoOptions,
    upload_root: str | Path,
    *,
    pdf_dpi: int | None = None,
) -> Page:
    """Page ``page_no`` (1-based, clamped to the upload's pages) through the service's page loop:
    a PDF renders that page alone, and a digital PDF page keeps its text layer."""
    from vlocr.service.pages import iter_pages

    data = upload_bytes(upload, io, upload_root)
    count = upload.pages if upload else 1
    wanted = min(max(int(page_no or 1), 1), max(count, 1))
    label = upload.name if upload else "upload"
    for slot in iter_pages(data, io=io, label=label, pdf_dpi=pdf_dpi, page=wanted):
        if slot.error is not None:
            raise slot.error
        assert slot.page is not None
        return slot.page
    raise InvalidOptionError(f"page {wanted} could not be read", "upload the file again")


def page_image(
    upload: Upload | None, page_no: float | None, io: IoOptions, upload_root: str | Path
) -> np.ndarray:
    """The RGB image of page ``page_no`` (1-based, clamped) of the accepted upload."""
    return load_page(upload, page_no, io, upload_root).image


#: The OCR engine choice that leaves it to the languages (or the configured default), as a
#: ``vlocr read`` without ``--engine`` does.
AUTO_ENGINE = "auto"


def chosen_engine(engine: str | None) -> str | None:
    """The engine widget's value as a request field: None for ``auto`` (or nothing chosen)."""
    return None if not engine or engine == AUTO_ENGINE else engine


def read_request(
    engine: str | None,
    lang: str | None,
    preprocess: str,
    force_ocr: bool,
    region: Region | None,
    page: float | None = None,
    pdf_dpi: float | None = None,
    output_format: str = "text",
) -> ReadRequest:
    """The Read tab's widgets as the one request every interface builds (validated here)."""
    from vlocr.service.requests import ReadRequest

    return ReadRequest(
        engine=chosen_engine(engine),
        lang=(lang or "").strip() or None,
        preprocess=preprocess,
        force_ocr=bool(force_ocr),
        region=region,
        page=int(page) if page else None,
        pdf_dpi=int(pdf_dpi) if pdf_dpi else None,
        format=output_format or "text",
        return_preprocessed=True,
        return_annotated=True,
    )


def recognize_page(page: Page, request: ReadRequest, io: IoOptions | None = None) -> dict[str, Any]:
    """Read one page as ``request`` says, as ``vlocr read`` does (text layer, lang, force_ocr);
    return what the Read view shows (no files are written)."""
    from vlocr.render import annotate
    from vlocr.service.reading import read_page

    plan = request.plan(io=io)
    seen: dict[str, Any] = {}

    def keep(_page: Page, _result: Any, image: np.ndarray) -> None:
        seen["image"] = image

    result = read_page(page, plan, on_image=keep, raise_errors=True)
    rows = [[i, line.text, round(line.confidence, 3)] for i, line in enumerate(result.lines, 1)]
    conf = f"{result.mean_confidence:.2f}" if result.mean_confidence is not None else "-"
    summary = (
        f"{len(result.lines)} 行 / lines · {result.engine} · 平均置信度 / mean confidence {conf} · "
        f"{sum(result.timings_ms.values()):.0f} ms"
    )
    return {
        "preprocessed": seen.get("image", page.image),
        "annotated": annotate(page.image, result.lines),
        "rows": rows,
        "text": result.text,
        "json": result.model_dump_json(indent=2),
        "summary": summary,
        "result": result,
    }


def recognize(
    image: np.ndarray,
    engine: str,
    preprocess: str,
    region: Region | None,
    *,
    page: int = 1,
    page_count: int = 1,
    source: str = "upload",
    lang: str | None = None,
    force_ocr: bool = False,
) -> dict[str, Any]:
    """OCR one image (no text layer); see :func:`recognize_page`."""
    from vlocr.io import Page

    request = read_request(engine, lang, preprocess, force_ocr, region)
    return recognize_page(
        Page(image=image, source=source, page=page, page_count=page_count), request
    )


def export_read(
    result: Any,
    data: bytes,
    output_format: str,
    folder: str | Path,
    *,
    pdf_dpi: int = 200,
    force_ocr: bool = False,
) -> str | None:
    """The read of the upload ``data`` rendered as ``output_format`` (the bytes ``vlocr read
    --format`` writes), saved in ``folder`` for the download button; None for text and json
    (shown on the page)."""
    from vlocr.results import ReadResult
    from vlocr.service.output import render
    from vlocr.service.requests import OutputFormat

    fmt = OutputFormat(output_format or "text")
    if fmt in (OutputFormat.text, OutputFormat.json):
        return None
    data = render(ReadResult(pages=[result]), fmt, [data], pdf_dpi=pdf_dpi, force_ocr=force_ocr)
    suffix = {
        "markdown": "md",
        "lines": "lines.md",
        "hocr": "hocr.html",
        "alto": "alto.xml",
        "pdf": "pdf",
    }[fmt.value]
    target = Path(folder) / f"vlocr-read-{hashlib.sha256(data).hexdigest()[:12]}.{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return str(target)


def extract_with_ocr(
    image: np.ndarray, schema: str | dict[str, Any], ocr_engine: str, region: Region | None
) -> Any:
    """Receipt or invoice fields from OCR alone, as ``vlocr extract --engine ocr``: no model."""
    from vlocr import service

    return service.extract(image, schema, engine="ocr", ocr_engine=ocr_engine, region=region)


def task_options(
    upload: Upload | None,
    page_no: float | None,
    region: Region | None,
    preprocess: str,
    force_ocr: bool,
    ocr_engine: str | None,
    lang: list[str] | str | None,
    ocr_hints: bool,
    check_numbers: bool,
    role: str | None,
    temperature: float | None,
    top_p: float | None,
    max_new_tokens: float | None,
) -> dict[str, Any]:
    """The Ask and Extract tabs' widgets as ``TaskRequest`` fields (the page number clamped to
    the upload's pages, as the Read tab does); the tab adds its own and builds the request."""
    count = upload.pages if upload else 1
    return {
        "page": min(max(int(page_no or 1), 1), max(count, 1)),
        "region": region,
        "preprocess": preprocess or "auto",
        "force_ocr": bool(force_ocr),
        "ocr_engine": chosen_engine(ocr_engine),
        "lang": (",".join(lang) if isinstance(lang, list) else lang) or None,
        "ocr_hints": bool(ocr_hints),
        "check_numbers": bool(check_numbers),
        "role": (role or "").strip() or None,
        "temperature": float(temperature) if temperature is not None else None,
        "top_p": float(top_p) if top_p is not None else None,
        "max_new_tokens": int(max_new_tokens) if max_new_tokens else None,
    }


def history_messages(history: list[dict[str, Any]] | None) -> list[Any]:
    """Gradio chat history (role/content dicts) -> service ChatMessages (text turns only)."""
    from vlocr.results import ChatMessage

    out = []
    for turn in history or []:
        content = turn.get("content")
        if isinstance(content, list):
            content = " ".join(
                str(c.get("text", "")) if isinstance(c, dict) else str(c) for c in content
            )
        if turn.get("role") in ("user", "assistant") and isinstance(content, str):
            out.append(ChatMessage(role=turn["role"], content=content))
    return out


def checks_markdown(answer: VlmAnswer) -> str:
    """The answer's number checks and supporting lines, one short line each."""
    rows = []
    for check in answer.number_checks:
        where = "OCR " + ", ".join(f"#{i + 1}" for i in check.lines) if check.lines else "OCR"
        rows.append(
            f"- ✓ `{check.value}` — 在识别文字中找到 / found in {where}"
            if check.found
            else f"- ⚠ `{check.value}` — 识别文字中没有 / not in the OCR text"
        )
    if answer.provenance:
        rows.append(f"- 依据 / supporting lines: {len(answer.provenance)} (绿框 / green boxes)")
    if not rows:
        rows.append("- 答案中没有可核对的数字 / no numbers to check in this answer")
    return "\n".join(rows)


def evidence_image(image: np.ndarray, answer: VlmAnswer) -> np.ndarray:
    """The page with the answer's supporting lines (green) and checked numbers (blue) drawn."""
    from vlocr.render import annotate_evidence

    boxes = [box for check in answer.number_checks if check.found for box in check.boxes]
    return annotate_evidence(image, [ln.box for ln in answer.provenance], boxes)


def extraction_json(data: dict[str, Any] | None) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) if data is not None else ""


def parse_schema(preset: str, custom: str | None) -> str | dict[str, Any]:
    """A custom JSON Schema when one is typed, else the preset's name."""
    text = (custom or "").strip()
    if not text:
        return preset
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidOptionError(
            f"the custom schema is not valid JSON ({exc.msg}, line {exc.lineno})",
            "paste a JSON Schema object, or clear the box to use the preset",
        ) from None
    if not isinstance(schema, dict):
        raise InvalidOptionError(
            "the custom schema must be a JSON object", 'e.g. {"type": "object"}'
        )
    return schema


CASE_HEADERS = ("时间 / Time (UTC)", "类型 / Kind", "文件 / File", "更正 / Correction", "ID")
CASE_COLUMN_SHARES = ("20%", "12%", "20%", "32%", "16%")


def bad_case_table(cases: list[Any]) -> str:
    """The bad-case view's table as HTML: newest first, corrections shortened.

    A plain table, not a virtualised data grid: every row is in the page as soon as it arrives,
    whether or not its view was visible when the list changed.
    """
    cols = "".join(f'<col style="width:{share}">' for share in CASE_COLUMN_SHARES)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in CASE_HEADERS)
    rows = []
    for case in cases:
        short = " ".join(case.correction.split())
        cells = (
            case.created_at.replace("T", " ").rstrip("Z"),
            case.kind,
            case.source,
            short[:80] + ("…" if len(short) > 80 else ""),
            case.id,
        )
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{len(CASE_HEADERS)}">—</td></tr>')
    return (
        f'<div class="case-table"><table><colgroup>{cols}</colgroup>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def friendly(err: VlocrError) -> str:
    return err.message + (f" — {err.hint}" if err.hint else "")
