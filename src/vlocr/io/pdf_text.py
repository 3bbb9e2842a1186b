"""The text layer of a digital PDF page, as OCR lines in the pixel space of its rendering.

A page that already carries text (exported from a word processor, or a scan that OCRmyPDF or a
scanner made searchable) is read from that layer: exact characters, no recognition cost. A page
that is mostly one picture with only a few characters on it (a scan with a printed page number)
is still OCRed, so the scanned content is not replaced by its footer.

A page that has a text layer *and* pictures (a pasted receipt photo, a screenshot) also reports
where those pictures lie (:func:`picture_regions`), so the text inside them can be OCRed and
merged with the layer (``service/hybrid.py``).

Runs inside the PDF render child (``io/_pdf_child.py``), which imports it by file path: stdlib and
pypdfium2 only, plain dicts out; :func:`to_ocr_lines` turns them into results in the parent.
"""

from __future__ import annotations

import math
from typing import Any

#: A page covered this much by images needs this many characters before its layer is trusted.
_IMAGE_COVERAGE = 0.5
_MIN_CHARS_OVER_IMAGE = 40


def _image_coverage(page: Any, width_pt: float, height_pt: float) -> float:
    import pypdfium2.raw as pdfium_c

    area = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        area += max(0.0, right - left) * max(0.0, top - bottom)
    return area / max(width_pt * height_pt, 1.0)


#: A picture smaller than this (points) on either side, or in area, holds no readable text.
_MIN_PICTURE_SIDE_PT = 18.0  # a quarter inch
_MIN_PICTURE_AREA_PT2 = 72.0 * 72.0  # one square inch
_MAX_PICTURES = 20


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def picture_regions(page: Any, scale: float) -> list[list[int]]:
    """Pixel boxes (x0, y0, x1, y1 at ``scale`` pixels per point, like the text lines) of the
    page's pictures large enough to hold text; touching pictures (tiles of one image) are merged,
    the largest ``_MAX_PICTURES`` kept, in page order. For an unrotated page only (as the layer)."""
    import pypdfium2.raw as pdfium_c

    left, bottom, right, top = page.get_cropbox()
    boxes: list[list[float]] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        x0, y0, x1, y1 = obj.get_bounds()
        x0, x1 = max(x0, left), min(x1, right)
        y0, y1 = max(y0, bottom), min(y1, top)
        if x1 > x0 and y1 > y0:
            boxes.append([x0, y0, x1, y1])
    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                if _overlap(boxes[i], boxes[j]):
                    a, b = boxes[i], boxes.pop(j)
                    boxes[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    merged = True
                    break
            if merged:
                break
    big = [
        b
        for b in boxes
        if min(b[2] - b[0], b[3] - b[1]) >= _MIN_PICTURE_SIDE_PT
        and (b[2] - b[0]) * (b[3] - b[1]) >= _MIN_PICTURE_AREA_PT2
    ]
    big = sorted(big, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)[:_MAX_PICTURES]
    big.sort(key=lambda b: (-b[3], b[0]))  # top to bottom, then left to right
    return [
        [
            math.floor((b[0] - left) * scale),
            math.floor((top - b[3]) * scale),
            math.ceil((b[2] - left) * scale),
            math.ceil((top - b[1]) * scale),
        ]
        for b in big
    ]


def text_layer_lines(page: Any, scale: float) -> list[dict[str, Any]] | None:
    """Lines of ``page``'s text layer (``{"text", "box", "words": [{"text", "box"}]}``, boxes as
    x0, y0, x1, y1 in pixels at ``scale`` pixels per point), or ``None`` when the page should be
    OCRed instead (no text, rotated, or a picture with only a label on it)."""
    if page.get_rotation() % 360:
        return None
    left, bottom, right, top = page.get_cropbox()
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count <= 0:
            return None
        text = textpage.get_text_range(0, count)
        visible = sum(1 for ch in text if not ch.isspace())
        if visible == 0:
            return None
        if (
            visible < _MIN_CHARS_OVER_IMAGE
            and _image_coverage(page, right - left, top - bottom) > _IMAGE_COVERAGE
        ):
            return None
        if len(text) != count:  # characters outside the BMP shift indexes; use OCR instead
            return None
        return _group_lines(textpage, text, scale, left, top)
    finally:
        textpage.close()


def _group_lines(
    textpage: Any, text: str, scale: float, left: float, top: float
) -> list[dict[str, Any]]:
    def to_pixels(index: int) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = textpage.get_charbox(index)
        return (x0 - left) * scale, (top - y1) * scale, (x1 - left) * scale, (top - y0) * scale

    lines: list[dict[str, Any]] = []
    words: list[dict[str, Any]] = []
    word_chars: list[str] = []
    word_box: list[float] | None = None

    def close_word() -> None:
        nonlocal word_chars, word_box
        if word_chars and word_box is not None:
            words.append({"text": "".join(word_chars), "box": [round(v, 1) for v in word_box]})
        word_chars, word_box = [], None

    def close_line() -> None:
        nonlocal words
        close_word()
        if words:
            boxes = [w["box"] for w in words]
            union = [
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            ]
            lines.append({"text": " ".join(w["text"] for w in words), "box": union, "words": words})
        words = []

    for index, ch in enumerate(text):
        if ch in "\r\n":
            close_line()
        elif ch.isspace():
            close_word()
        else:
            x0, y0, x1, y1 = to_pixels(index)
            word_chars.append(ch)
            word_box = (
                [x0, y0, x1, y1]
                if word_box is None
                else [
                    min(word_box[0], x0),
                    min(word_box[1], y0),
                    max(word_box[2], x1),
                    max(word_box[3], y1),
                ]
            )
    close_line()
    return lines


def _quad(box: list[float]) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = box
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def to_ocr_lines(raw: list[dict[str, Any]] | None) -> Any:
    """The child's plain lines as ``OcrLine`` results (engine ``pdf-text``, confidence 1)."""
    if raw is None:
        return None
    from vlocr.results import OcrLine, OcrWord

    return [
        OcrLine(
            text=line["text"],
            box=_quad(line["box"]),
            confidence=1.0,
            engine="pdf-text",
            words=[
                OcrWord(text=w["text"], box=_quad(w["box"]), confidence=1.0) for w in line["words"]
            ],
        )
        for line in raw
    ]
