"""An OCR-only answerer for the question benchmark: the baseline a VLM has to beat.

It reads the page once, fills the receipt and invoice fields from OCR alone, finds which fields
a question names (English or Chinese words), and reads, compares, adds or subtracts them. It
never answers from outside the page: when a field is missing, the reply is "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from vlocr.fields.page_lines import PageLines
from vlocr.fields.terms import main_target, mentions, resolve
from vlocr.fields.values import find_tax_ids

_YES_NO = re.compile(r"yes or no|是或否|吗[？?]?$", re.I)


@dataclass
class _Page:
    text: str
    rows: list[str]
    lines: PageLines
    receipt: dict[str, Any]
    invoice: dict[str, Any]


class OcrAnswerer:
    """Answers from OCR fields; caches one OCR read per image."""

    def __init__(
        self, ocr_engine: str = "rapidocr", preset: str = "auto", ocr_cache: str | None = None
    ) -> None:
        self.ocr_engine, self.preset, self.ocr_cache = ocr_engine, preset, ocr_cache
        self._pages: dict[str, _Page] = {}

    def _page(self, image: str) -> _Page:
        if image not in self._pages:
            from pathlib import Path

            from vlocr.eval.questions.fields_score import cached_ocr
            from vlocr.fields.invoice import extract_invoice
            from vlocr.fields.receipt import extract_receipt

            key = Path(image).stem
            result = cached_ocr(image, key, self.ocr_engine, self.preset, self.ocr_cache)
            layout = PageLines.build(list(result.lines), result.width, result.height)
            rows = [row.text for row in layout.rows]
            self._pages[image] = _Page(
                "\n".join(rows), rows, layout, extract_receipt(layout), extract_invoice(layout)
            )
        return self._pages[image]

    def page_text(self, item: Any) -> str:
        return self._page(item.image).text

    def _value(self, page: _Page, target: str, invoice_first: bool) -> Any:
        got = resolve(target, page.lines, page.receipt, page.invoice, invoice_first)
        if got is None:
            return None
        ev = got[1]
        return ev.value if isinstance(ev.value, float) else ev.text

    def _signed_sum(self, page: _Page, part: str, invoice_first: bool) -> float | None:
        total = 0.0
        sign = 1.0
        cursor = 0
        found = mentions(part)
        if not found:
            return None
        for start, target in found:
            between = part[cursor:start].casefold()
            if re.search(r"minus|减去|减|less", between):
                sign = -1.0
            elif re.search(r"plus|加|and|和", between):
                sign = 1.0
            value = self._value(page, target, invoice_first)
            if not isinstance(value, float):
                return None
            total += sign * value
            cursor = start + 1
        return round(total, 2)

    def answer(self, item: Any) -> str:
        page = self._page(item.image)
        q = item.question
        invoice_first = bool(
            re.search(r"invoice|发票|seller|buyer|销售方|购买方|价税", q, re.I)
        ) or (page.invoice.get("seller") is not None and page.invoice.get("buyer") is not None)
        low = q.casefold()
        if re.search(r"how many tax id|几个纳税人识别号", low):
            ids = {
                f.value
                for row in page.rows
                if re.search(r"(TAX\s*ID|纳税人识别号|税号)", row, re.I)
                for f in find_tax_ids(row)
            }
            return str(len(ids))
        if _YES_NO.search(q):
            if re.search(r"same (company|party)|同一家", low):
                seller = self._value(page, "i.seller", True)
                buyer = self._value(page, "i.buyer", True)
                if seller is None or buyer is None:
                    return "unknown"
                return "yes" if str(seller).casefold() == str(buyer).casefold() else "no"
            bound = re.search(
                r"(more|greater|higher|above|less|lower|below|大于|超过|多于|高于|小于|少于|低于)"
                r"\s*(?:than)?\s*[^\d]{0,4}(\d[\d,]*(?:\.\d+)?)",
                q,
                re.I,
            )
            target = main_target(q)
            if bound and target is not None:
                value = self._value(page, target, invoice_first)
                if not isinstance(value, float):
                    return "unknown"
                limit = float(bound.group(2).replace(",", ""))
                above = bound.group(1).casefold() in ("more", "greater", "higher", "above") or (
                    bound.group(1) in ("大于", "超过", "多于", "高于")
                )
                yes = value > limit if above else value < limit
                zh = bool(re.search(r"[\u4e00-\u9fff]", q))
                return ("是" if yes else "否") if zh else ("yes" if yes else "no")
            parts = re.split(r"equal(?:s)?(?: to)?|是否等于|等于", q, maxsplit=1, flags=re.I)
            if len(parts) == 2:
                left = self._signed_sum(
                    page, re.sub(r"^(does|is)\b", "", parts[0], flags=re.I), invoice_first
                )
                right = self._signed_sum(page, parts[1], invoice_first)
                if left is None or right is None:
                    return "unknown"
                same = abs(left - right) <= 0.02
                zh = bool(re.search(r"[\u4e00-\u9fff]", q))
                return ("是" if same else "否") if zh else ("yes" if same else "no")
            return "unknown"
        if re.search(r"sum of|之和|总和", low):
            value = self._signed_sum(page, re.sub(r"and|和", " plus ", q), invoice_first)
            return "unknown" if value is None else f"{value:.2f}"
        split = re.split(r"\bthan\b|比", q, maxsplit=1, flags=re.I)
        if len(split) == 2 and re.search(r"more|多", low):
            left = self._signed_sum(page, split[0], invoice_first)
            right = self._signed_sum(page, split[1], invoice_first)
            if left is None or right is None:
                return "unknown"
            return f"{left - right:.2f}"
        if re.search(r"minus|减去", low):
            value = self._signed_sum(page, q, invoice_first)
            return "unknown" if value is None else f"{value:.2f}"
        target = main_target(q)
        if target is None:
            return "unknown"
        value = self._value(page, target, invoice_first)
        if value is None:
            return "unknown"
        return f"{value:.2f}" if isinstance(value, float) else str(value)
