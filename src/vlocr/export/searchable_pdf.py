"""A searchable PDF: each page image with an invisible, selectable text layer over its words.

The layer is drawn in text render mode 3 (invisible), one text object per word, stretched
horizontally to the word's box so that selecting and searching land on the right pixels, as
OCRmyPDF's output does. Latin text uses Helvetica; CJK text uses Adobe's predefined CID fonts
(STSong-Light for Chinese and Japanese, HYSMyeongJo-Medium for Korean), which need no embedded
font file because their glyphs are never drawn.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

from vlocr.export.words import PlacedWord, line_words
from vlocr.results import PageResult

#: Resolution assumed for photos and scans, whose pixels carry no physical size here.
DEFAULT_IMAGE_DPI = 300

_LATIN = "Helvetica"
_CJK = "STSong-Light"
_KOREAN = "HYSMyeongJo-Medium"


def _font_for(text: str) -> str:
    if any("\uac00" <= ch <= "\ud7af" or "\u1100" <= ch <= "\u11ff" for ch in text):
        return _KOREAN
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return _CJK
    return _LATIN


def _register_cid_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    registered = set(pdfmetrics.getRegisteredFontNames())
    for name in (_CJK, _KOREAN):
        if name not in registered:
            pdfmetrics.registerFont(UnicodeCIDFont(name))


def _jpeg(image: np.ndarray) -> io.BytesIO:
    from PIL import Image

    picture = Image.fromarray(image)
    channels = image.reshape(-1, image.shape[-1]) if image.ndim == 3 else None
    if (
        channels is not None
        and np.array_equal(channels[:, 0], channels[:, 1])
        and np.array_equal(channels[:, 1], channels[:, 2])
    ):
        picture = picture.convert("L")  # a grey scan stays a third of the size
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85, optimize=True)
    buffer.seek(0)
    return buffer


def _draw_word(canvas, word: PlacedWord, scale: float, page_height_pt: float) -> None:  # type: ignore[no-untyped-def]
    from reportlab.pdfbase.pdfmetrics import stringWidth

    x0, y0, x1, y1 = word.bbox
    width_pt, height_pt = (x1 - x0) * scale, (y1 - y0) * scale
    if width_pt <= 0 or height_pt <= 0:
        return
    font = _font_for(word.text)
    size = max(1.0, height_pt * 0.85)
    natural = stringWidth(word.text, font, size)
    text = canvas.beginText()
    text.setTextRenderMode(3)
    text.setFont(font, size)
    if natural > 0:
        text.setHorizScale(100.0 * width_pt / natural)
    # Baseline a fifth of the box above its bottom edge: descenders stay inside the box.
    text.setTextOrigin(x0 * scale, page_height_pt - y1 * scale + height_pt * 0.2)
    text.textOut(word.text)
    canvas.drawText(text)


def to_searchable_pdf(
    pages: Sequence[tuple[np.ndarray, PageResult]],
    *,
    dpi: Sequence[float] | float = DEFAULT_IMAGE_DPI,
) -> bytes:
    """Build a PDF with one page per ``(image, result)``; ``dpi`` sets each page's physical size
    (the PDF render resolution for pages that came from a PDF)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    from vlocr import __version__

    _register_cid_fonts()
    resolutions = [float(dpi)] * len(pages) if isinstance(dpi, (int, float)) else list(dpi)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=1)
    canvas.setCreator(f"vlocr {__version__}")
    canvas.setProducer(f"vlocr {__version__} (reportlab)")
    for (image, result), resolution in zip(pages, resolutions, strict=True):
        scale = 72.0 / resolution
        height, width = image.shape[:2]
        page_w, page_h = width * scale, height * scale
        canvas.setPageSize((page_w, page_h))
        canvas.drawImage(ImageReader(_jpeg(image)), 0, 0, width=page_w, height=page_h)
        for line in result.lines:
            for word in line_words(line):
                if word.angle and abs(word.angle) > 0.5:
                    _draw_rotated(canvas, word, scale, page_h)
                else:
                    _draw_word(canvas, word, scale, page_h)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_rotated(canvas, word: PlacedWord, scale: float, page_height_pt: float) -> None:  # type: ignore[no-untyped-def]
    """A word on a tilted line: rotate about the word's box centre so it follows the baseline."""
    import math

    x0, y0, x1, y1 = word.bbox
    cx, cy = (x0 + x1) / 2 * scale, page_height_pt - (y0 + y1) / 2 * scale
    radians = math.radians(word.angle)
    # The axis-aligned box of a tilted word is wider and taller than the word itself.
    cos, sin = abs(math.cos(radians)), abs(math.sin(radians))
    w_box, h_box = (x1 - x0) * scale, (y1 - y0) * scale
    det = cos * cos - sin * sin
    if abs(det) > 0.2:
        width = (w_box * cos - h_box * sin) / det
        height = (h_box * cos - w_box * sin) / det
    else:
        width, height = w_box, h_box
    width, height = max(width, 1.0), max(height, 1.0)
    canvas.saveState()
    canvas.translate(cx, cy)
    canvas.rotate(word.angle)
    upright = PlacedWord(
        word.text, (-width / 2, -height / 2, width / 2, height / 2), word.confidence
    )
    _draw_word(canvas, upright, 1.0, 0.0)
    canvas.restoreState()
