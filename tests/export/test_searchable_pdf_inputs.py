"""The searchable PDF of PDF inputs, as OCRmyPDF makes one: the original pages kept (vector text,
fonts, pictures, metadata), an invisible layer added only where text was OCRed, ``force_ocr``
rasterising a page as OCRmyPDF's ``--force-ocr`` does."""

from __future__ import annotations

import io

import numpy as np
import pikepdf
import pypdfium2 as pdfium
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from tests.export.test_searchable_pdf import TEXT, page_with_text

from vlocr.export.searchable_pdf import searchable_pdf
from vlocr.results import OcrLine, PageResult, ReadResult

DPI = 200  # the resolution the pages were "read" at: result pixels = points * DPI / 72


def _squash(text: str) -> str:
    return "".join(text.replace("\ufffe", "-").split())


def _vector_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(300, 200))
    canvas.setTitle("Quarterly report")
    canvas.setAuthor("Ada Lovelace")
    canvas.setFont("Helvetica", 14)
    canvas.drawString(20, 150, "Hello vector world")
    canvas.rect(20, 40, 200, 60)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _text_layer_result(text: str) -> PageResult:
    """What reading a typed page gives: lines from the PDF's own text layer."""
    line = OcrLine(
        text=text, box=[(55, 130), (330, 130), (330, 160), (55, 160)], confidence=1.0
    ).model_copy(update={"engine": "pdf-text"})
    w, h = round(300 * DPI / 72), round(200 * DPI / 72)
    return PageResult(source="v.pdf", width=w, height=h, engine="pdf-text", lines=[line], text=text)


def test_a_typed_page_is_kept_as_it_is_with_its_metadata() -> None:
    data = _vector_pdf()
    result = ReadResult(pages=[_text_layer_result("Hello vector world")])
    out = searchable_pdf([data], result, pdf_dpi=DPI)
    assert len(out) <= 1.2 * len(data) + 512  # no page image: about the input's size
    with pikepdf.open(io.BytesIO(out)) as document, pikepdf.open(io.BytesIO(data)) as original:
        assert str(document.docinfo["/Title"]) == "Quarterly report"
        assert str(document.docinfo["/Author"]) == "Ada Lovelace"
        page = document.pages[0]
        assert not page.get_images()  # still vector, not a picture of the page
        assert "/F1" in page.Resources.Font  # reportlab's Helvetica, kept
        assert page.Contents.read_bytes() == original.pages[0].Contents.read_bytes()
    text = pdfium.PdfDocument(out)[0].get_textpage().get_text_range()
    assert text.strip() == "Hello vector world"  # not doubled by a second, invisible copy


def _scanned_pdf(image: Image.Image, rotate: int = 0) -> bytes:
    """A PDF page that is only a picture (a scan at ``DPI``), shown turned by ``rotate``."""
    width, height = image.width * 72 / DPI, image.height * 72 / DPI
    png = io.BytesIO()
    image.save(png, format="PNG")
    buffer = io.BytesIO()
    if rotate == 90:  # stored turned a quarter to the left; /Rotate 90 shows it upright
        canvas = Canvas(buffer, pagesize=(height, width))
        canvas.translate(height, 0)
        canvas.rotate(90)
    else:
        canvas = Canvas(buffer, pagesize=(width, height))
    canvas.drawImage(ImageReader(io.BytesIO(png.getvalue())), 0, 0, width=width, height=height)
    canvas.showPage()
    canvas.save()
    if not rotate:
        return buffer.getvalue()
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as document:
        document.pages[0].Rotate = rotate
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def _ocr_result(result: PageResult) -> PageResult:
    return result.model_copy(update={"source": "scan.pdf"})


def test_a_scanned_page_keeps_its_image_and_gains_the_text() -> None:
    image, result = page_with_text(TEXT)
    data = _scanned_pdf(image)
    out = searchable_pdf([data], ReadResult(pages=[_ocr_result(result)]), pdf_dpi=DPI)
    with pikepdf.open(io.BytesIO(out)) as document, pikepdf.open(io.BytesIO(data)) as original:
        (kept,) = document.pages[0].get_images().values()
        (before,) = original.pages[0].get_images().values()
        assert kept.read_bytes() == before.read_bytes()  # the scan's pixels, untouched
    assert len(out) <= len(data) + 4096
    text = pdfium.PdfDocument(out)[0].get_textpage().get_text_range()
    assert text.split() == result.text.split()


def test_on_a_rotated_page_the_words_lie_over_their_pixels() -> None:
    image, result = page_with_text(TEXT)
    data = _scanned_pdf(image, rotate=90)
    # The fixture shows the page upright, as a reader sees it.
    shown = pdfium.PdfDocument(data)[0].render(scale=DPI / 72, grayscale=True).to_numpy()
    upright = np.asarray(image.convert("L"), dtype=int)
    assert np.abs(shown[: upright.shape[0], : upright.shape[1]].astype(int) - upright).mean() < 8
    out = searchable_pdf([data], ReadResult(pages=[_ocr_result(result)]), pdf_dpi=DPI)
    page = pdfium.PdfDocument(out)[0]
    textpage = page.get_textpage()
    assert textpage.get_text_range().split() == result.text.split()
    word = result.lines[0].words[1]  # "BOY"
    start, count = textpage.search(word.text, match_whole_word=True).get_next()
    boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
    # /Rotate 90: the shown x runs up the page's own y axis, the shown y along its x axis.
    scale = 72 / DPI
    bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
    left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
    (x0, y0), (x1, y1) = word.box[0], word.box[2]
    assert abs(bottom - x0 * scale) < 1.5 and abs(top - x1 * scale) < 1.5
    assert left <= y1 * scale and right >= y0 * scale


def test_force_ocr_rasterises_the_page_and_lays_the_ocr_text_over_it() -> None:
    data = _vector_pdf()
    line = OcrLine(
        text="Hello vector world",
        box=[(55, 130), (330, 130), (330, 160), (55, 160)],
        confidence=0.9,
    )
    ocr = PageResult(
        source="v.pdf",
        width=round(300 * DPI / 72),
        height=round(200 * DPI / 72),
        engine="rapidocr",
        lines=[line],
        text=line.text,
    )
    out = searchable_pdf([data], ReadResult(pages=[ocr]), pdf_dpi=DPI, force_ocr=True)
    with pikepdf.open(io.BytesIO(out)) as document:
        page = document.pages[0]
        (picture,) = page.get_images().values()
        assert abs(int(picture.Width) - ocr.width) <= 1  # the page rendered at the read's DPI
        assert "/F1" not in page.Resources.get("/Font", {})  # the vector text is gone
        assert str(document.docinfo["/Title"]) == "Quarterly report"
    text = pdfium.PdfDocument(out)[0].get_textpage().get_text_range()
    assert text.strip() == "Hello vector world"


def test_a_page_that_failed_to_read_is_kept_without_a_layer() -> None:
    data = _vector_pdf()
    failed = PageResult.model_validate(
        {"source": "v.pdf", "error": {"type": "InvalidImageError", "code": "x", "message": "boom"}}
    )
    out = searchable_pdf([data], ReadResult(pages=[failed]), pdf_dpi=DPI)
    assert pdfium.PdfDocument(out)[0].get_textpage().get_text_range().strip() == (
        "Hello vector world"
    )


def test_a_hybrid_page_gains_only_the_text_of_its_pictures() -> None:
    data = _vector_pdf()
    typed = _text_layer_result("Hello vector world")
    photo_line = OcrLine(
        text="TOTAL 16.50",
        box=[(60, 400), (300, 400), (300, 440), (60, 440)],
        confidence=0.9,
        engine="rapidocr",
    )
    hybrid = typed.model_copy(
        update={"engine": "pdf-text+rapidocr", "lines": [*typed.lines, photo_line]}
    )
    out = searchable_pdf([data], ReadResult(pages=[hybrid]), pdf_dpi=DPI)
    text = pdfium.PdfDocument(out)[0].get_textpage().get_text_range()
    assert text.split() == ["Hello", "vector", "world", "TOTAL", "16.50"]  # nothing doubled


def test_pdfa_refuses_what_the_validator_does_not_approve_in_one_line() -> None:
    """reportlab writes a page transition (/Trans) that pikepdf's PDF/A allowlist does not know."""
    import pytest

    from vlocr.errors import UnsupportedFormatError

    result = ReadResult(pages=[_text_layer_result("Hello vector world")])
    with pytest.raises(UnsupportedFormatError) as caught:
        searchable_pdf([_vector_pdf()], result, pdf_dpi=DPI, pdfa=True)
    assert "PDF/A-2b" in caught.value.message and "\n" not in caught.value.message


def test_pdf_and_image_inputs_make_one_document_with_the_pdf_metadata() -> None:
    image, scanned = page_with_text(TEXT[:1])
    png = io.BytesIO()
    image.save(png, format="PNG")
    typed = _text_layer_result("Hello vector world")
    for sources, pages in (
        ([_vector_pdf(), png.getvalue()], [typed, scanned]),
        ([png.getvalue(), _vector_pdf()], [scanned, typed]),
    ):
        out = searchable_pdf(sources, ReadResult(pages=pages), pdf_dpi=DPI)
        with pikepdf.open(io.BytesIO(out)) as document:
            assert len(document.pages) == 2
            assert str(document.docinfo["/Title"]) == "Quarterly report"
        texts = [p.get_textpage().get_text_range().split() for p in pdfium.PdfDocument(out)]
        assert texts == [p.text.split() for p in pages]
