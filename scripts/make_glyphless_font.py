"""Build ``src/vlocr/export/data/glyphless.ttf``: the font of the searchable PDF's invisible text.

The text layer is drawn in render mode 3 (never painted), so its font needs no real glyphs: one
glyph, a plain box 500 units wide, that every character code maps to (the PDF's
``CIDToGIDMap``), with ascent 800 and descent -200 so that a word's selection box fills its line. Embedding it keeps the
PDF self-contained (no font substitution, no missing-font warning). Tesseract and OCRmyPDF use the
same idea ("GlyphLessFont"); this file is our own, made with fontTools:

    /work/main/.venv/bin/python scripts/make_glyphless_font.py
"""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

TARGET = Path(__file__).resolve().parents[1] / "src/vlocr/export/data/glyphless.ttf"


def build() -> bytes:
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "box"])
    builder.setupCharacterMap({})
    # The one glyph is a plain box over the advance, ascent to descent: never painted (render
    # mode 3), it gives every character a non-empty outline, which PDFium needs to keep a
    # one-letter word (an empty glyph's text object has an empty bounding box and is dropped).
    pen = TTGlyphPen(None)
    for point in ((0, -200), (0, 800), (500, 800), (500, -200)):
        (pen.lineTo if point != (0, -200) else pen.moveTo)(point)
    pen.closePath()
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "box": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "box": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "VlocrGlyphLess", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    # A fixed date (2026-01-01, seconds since 1904) keeps the file reproducible.
    builder.font["head"].created = builder.font["head"].modified = 3850070400
    from io import BytesIO

    out = BytesIO()
    builder.save(out)
    return out.getvalue()


if __name__ == "__main__":
    TARGET.write_bytes(build())
    print(f"{TARGET}: {TARGET.stat().st_size} bytes")
