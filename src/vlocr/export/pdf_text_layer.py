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


def _to_unicode_cmap(codes: Iterable[int]) -> bytes:
    """A ``ToUnicode`` CMap mapping each used code to the same UTF-16 unit: runs of consecutive
    codes as ranges (a range may only vary its last byte), at most 100 entries a block."""
    runs: list[list[int]] = []
    for code in sorted(set(codes)):
        if runs and code == runs[-1][1] + 1 and code >> 8 == runs[-1][0] >> 8:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    blocks = []
    for at in range(0, len(runs), 100):
        chunk = runs[at : at + 100]
        body = "\n".join(f"<{lo:04X}> <{hi:04X}> <{lo:04X}>" for lo, hi in chunk)
        blocks.append(f"{len(chunk)} beginbfrange\n{body}\nendbfrange\n")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "".join(blocks)
        + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()


def _flate(pdf: pikepdf.Pdf, data: bytes) -> pikepdf.Stream:
    stream = pikepdf.Stream(pdf, zlib.compress(data, 9))
    stream.Filter = pikepdf.Name.FlateDecode
    return stream


def _make_font(pdf: pikepdf.Pdf) -> pikepdf.Object:
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
    )
    return pdf.make_indirect(font)


class LayerFont:
    """The layer's Type0 font in one PDF, shared by its pages; it notes the characters shown so
    that :meth:`finish` writes a ``ToUnicode`` map of just those (a few hundred bytes)."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.obj = _make_font(pdf)
        self.codes: set[int] = set()

    def encode(self, text: str) -> str:
        codes = [ord(ch) if ord(ch) <= 0xFFFF else _REPLACEMENT for ch in text]
        self.codes.update(codes)
        return "".join(f"{code:04X}" for code in codes)

    def finish(self) -> None:
        """Write the ``ToUnicode`` map; call once every page's layer is written."""
        self.obj.ToUnicode = _flate(self.pdf, _to_unicode_cmap(self.codes or {0x20}))


def _n(value: float, digits: int = 2) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _show(
    text: str,
    left: tuple[float, float],
    right: tuple[float, float],
    top_left: tuple[float, float],
    font: LayerFont,
    name: str,
    gap: float = 0.0,
) -> str:
    """One run of text from baseline-left ``left`` to ``right``, as tall as ``top_left`` is
    above ``left``, then a space stretched over ``gap`` points (up to the next word) when there is
    one; points in the page's text space (y up). Operators for inside a ``BT``/``ET``."""
    dx, dy = right[0] - left[0], right[1] - left[1]
    width = math.hypot(dx, dy)
    height = math.hypot(top_left[0] - left[0], top_left[1] - left[1])
    units = len(text)
    if width <= 0 or height <= 0 or units == 0:
        return ""
    cos, sin = dx / width, dy / width
    # The baseline a fifth of the height above the box's bottom edge, across the run's direction.
    x = left[0] - sin * height * _DESCENT
    y = left[1] + cos * height * _DESCENT
    size = height
    stretch = 100.0 * width / (units * _ADVANCE * size)
    # The space fills the gap to the next word and no more, so the words never overlap.
    space = (
        f" {_n(100.0 * gap / (_ADVANCE * size), 1)} Tz <{font.encode(' ')}> Tj" if gap > 0 else ""
    )
    c, s = _n(cos, 4), _n(sin, 4)
    return (
        f"/{name} {_n(size)} Tf {_n(stretch, 1)} Tz {c} {s} {_n(-sin, 4)} {c} {_n(x)} {_n(y)} Tm "
        f"<{font.encode(text)}> Tj{space}\n"
    )


def layer_content(
    lines: Iterable[OcrLine],
    *,
    font: LayerFont,
    name: str,
    page_width_pt: float,
    page_height_pt: float,
    image_width: float,
    image_height: float,
) -> bytes:
    """The content stream that writes ``lines`` (pixel boxes of an ``image_width`` x
    ``image_height`` image) invisibly onto a page of the given size, origin bottom-left, with
    ``font`` under the resource ``name``; empty when there is no text."""
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
                shown = _show(word.text, pt((x0, y1)), pt((x1, y1)), pt((x0, y0)), font, name, gap)
                out.append(shown)
        else:
            top_left, _, bottom_right, bottom_left = line.box
            text = " ".join(w.text for w in words)
            out.append(_show(text, pt(bottom_left), pt(bottom_right), pt(top_left), font, name))
    shown = "".join(out)
    # Render mode 3 (neither fill nor stroke) is text state: set once for the whole layer.
    return f"3 Tr\nBT\n{shown}ET\n".encode() if shown else b""
