"""The searchable PDF: page images with an invisible text layer that reads back as the OCR text."""

from __future__ import annotations

import pypdfium2 as pdfium

from vlocr.export.searchable_pdf import to_searchable_pdf


def _squash(text: str) -> str:
    return "".join(text.split())


def test_text_layer_reads_back_as_the_ocr_text_on_every_page(read_pages) -> None:
    data = to_searchable_pdf(read_pages, dpi=150)
    document = pdfium.PdfDocument(data)
    assert len(document) == len(read_pages)
    for index, (image, result) in enumerate(read_pages):
        page = document[index]
        width_pt, height_pt = page.get_size()
        # 150 dpi: the page's physical size follows its pixels.
        assert abs(width_pt - image.shape[1] * 72 / 150) < 1
        assert abs(height_pt - image.shape[0] * 72 / 150) < 1
        text = page.get_textpage().get_text_range()
        assert _squash(text) == _squash(result.text)


def test_the_text_is_invisible_and_the_image_is_the_page(read_pages) -> None:
    image, result = read_pages[0]
    document = pdfium.PdfDocument(to_searchable_pdf([(image, result)], dpi=72))
    rendered = document[0].render(scale=1).to_numpy()[..., :3]
    # Same size as the source and the same pixels up to JPEG noise: no visible text was drawn.
    assert rendered.shape[:2] == image.shape[:2]
    assert abs(rendered.astype(int) - image.astype(int)).mean() < 4


def test_words_are_placed_over_their_pixels(read_pages) -> None:
    image, result = read_pages[0]
    document = pdfium.PdfDocument(to_searchable_pdf([(image, result)], dpi=72))
    textpage = document[0].get_textpage()
    height = image.shape[0]
    word = result.lines[1].text.split()[0]
    found = textpage.search(word).get_next()
    assert found is not None
    left, bottom, right, top = textpage.get_charbox(found[0])
    x0, y0, x1, y1 = result.lines[1].bbox
    # The first character's box lies within the line's box (PDF y runs upwards).
    assert x0 - 3 <= left <= x1 and y0 - 3 <= height - top <= y1 + 3
