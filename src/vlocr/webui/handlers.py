"""What the page's buttons do, as plain functions over plain values (testable without a browser).

Each one turns widget values into a ``vlocr.service`` call and the result back into widget values;
decisions about OCR or the model live in the service, not here.
"""

from __future__ import annotations

import json
import tempfile
from typing import Any

import numpy as np

from vlocr.config import IoOptions, VlmOptions
from vlocr.errors import InvalidOptionError, VlocrError

Region = tuple[int, int, int, int]
NO_FILE = "请先上传图片或 PDF / Upload an image or PDF first"


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


def pick_page(
    path: str | None, page_no: float | None, io: IoOptions | None = None, pdf_dpi: int = 150
) -> Any:
    """Page ``page_no`` (1-based) of the uploaded file, knowing its number and the page count."""
    from vlocr.io import load_pages

    if not path:
        raise InvalidOptionError(NO_FILE, "drag a file onto the upload box / 将文件拖到上传框")
    pages = load_pages(path, options=io, label="upload", pdf_dpi=pdf_dpi)
    return pages[min(max(int(page_no or 1), 1), len(pages)) - 1]


def load_page(
    path: str | None, page_no: float | None, io: IoOptions | None = None, pdf_dpi: int = 150
) -> np.ndarray:
    """The RGB image of page ``page_no`` (1-based) of the uploaded file."""
    return pick_page(path, page_no, io, pdf_dpi).image  # type: ignore[no-any-return]


def page_count(path: str | None, io: IoOptions | None = None) -> int:
    from vlocr.io import load_pages

    return len(load_pages(path, options=io, label="upload", pdf_dpi=36)) if path else 0


def recognize(
    path: str | None,
    page_no: float | None,
    engine: str,
    preprocess: str,
    region: Region | None,
    io: IoOptions | None = None,
) -> dict[str, Any]:
    """OCR one page; return everything the page shows: images, rows, text, JSON, a download file."""
    from vlocr.render import annotate
    from vlocr.service.reading import ocr_page_with_image

    page = pick_page(path, page_no, io)
    image = page.image
    result, seen = ocr_page_with_image(page, engine=engine, preprocess=preprocess, region=region)
    rows = [[i, line.text, round(line.confidence, 3)] for i, line in enumerate(result.lines, 1)]
    payload = result.model_dump_json(indent=2)
    with tempfile.NamedTemporaryFile(
        "w", suffix=".json", prefix="vlocr-", delete=False, encoding="utf-8"
    ) as handle:
        handle.write(payload)
    return {
        "original": image,
        "preprocessed": seen,
        "annotated": annotate(image, result.lines),
        "rows": rows,
        "text": result.text,
        "json": payload,
        "download": handle.name,
        "result": result,
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


def chat_turn(
    path: str | None,
    page_no: float | None,
    message: str,
    history: list[dict[str, Any]] | None,
    *,
    vlm: VlmOptions | None,
    region: Region | None,
    role: str | None,
    temperature: float,
    max_new_tokens: int,
    json_mode: bool,
    schema: str,
    io: IoOptions | None = None,
) -> tuple[list[dict[str, Any]], str]:
    """One chat turn about the current page; returns the new history and the JSON panel text."""
    history = list(history or [])
    message = (message or "").strip()
    if not message and not json_mode:
        return history, ""
    if vlm is None:
        raise InvalidOptionError(
            "未配置视觉语言模型 / no vision-language model is configured",
            "start the server with --vlm transformers --model <dir> / 启动时加 --vlm 参数",
        )
    from vlocr import service

    image = load_page(path, page_no, io)
    common: dict[str, Any] = {
        "vlm": vlm,
        "region": region,
        "role": (role or "").strip() or None,
        "temperature": float(temperature),
        "max_new_tokens": int(max_new_tokens),
    }
    shown = message or f"JSON: {schema}"
    if json_mode:
        extracted = service.extract(image, schema=schema, **common)
        json_text = (
            json.dumps(extracted.data, ensure_ascii=False, indent=2)
            if extracted.data is not None
            else ""
        )
        if not extracted.valid and extracted.validation_errors:
            reply = "JSON 未通过校验 / JSON did not validate: " + "; ".join(
                extracted.validation_errors[:3]
            )
        else:
            reply = "已提取 JSON / JSON extracted"
        answer_text = json_text or reply
        return history + [
            {"role": "user", "content": shown},
            {"role": "assistant", "content": answer_text},
        ], json_text
    answer = service.chat(image, history_messages(history), message, **common)
    return history + [
        {"role": "user", "content": message},
        {"role": "assistant", "content": answer.text},
    ], ""


def friendly(err: VlocrError) -> str:
    return err.message + (f" — {err.hint}" if err.hint else "")
