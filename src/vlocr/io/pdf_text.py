"""The text layer of a digital PDF page, as OCR lines in the pixel space of its rendering.

A page that already carries text (exported from a word processor, or a scan that OCRmyPDF or a
scanner made searchable) is read from that layer: exact characters, no recognition cost. A page
that is mostly one picture with only a few characters on it (a scan with a printed page number)
is still OCRed, so the scanned content is not replaced by its footer.
"""

from __future__ import annotations

from typing import Any

from vlocr.results import OcrLine, OcrWord

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


def text_layer_lines(page: Any, scale: float) -> list[OcrLine] | None:
    """Lines of ``page``'s text layer with boxes in pixels at ``scale`` pixels per point, or
    ``None`` when the page should be OCRed instead (no text, rotated, or an image with a label)."""
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


def _group_lines(textpage: Any, text: str, scale: float, left: float, top: float) -> list[OcrLine]:
    def to_pixels(index: int) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = textpage.get_charbox(index)
        return (x0 - left) * scale, (top - y1) * scale, (x1 - left) * scale, (top - y0) * scale

    lines: list[OcrLine] = []
    words: list[OcrWord] = []
    word_chars: list[str] = []
    word_box: list[float] | None = None

    def close_word() -> None:
        nonlocal word_chars, word_box
        if word_chars and word_box is not None:
            words.append(OcrWord(text="".join(word_chars), box=_quad(word_box), confidence=1.0))
        word_chars, word_box = [], None

    def close_line() -> None:
        nonlocal words
        close_word()
        if words:
            boxes = [w.box for w in words if w.box]
            union = [
                min(b[0][0] for b in boxes),
                min(b[0][1] for b in boxes),
                max(b[2][0] for b in boxes),
                max(b[2][1] for b in boxes),
            ]
            lines.append(
                OcrLine(
                    text=" ".join(w.text for w in words),
                    box=_quad(union),
                    confidence=1.0,
                    words=words,
                    engine="pdf-text",
                )
            )
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
    x0, y0, x1, y1 = (round(v, 1) for v in box)
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
