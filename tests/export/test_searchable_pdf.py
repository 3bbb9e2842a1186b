"""The searchable PDF of images, as OCRmyPDF makes one: each image embedded as it came (a JPEG
byte for byte, a 1-bit scan kept 1-bit and lossless), the PDF about the size of its images, and an
invisible text layer that reads back as the OCR text, each word over its pixels."""

from __future__ import annotations

import io

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFont

from vlocr.export.searchable_pdf import searchable_pdf
from vlocr.results import OcrLine, OcrWord, PageResult, ReadResult

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
TEXT = [
    "THE BOY APPRENTICED TO AN ENCHANTER",
    "city and toward the great market place. I would",
    "watch the throngs that moved about there, a king",
]


def _quad(box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = box
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def page_with_text(
    lines: list[str], *, font: str = DEJAVU, size: int = 34, width: int = 1400
) -> tuple[Image.Image, PageResult]:
    """A white page with ``lines`` drawn in black and the result an OCR engine would give for it:
    each word with the box PIL drew it in (made here: no engine needed)."""
    face = ImageFont.truetype(font, size)
    image = Image.new("RGB", (width, 80 + len(lines) * (size + 30)), "white")
    draw = ImageDraw.Draw(image)
    out = []
    for index, text in enumerate(lines):
        y, x = 40 + index * (size + 30), 60.0
        words = []
        for word in text.split():
            box = draw.textbbox((x, y), word, font=face)
            draw.text((x, y), word, font=face, fill="black")
            words.append(OcrWord(text=word, box=_quad(box), confidence=0.99))
            x = box[2] + draw.textlength(" ", font=face)
        boxes = [w.box for w in words]
        union = (
            min(b[0][0] for b in boxes),
            min(b[0][1] for b in boxes),
            max(b[2][0] for b in boxes),
            max(b[2][1] for b in boxes),
        )
        out.append(OcrLine(text=text, box=_quad(union), confidence=0.99, words=words))
    result = PageResult(
        source="page",
        width=image.width,
        height=image.height,
        engine="rapidocr",
        lines=out,
        text="\n".join(lines),
    )
    return image, result


def _saved(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _squash(text: str) -> str:
    return "".join(text.replace("\ufffe", "-").split())


def _embedded(pdf: bytes) -> tuple[dict[str, object], np.ndarray, bytes]:
    """The page's one image: its dictionary, its decoded pixels (grey) and its stored bytes."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        (image,) = document.pages[0].get_images().values()
        decoded = np.asarray(pikepdf.PdfImage(image).as_pil_image().convert("L"))
        return {str(k): v for k, v in image.items()}, decoded, image.read_raw_bytes()


def _rendered(pdf: bytes, dpi: float, shape: tuple[int, ...]) -> np.ndarray:
    """The first page rendered grey at ``dpi``, cut to ``shape`` (PDFium may round up a pixel)."""
    pixels = pdfium.PdfDocument(pdf)[0].render(scale=dpi / 72, grayscale=True).to_numpy()
    assert abs(pixels.shape[0] - shape[0]) <= 1 and abs(pixels.shape[1] - shape[1]) <= 1
    return pixels[: shape[0], : shape[1]].astype(int)


@pytest.fixture(scope="module")
def scan() -> tuple[bytes, PageResult, np.ndarray]:
    """A 1-bit book page (30 lines) saved as PNG at 300 dpi, as the dev data's book scans are."""
    image, result = page_with_text(TEXT * 10)
    bilevel = image.convert("L").point(lambda v: 255 if v > 128 else 0).convert("1")
    data = _saved(bilevel, "PNG", optimize=True, dpi=(300, 300))
    return data, result, np.asarray(bilevel.convert("L"))


def test_a_bilevel_scan_stays_1_bit_lossless_and_about_its_size(scan) -> None:
    data, result, pixels = scan
    pdf = searchable_pdf([data], ReadResult(pages=[result]), pdf_dpi=200)
    assert len(pdf) <= 1.5 * len(data)
    info, decoded, _ = _embedded(pdf)
    assert int(info["/BitsPerComponent"]) == 1
    assert np.array_equal(decoded, pixels)  # lossless
    # 300 dpi: the page is as large as the scan printed at its resolution.
    expected = (pixels.shape[1] * 72 / 300, pixels.shape[0] * 72 / 300)
    assert pdfium.PdfDocument(pdf)[0].get_size() == pytest.approx(expected, abs=0.01)
    # No visible text drawn: the page looks like the scan (up to the renderer's resampling).
    assert np.abs(_rendered(pdf, 300, pixels.shape) - pixels).mean() < 3


def test_a_jpeg_is_passed_through_byte_for_byte() -> None:
    image, result = page_with_text(TEXT)
    # A photo of the page: tinted, with sensor noise.
    noise = np.random.default_rng(0).normal(0, 12, (image.height, image.width, 3))
    photo = np.asarray(image) * np.array([0.8, 0.9, 1.0]) + noise
    data = _saved(Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)), "JPEG", quality=80)
    pdf = searchable_pdf([data], ReadResult(pages=[result]), pdf_dpi=200)
    assert len(pdf) <= 1.1 * len(data)
    info, _, stored = _embedded(pdf)
    assert info["/Filter"] == pikepdf.Name.DCTDecode
    assert stored == data


def test_an_exif_rotated_jpeg_is_shown_upright_without_re_encoding() -> None:
    image, result = page_with_text(TEXT[:2])
    # Stored turned a quarter, with the EXIF tag that says "turn me back" (orientation 6).
    stored = image.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    data = _saved(stored, "JPEG", quality=90, exif=exif, dpi=(300, 300))
    pdf = searchable_pdf([data], ReadResult(pages=[result]), pdf_dpi=200)
    assert _embedded(pdf)[2] == data
    upright = np.asarray(image.convert("L"), dtype=int)
    assert np.abs(_rendered(pdf, 300, upright.shape) - upright).mean() < 6


def test_other_formats_are_lossless_and_a_black_and_white_page_is_1_bit() -> None:
    image, result = page_with_text(TEXT[:2])
    for mode, bits in (("1", 1), ("L", 8), ("RGB", 8)):
        picture = image.convert(mode)
        if mode == "RGB":
            picture = Image.fromarray(np.asarray(picture) // 2 + np.uint8([60, 0, 90]))
        data = _saved(picture, "TIFF")
        pdf = searchable_pdf([data], ReadResult(pages=[result]), pdf_dpi=200)
        info, _, _ = _embedded(pdf)
        assert int(info["/BitsPerComponent"]) == bits, mode
        with pikepdf.open(io.BytesIO(pdf)) as document:
            (image_obj,) = document.pages[0].get_images().values()
            decoded = pikepdf.PdfImage(image_obj).as_pil_image().convert("RGB")
        assert np.array_equal(np.asarray(decoded), np.asarray(picture.convert("RGB"))), mode


def test_text_layer_reads_back_with_each_word_over_its_pixels() -> None:
    image, result = page_with_text(TEXT)
    data = _saved(image, "PNG", dpi=(300, 300))
    pdf = searchable_pdf([data], ReadResult(pages=[result]), pdf_dpi=200)
    page = pdfium.PdfDocument(pdf)[0]
    textpage = page.get_textpage()
    assert textpage.get_text_range().split() == result.text.split()
    scale = 72 / 300
    height_pt = page.get_size()[1]
    words = result.text.split()
    for line in result.lines:
        for word in line.words or []:
            if words.count(word.text) > 1:
                continue
            found = textpage.search(word.text, match_whole_word=True).get_next()
            assert found is not None, word.text
            start, count = found
            boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
            left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
            bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
            x0, y0, x1, y1 = (v * scale for v in (*word.box[0], *word.box[2]))
            # The extracted box covers the word's box, within a point.
            assert left == pytest.approx(x0, abs=1) and right == pytest.approx(x1, abs=1)
            assert height_pt - top <= y0 + 1 and height_pt - bottom >= y1 - 1


def test_cjk_text_reads_back() -> None:
    image, result = page_with_text(["合计金额 壹仟元整", "영업시간 ありがとう"], font=CJK_FONT)
    data = _saved(image, "PNG")
    pdf = searchable_pdf([data], ReadResult(pages=[result]), pdf_dpi=200)
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert _squash(text) == _squash(result.text)


def test_several_images_and_frames_make_one_page_each(scan) -> None:
    data, result, _ = scan
    image, second = page_with_text(["Second page"])
    frames = _saved(image.convert("L"), "TIFF", save_all=True, append_images=[image.convert("L")])
    pages = [result, second, second.model_copy(update={"page": 2, "page_count": 2})]
    pdf = searchable_pdf([data, frames], ReadResult(pages=pages), pdf_dpi=200)
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 3
    texts = [_squash(document[i].get_textpage().get_text_range()) for i in range(3)]
    assert texts == [_squash(result.text), "Secondpage", "Secondpage"]


def test_pdfa_is_written_validated_and_keeps_the_jpeg() -> None:
    image, result = page_with_text(TEXT)
    data = _saved(image, "JPEG", quality=85)
    pdf = searchable_pdf([data], ReadResult(pages=[result]), pdf_dpi=200, pdfa=True)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert document.open_metadata().pdfa_status == "2B"
        assert "/OutputIntents" in document.Root
        (image_obj,) = document.pages[0].get_images().values()
        assert image_obj.read_raw_bytes() == data
    from pikepdf import pdfa

    assert pdfa.validate_written(io.BytesIO(pdf), "2b").passed
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert text.split() == result.text.split()


def test_png_data_is_passed_through_for_grey_colour_and_palette() -> None:
    image, result = page_with_text(TEXT[:2])
    tinted = Image.fromarray((np.asarray(image) * np.array([0.6, 0.8, 1.0])).astype(np.uint8))
    for picture in (image.convert("L"), tinted, tinted.quantize(16)):
        data = _saved(picture, "PNG")
        pdf = searchable_pdf([data], ReadResult(pages=[result]), pdf_dpi=200)
        assert len(pdf) <= len(data) + 4096, picture.mode
        with pikepdf.open(io.BytesIO(pdf)) as document:
            (image_obj,) = document.pages[0].get_images().values()
            assert image_obj.Filter == pikepdf.Name.FlateDecode
            decoded = pikepdf.PdfImage(image_obj).as_pil_image().convert("RGB")
        expected = np.asarray(picture.convert("RGB"))
        assert np.array_equal(np.asarray(decoded), expected), picture.mode


def test_vlocr_reads_its_own_searchable_pdf_from_the_layer_without_ocr(scan) -> None:
    """The scan under the layer is a picture the layer already writes on: not OCRed again."""
    import vlocr

    data, result, _ = scan
    pdf = searchable_pdf([data], ReadResult(pages=[result]), pdf_dpi=200)
    page = vlocr.read(pdf, pdf_dpi=100).pages[0]
    assert page.engine == "pdf-text"
    assert page.text.split() == result.text.split()
    assert "ocr_pictures" not in page.timings_ms


def test_an_input_that_failed_entirely_is_left_out(scan) -> None:
    data, result, _ = scan
    failed = PageResult.model_validate(
        {"source": "x", "error": {"type": "InvalidImageError", "code": "x", "message": "bad"}}
    )
    pages = [failed, result]
    pdf = searchable_pdf([b"%PDF-1.4 truncated", data], ReadResult(pages=pages), pdf_dpi=200)
    assert len(pdfium.PdfDocument(pdf)) == 1
