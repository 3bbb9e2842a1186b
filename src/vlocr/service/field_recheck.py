"""Cross-checks after a VLM task: its fields or answer against the OCR extractor, and one re-ask
of each field in doubt on a zoomed crop of the boxes that hold it.

The crop shows the OCR box and the boxes where the VLM's value is printed, padded, and enlarged
when small, so the model reads the few characters in question at a higher resolution than the
whole page allowed. When the re-ask agrees with OCR, two independent reads now agree and the
field takes that value; when it repeats the VLM's value, the VLM's value is kept; either way
the disagreement stays listed with both values and boxes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from vlocr.fields.invoice import extract_invoice
from vlocr.fields.page_lines import PageLines, union_box
from vlocr.fields.receipt import extract_receipt
from vlocr.fusion.field_agreement import answer_disagreement, compare_fields, same_value
from vlocr.results import ExtractResult, FieldDisagreement, FieldEvidence, OcrLine, Quad, VlmAnswer

Region = tuple[int, int, int, int]
# generate(messages, image) -> reply text
Generate = Callable[[list[dict[str, Any]], np.ndarray], str]
MAX_REASKS = 3

_FIELD_WORDS = {
    "merchant": ("the shop or company name", "商家名称"),
    "address": ("the address", "地址"),
    "date": ("the date", "日期"),
    "time": ("the time", "时间"),
    "subtotal": ("the subtotal", "小计金额"),
    "discount": ("the discount", "优惠金额"),
    "tax": ("the tax amount", "税额"),
    "total": ("the total amount", "合计金额"),
    "seller": ("the seller's name", "销售方名称"),
    "buyer": ("the buyer's name", "购买方名称"),
    "seller_tax_id": ("the seller's tax id", "销售方纳税人识别号"),
    "buyer_tax_id": ("the buyer's tax id", "购买方纳税人识别号"),
    "invoice_no": ("the invoice number", "发票号码"),
    "amount": ("the amount before tax", "金额（不含税）"),
    "tax_rate": ("the tax rate", "税率"),
}


def ocr_fields(lines: list[OcrLine], schema: str) -> dict[str, FieldEvidence | None]:
    page = PageLines.build(lines)
    return extract_invoice(page) if schema == "invoice" else extract_receipt(page)


def zoom_crop(image: np.ndarray, boxes: list[Quad], region: Region | None) -> np.ndarray | None:
    """The part of ``image`` (the crop the model saw) around ``boxes`` (page pixels), padded by
    half a box height plus 5 % of the page, and scaled up to at least 448 px wide."""
    box = union_box(boxes)
    if box is None:
        return None
    dx, dy = (region[0], region[1]) if region else (0, 0)
    h, w = image.shape[:2]
    x0, y0 = box[0][0] - dx, box[0][1] - dy
    x1, y1 = box[2][0] - dx, box[2][1] - dy
    pad = 0.5 * (y1 - y0) + 0.05 * max(w, h)
    left, top = int(max(0, x0 - pad)), int(max(0, y0 - pad))
    right, bottom = int(min(w, x1 + pad)), int(min(h, y1 + pad))
    if right - left < 8 or bottom - top < 8:
        return None
    crop = image[top:bottom, left:right]
    if crop.shape[1] < 448:
        import cv2

        scale = 448 / crop.shape[1]
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(crop)


def _reask(
    d: FieldDisagreement,
    image: np.ndarray,
    region: Region | None,
    generate: Generate,
    lang: str,
    question: str | None = None,
) -> None:
    from vlocr.tasks import ask_messages

    boxes = ([d.ocr_box] if d.ocr_box else []) + d.vlm_boxes
    crop = zoom_crop(image, boxes, region)
    if crop is None:
        return
    en, zh = _FIELD_WORDS.get(d.field, (d.field, d.field))
    if question is None:
        question = (
            f"这张图里{zh}是什么？只回答数值或文字本身。"
            if lang == "zh"
            else f"What is {en} shown here? Reply with the value only."
        )
    d.reasked = True
    d.reask_value = generate(ask_messages(question, lang=lang), crop).strip()
    if _agrees(d.reask_value, d.ocr_value):
        d.resolved = "ocr"
    elif d.vlm_value not in (None, "") and _agrees(d.reask_value, d.vlm_value):
        d.resolved = "vlm"


def _agrees(reply: str, value: Any) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return same_value(reply, FieldEvidence(value=float(value) if number else None, text=str(value)))


def check_extraction(
    result: ExtractResult,
    lines: list[OcrLine],
    image: np.ndarray,
    region: Region | None,
    generate: Generate,
    lang: str,
    reask: bool = True,
) -> None:
    """Attach OCR evidence and disagreements to a VLM extraction (built-in schemas only)."""
    if result.schema_name not in ("receipt", "invoice") or not lines:
        return
    fields = ocr_fields(lines, result.schema_name)
    result.fields = fields
    result.disagreements = compare_fields(result.data, fields, lines)
    for d in result.disagreements[:MAX_REASKS] if reask else []:
        _reask(d, image, region, generate, lang)
        if d.resolved == "ocr" and result.data is not None:
            result.data[d.field] = d.ocr_value


def check_answer(
    answer: VlmAnswer,
    question: str,
    lines: list[OcrLine],
    image: np.ndarray,
    region: Region | None,
    generate: Generate,
    lang: str,
    reask: bool = True,
) -> None:
    """When the question names a field the OCR extractor reads, compare the answer with it."""
    from vlocr.fields.terms import main_target, resolve

    target = main_target(question)
    if target is None or not lines:
        return
    page = PageLines.build(lines)
    receipt, invoice = extract_receipt(page), extract_invoice(page)
    invoice_first = invoice.get("seller") is not None or invoice.get("invoice_no") is not None
    got = resolve(target, page, receipt, invoice, invoice_first)
    if got is None:
        return
    d = answer_disagreement(answer.text, got[0], got[1], lines)
    if d is None:
        return
    if reask:
        _reask(d, image, region, generate, lang, question)
    answer.disagreements = [d]
