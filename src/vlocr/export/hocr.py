"""hOCR 1.2: XHTML with ``ocr_page`` / ``ocr_carea`` / ``ocr_line`` / ``ocrx_word`` elements.

Every page of the result becomes one ``ocr_page``; each OCR line sits in its own block so tools
that expect the page > area > paragraph > line > word nesting (hocr-tools, OCRmyPDF's hOCR
renderer, search indexers) accept it.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from vlocr.export.words import line_words, quad_bbox
from vlocr.results import PageResult, ReadResult

_CAPABILITIES = "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf"


def _bbox(box: tuple[float, float, float, float]) -> str:
    x0, y0, x1, y1 = (round(v) for v in box)
    return f"bbox {x0} {y0} {x1} {y1}"


def _page(page: PageResult, number: int) -> list[str]:
    title = f'image "{page.source}"; bbox 0 0 {page.width} {page.height}; ppageno {number - 1}'
    out = [f'  <div class="ocr_page" id="page_{number}" title={quoteattr(title)}>']
    for li, line in enumerate(page.lines, 1):
        box = _bbox(quad_bbox(line.box))
        height = round(quad_bbox(line.box)[3] - quad_bbox(line.box)[1])
        ident = f"{number}_{li}"
        out.append(f'   <div class="ocr_carea" id="block_{ident}" title="{box}">')
        out.append(f'    <p class="ocr_par" id="par_{ident}" title="{box}">')
        out.append(
            f'     <span class="ocr_line" id="line_{ident}" title="{box}; baseline 0 0; x_size {height}">'
        )
        for wi, word in enumerate(line_words(line), 1):
            wconf = round(max(0.0, min(1.0, word.confidence)) * 100)
            out.append(
                f'      <span class="ocrx_word" id="word_{ident}_{wi}" '
                f'title="{_bbox(word.bbox)}; x_wconf {wconf}">{escape(word.text)}</span>'
            )
        out.extend(["     </span>", "    </p>", "   </div>"])
    out.append("  </div>")
    return out


def to_hocr(result: ReadResult, *, system: str = "vlocr") -> str:
    """One hOCR document for every successfully read page of ``result``."""
    from vlocr import __version__

    body: list[str] = []
    for number, page in enumerate((p for p in result.pages if p.ok), 1):
        body.extend(_page(page, number))
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"',
        '    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">',
        " <head>",
        "  <title></title>",
        '  <meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>',
        f'  <meta name="ocr-system" content="{system} {__version__}"/>',
        f'  <meta name="ocr-capabilities" content="{_CAPABILITIES}"/>',
        f'  <meta name="ocr-number-of-pages" content="{sum(1 for p in result.pages if p.ok)}"/>',
        " </head>",
        " <body>",
    ]
    return "\n".join(head + body + [" </body>", "</html>", ""])
