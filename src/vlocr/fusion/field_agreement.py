"""The VLM's fields and answers against the OCR extractor's: two independent reads of one page.

A field disagrees when both engines give a value and the values differ (amounts by more than a
cent, dates as days, names after case, spaces and punctuation), or when the VLM leaves out a
field that OCR found with a label. Each disagreement carries the OCR box and the boxes where the
VLM's value is printed (none: the page does not show it), so a person sees both at once.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from vlocr.results import FieldDisagreement, FieldEvidence, OcrLine, Quad
from vlocr.values import find_dates, parse_amount


def _text_key(value: Any) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", str(value)).casefold())


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    n = parse_amount(str(value))
    return float(n) if n is not None else None


def _as_dates(value: Any) -> set[str]:
    text = str(value)
    return {str(f.value) for f in find_dates(text)} | {
        str(f.value) for f in find_dates(text, month_first=True)
    }


def same_value(vlm: Any, ocr: FieldEvidence) -> bool:
    """Whether the VLM's value and the OCR evidence say the same thing."""
    if isinstance(ocr.value, float):
        got = _as_number(vlm)
        return got is not None and abs(abs(got) - abs(ocr.value)) <= 0.011
    dates = _as_dates(ocr.text or ocr.value)
    if dates:
        return bool(dates & _as_dates(vlm)) or str(vlm) in dates
    a, b = _text_key(vlm), _text_key(ocr.text or ocr.value)
    if not a or not b:
        return a == b
    if a == b or (len(a) >= 4 and len(b) >= 4 and (a in b or b in a)):
        return True
    from rapidfuzz.fuzz import ratio

    return ratio(a, b) >= 90


def value_boxes(value: Any, lines: list[OcrLine]) -> list[Quad]:
    """Boxes of the OCR lines that print ``value`` (numbers looked up like the answer checks)."""
    if value is None or value == "":
        return []
    from vlocr.fusion.numbers import check_numbers

    text = str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{value:.2f}"
    boxes: list[Quad] = []
    for check in check_numbers(text, lines):
        boxes += check.boxes
    if boxes:
        return boxes
    key = _text_key(value)
    return [ln.box for ln in lines if len(key) >= 3 and key in _text_key(ln.text)]


def compare_fields(
    vlm_data: dict[str, Any] | None,
    ocr_fields: dict[str, FieldEvidence | None],
    lines: list[OcrLine],
) -> list[FieldDisagreement]:
    """One disagreement per field where the two reads differ (fields OCR did not find are not
    judged: OCR alone misses more than it invents)."""
    out: list[FieldDisagreement] = []
    data = vlm_data or {}
    for name, ev in ocr_fields.items():
        if ev is None or name not in data:
            continue
        vlm = data.get(name)
        if vlm is not None and same_value(vlm, ev):
            continue
        out.append(
            FieldDisagreement(
                field=name,
                vlm_value=vlm,
                ocr_value=ev.value,
                vlm_boxes=value_boxes(vlm, lines),
                ocr_box=ev.box,
            )
        )
    return out


def answer_disagreement(
    answer_text: str, field: str, ev: FieldEvidence, lines: list[OcrLine]
) -> FieldDisagreement | None:
    """The answer to a question about ``field`` against the OCR value of that field."""
    from vlocr.fusion.numbers import extract_numbers

    if isinstance(ev.value, float):
        numbers = [n for n in extract_numbers(answer_text) if n.kind in ("amount", "digits")]
        if not numbers or any(same_value(n.raw, ev) for n in numbers):
            return None
        stated: Any = numbers[0].raw
    else:
        if same_value(answer_text, ev):
            return None
        stated = answer_text.strip()
    return FieldDisagreement(
        field=field,
        vlm_value=stated,
        ocr_value=ev.value,
        vlm_boxes=value_boxes(stated, lines),
        ocr_box=ev.box,
    )
