"""The invisible text layer of a searchable PDF: OCR lines as render-mode-3 text over their pixels.

One embedded font serves every script: a single never-painted TrueType glyph
(``data/glyphless.ttf``, made by ``scripts/make_glyphless_font.py``) that every 2-byte character
code maps to, with a ``ToUnicode`` map from each code to the same UTF-16 unit, so search, copy and ``pdftotext`` get the text back.
Each word is stretched (``Tz``) to its box and sits on the line's baseline, rotated with the
line, the way Tesseract's and OCRmyPDF's text layers do.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from importlib import resources

import pikepdf

from vlocr.export.words import line_words
from vlocr.results import OcrLine

_FONT_NAME = "VlocrGlyphLess"
_ADVANCE = 0.5  # glyph width in text space units (500 / 1000)
_DESCENT = 0.2  # the baseline sits this share of the line height above its bottom
_REPLACEMENT = 0xFFFD  # characters outside the BMP have no 2-byte code


def _to_unicode_cmap() -> bytes:
    # One range per high byte (a bfrange may only vary its last byte).
    ranges = "\n".join(f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256))
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"256 beginbfrange\n{ranges}\nendbfrange\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()


def _flate(pdf: pikepdf.Pdf, data: bytes) -> pikepdf.Stream:
    stream = pikepdf.Stream(pdf, zlib.compress(data, 9))
    stream.Filter = pikepdf.Name.FlateDecode
    return stream


def make_font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    """The layer's Type0 font, added once to ``pdf`` and shared by its pages."""
    ttf = resources.files("vlocr.export").joinpath("data/glyphless.ttf").read_bytes()
    font_file = _flate(pdf, ttf)
    font_file.Length1 = len(ttf)
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=pikepdf.Name("/" + _FONT_NAME),
        Flags=5,  # fixed pitch, symbolic
        FontBBox=[0, -200, 500, 800],
        ItalicAngle=0,
        Ascent=800,
        Descent=-200,
        CapHeight=800,
        StemV=80,
        FontFile2=font_file,
    )
    # Every CID (= the UTF-16 unit) draws glyph 1, the blank one.
    cid_to_gid = _flate(pdf, b"\x00\x01" * 65536)
    cid_font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name("/" + _FONT_NAME),
        CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=int(_ADVANCE * 1000),
        CIDToGIDMap=cid_to_gid,
    )
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type0,
        BaseFont=pikepdf.Name("/" + _FONT_NAME),
        Encoding=pikepdf.Name("/Identity-H"),
        DescendantFonts=[pdf.make_indirect(cid_font)],
        ToUnicode=_flate(pdf, _to_unicode_cmap()),
    )
    return pdf.make_indirect(font)


def _hex(text: str) -> str:
    return "".join(f"{ord(ch) if ord(ch) <= 0xFFFF else _REPLACEMENT:04X}" for ch in text)


def _show(
    text: str,
    left: tuple[float, float],
    right: tuple[float, float],
    top_left: tuple[float, float],
    font: str,
    gap: float = 0.0,
) -> str:
    """One run of text from baseline-left ``left`` to ``right``, as tall as ``top_left`` is
    above ``left``, then a space stretched over ``gap`` points (up to the next word) when there is
    one; points in the page's text space (y up)."""
    dx, dy = right[0] - left[0], right[1] - left[1]
    width = math.hypot(dx, dy)
    height = math.hypot(top_left[0] - left[0], top_left[1] - left[1])
    units = sum(1 for _ in text)
    if width <= 0 or height <= 0 or units == 0:
        return ""
    cos, sin = dx / width, dy / width
    # The baseline a fifth of the height above the box's bottom edge, across the run's direction.
    x = left[0] - sin * height * _DESCENT
    y = left[1] + cos * height * _DESCENT
    size = height
    stretch = 100.0 * width / (units * _ADVANCE * size)
    # The space fills the gap to the next word and no more, so the words never overlap.
    space = f" {100.0 * gap / (_ADVANCE * size):.2f} Tz <0020> Tj" if gap > 0 else ""
    return (
        f"BT 3 Tr /{font} {size:.2f} Tf {stretch:.2f} Tz "
        f"{cos:.5f} {sin:.5f} {-sin:.5f} {cos:.5f} {x:.2f} {y:.2f} Tm <{_hex(text)}> Tj"
        f"{space} ET\n"
    )


def layer_content(
    lines: Iterable[OcrLine],
    *,
    font: str,
    page_width_pt: float,
    page_height_pt: float,
    image_width: float,
    image_height: float,
) -> bytes:
    """The content stream that writes ``lines`` (pixel boxes of an ``image_width`` x
    ``image_height`` image) invisibly onto a page of the given size, origin bottom-left."""
    sx, sy = page_width_pt / image_width, page_height_pt / image_height

    def pt(point: tuple[float, float]) -> tuple[float, float]:
        return point[0] * sx, page_height_pt - point[1] * sy

    out: list[str] = []
    for line in lines:
        words = line_words(line)
        if not words:
            continue
        if abs(words[0].angle) <= 0.5:
            for index, word in enumerate(words):
                x0, y0, x1, y1 = word.bbox
                # A space between words lets text extraction keep them apart.
                following = words[index + 1].bbox[0] if index + 1 < len(words) else x1
                gap = max(0.0, following - x1) * sx
                out.append(_show(word.text, pt((x0, y1)), pt((x1, y1)), pt((x0, y0)), font, gap))
        else:
            top_left, _, bottom_right, bottom_left = line.box
            text = " ".join(w.text for w in words)
            out.append(_show(text, pt(bottom_left), pt(bottom_right), pt(top_left), font))
    return "".join(out).encode()
