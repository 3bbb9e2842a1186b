"""A searchable PDF the way OCRmyPDF makes one, from the inputs and their read result.

- **Images** become pages that hold the image as it came (see ``pdf_images``: a JPEG byte for
  byte, a PNG's compressed data, other formats losslessly, a black-and-white page as 1-bit), sized
  by the image's own DPI (300 when it has none), with the OCR text as an invisible layer.
- **PDFs** keep their pages, fonts, vector content, annotations and metadata (title, author, ...):
  only an invisible layer is added, and only with the lines that were OCRed. A page read from its
  own text layer gets nothing (OCRmyPDF's ``--skip-text``); a page with pictures OCRed inside it
  (``engine`` of those lines not ``pdf-text``) gets a layer over the pictures only. With
  ``force_ocr`` every page is rasterised at the read's DPI and replaced by its image plus the OCR
  layer (OCRmyPDF's ``--force-ocr``: vector text becomes pixels).

The file depends only on the inputs and the result (no dates, a deterministic ``/ID``), so
``vlocr pdf`` and ``vlocr read --format pdf`` write the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pikepdf

from vlocr.errors import InvalidImageError, UnsupportedFormatError
from vlocr.export.pdf_images import (
    DEFAULT_IMAGE_DPI,
    PlacedImage,
    embed_first_frame,
    embed_pixels,
)
from vlocr.export.pdf_text_layer import LayerFont, layer_content
from vlocr.results import OcrLine, PageResult, ReadResult

__all__ = ["DEFAULT_IMAGE_DPI", "searchable_pdf"]

PDF_TEXT = "pdf-text"  # the engine name of lines read from a PDF's own text layer

Source = str | Path | bytes


def _bytes(source: Source) -> bytes:
    return bytes(source) if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()


def group_pages(result: ReadResult, count: int) -> list[list[PageResult]]:
    """Split the result's pages by input: each input's pages start at page 1 (a failed input is
    one error page numbered 1), and ``read`` keeps inputs in order."""
    groups: list[list[PageResult]] = []
    for page in result.pages:
        if not groups or page.page == 1:
            groups.append([])
        groups[-1].append(page)
    if len(groups) != count:
        raise InvalidImageError(
            f"the result has pages of {len(groups)} inputs, not {count}",
            "pass the same inputs that were read",
        )
    return groups


def _ocr_lines(page: PageResult) -> list[OcrLine]:
    """The lines that need an invisible layer: those that were recognised, not the PDF's own."""
    return [ln for ln in page.lines if (ln.engine or page.engine) != PDF_TEXT]


def searchable_pdf(
    sources: Sequence[Source],
    result: ReadResult,
    *,
    pdf_dpi: int,
    force_ocr: bool = False,
    pdfa: bool = False,
) -> bytes:
    """One PDF of every input in order (pages that failed to read are left out for images and
    kept without a layer for PDFs; an input that cannot be opened at all is left out). ``pdf_dpi``: the resolution PDF pages were read at.
    ``pdfa``: write PDF/A-2b (see :func:`_save_pdfa`)."""
    from vlocr import __version__
    from vlocr.io.sniff import sniff_format

    out: pikepdf.Pdf | None = None
    first_pdf: pikepdf.Pdf | None = None
    image_font: LayerFont | None = None
    opened: list[pikepdf.Pdf] = []
    try:
        for source, pages in zip(sources, group_pages(result, len(sources)), strict=True):
            data = _bytes(source)
            if sniff_format(data) == "pdf":
                try:
                    document = _layered_pdf(data, pages, pdf_dpi=pdf_dpi, force_ocr=force_ocr)
                except InvalidImageError:
                    if any(page.ok for page in pages):
                        raise
                    continue  # unreadable here as it was for the read, which reported it
                opened.append(document)
                first_pdf = first_pdf or document
                if out is None:
                    out = document  # outlines, forms, structure and metadata stay as they are
                else:
                    out.pages.extend(document.pages)
            else:
                if out is None:
                    out = pikepdf.new()
                    out.docinfo[pikepdf.Name.Producer] = f"vlocr {__version__} (pikepdf)"
                    out.docinfo[pikepdf.Name.Creator] = f"vlocr {__version__}"
                if image_font is None:
                    image_font = LayerFont(out)
                _add_image_pages(out, image_font, data, pages)
        if out is None or len(out.pages) == 0:
            raise InvalidImageError(
                "no page could be read, so there is no PDF to write", "check the inputs"
            )
        if image_font is not None:
            image_font.finish()
        if first_pdf is not None and first_pdf is not out:
            _copy_metadata(first_pdf, out)
        buffer = io.BytesIO()
        if pdfa:
            _save_pdfa(out, buffer)
        else:
            out.save(
                buffer,
                deterministic_id=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                compress_streams=True,
            )
        return buffer.getvalue()
    finally:
        for document in opened:
            document.close()
        if out is not None and all(out is not d for d in opened):
            out.close()


def _save_pdfa(out: pikepdf.Pdf, buffer: io.BytesIO) -> None:
    """Write PDF/A-2b with pikepdf's own PDF/A support (``pikepdf.pdfa``, as OCRmyPDF's
    Ghostscript-free path does): an sRGB output intent and PDF/A XMP metadata are added, the
    bytes written are validated, and nothing is re-encoded. A file the validator does not approve
    (an input PDF with fonts that are not embedded, or constructs it does not know) is refused
    with its first finding; there is no Ghostscript fallback."""
    from pikepdf import pdfa

    try:
        pdfa.save(out, buffer, "2b")
    except pdfa.PdfaError as exc:
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        detail = lines[1] if len(lines) > 1 else (lines[0] if lines else "not approved")
        raise UnsupportedFormatError(
            f"the PDF cannot be written as PDF/A-2b: {detail[:300]}",
            "drop --pdfa to write a regular searchable PDF",
        ) from None


def _copy_metadata(source: pikepdf.Pdf, out: pikepdf.Pdf) -> None:
    """The first PDF input's document information and XMP metadata (title, author, ...)."""
    if pikepdf.Name.Info in source.trailer:
        out.docinfo = out.copy_foreign(source.trailer.Info)  # type: ignore[assignment]
    if pikepdf.Name.Metadata in source.Root:
        out.Root.Metadata = out.copy_foreign(source.Root.Metadata)


# --- image inputs -------------------------------------------------------------------------------


def _add_image_pages(
    out: pikepdf.Pdf, font: LayerFont, data: bytes, pages: list[PageResult]
) -> None:
    read = [p for p in pages if p.ok]
    if not read:
        return
    placed = embed_first_frame(out, data) if read[0].page == 1 else None
    decoded = _decoded_pages(data) if placed is None or len(read) > 1 else None
    for page in read:
        image = placed if page.page == 1 and placed is not None else None
        if image is None:
            assert decoded is not None
            rgb = _page_image(decoded, page.page)
            image = embed_pixels(out, rgb, placed.dpi if placed else _file_dpi(data))
        _image_page(out, font, image, page)


def _file_dpi(data: bytes) -> float:
    from PIL import Image

    from vlocr.export.pdf_images import _dpi

    try:
        with Image.open(io.BytesIO(data)) as picture:
            return _dpi(dict(picture.info))
    except (OSError, ValueError, SyntaxError):
        return DEFAULT_IMAGE_DPI


def _decoded_pages(data: bytes) -> Iterator[tuple[int, np.ndarray]]:
    from vlocr.io import iter_pages

    for page in iter_pages(data, label="<pdf export>"):
        yield page.page, page.image


def _page_image(decoded: Iterator[tuple[int, np.ndarray]], number: int) -> np.ndarray:
    for index, image in decoded:
        if index == number:
            return image
    raise InvalidImageError(f"page {number} could not be decoded again", "re-read the input")


def _image_page(out: pikepdf.Pdf, font: LayerFont, image: PlacedImage, page: PageResult) -> None:
    width_pt = image.width * 72.0 / image.dpi
    height_pt = image.height * 72.0 / image.dpi
    matrix = " ".join(f"{v:.4f}" for v in image.matrix(width_pt, height_pt))
    content = f"q {matrix} cm /Im0 Do Q\n".encode()
    content += layer_content(
        page.lines,
        font=font,
        name="F0",
        page_width_pt=width_pt,
        page_height_pt=height_pt,
        image_width=page.width or image.width,
        image_height=page.height or image.height,
    )
    pdf_page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, round(width_pt, 3), round(height_pt, 3)],
        Resources=pikepdf.Dictionary(
            XObject=pikepdf.Dictionary(Im0=out.make_indirect(image.xobject)),
            Font=pikepdf.Dictionary(F0=font.obj),
        ),
        Contents=out.make_stream(content),
    )
    out.pages.append(pikepdf.Page(pdf_page))


# --- PDF inputs ---------------------------------------------------------------------------------


def _inherited(page: pikepdf.Page, key: str) -> object:
    node: pikepdf.Object | None = page.obj
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _display_frame(page: pikepdf.Page) -> tuple[float, float, list[float]]:
    """The page as shown (crop box, then ``/Rotate``): its width and height in points and the
    matrix from that upright, origin-bottom-left space to the page's own user space (the space
    PDFium renders and reads text in)."""
    box = _inherited(page, "/CropBox") or _inherited(page, "/MediaBox")
    x0, y0, x1, y1 = (float(v) for v in box)  # type: ignore[attr-defined]
    left, right, bottom, top = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    rotate = int(_inherited(page, "/Rotate") or 0) % 360  # type: ignore[call-overload]
    width, height = right - left, top - bottom
    if rotate == 90:
        return height, width, [0, 1, -1, 0, right, bottom]
    if rotate == 180:
        return width, height, [-1, 0, 0, -1, right, top]
    if rotate == 270:
        return height, width, [0, -1, 1, 0, left, top]
    return width, height, [1, 0, 0, 1, left, bottom]


def _layered_pdf(
    data: bytes, pages: list[PageResult], *, pdf_dpi: int, force_ocr: bool
) -> pikepdf.Pdf:
    try:
        document = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        raise InvalidImageError(
            f"the PDF cannot be rewritten: {str(exc).splitlines()[0][:200]}",
            "re-export it (print to PDF) and try again",
        ) from None
    font = LayerFont(document)
    rendered = _rendered_pages(data, pdf_dpi) if force_ocr else None
    for result in pages:
        if not result.ok or not 1 <= result.page <= len(document.pages):
            continue
        page = document.pages[result.page - 1]
        width_pt, height_pt, frame = _display_frame(page)
        lines = result.lines if force_ocr else _ocr_lines(result)
        layer = layer_content(
            lines,
            font=font,
            name="VlocrText",
            page_width_pt=width_pt,
            page_height_pt=height_pt,
            # The page was read rendered at pdf_dpi (PDFium rounds its last pixel up).
            image_width=width_pt * pdf_dpi / 72,
            image_height=height_pt * pdf_dpi / 72,
        )
        cm = " ".join(f"{v:g}" for v in frame)
        if rendered is not None:
            image = embed_pixels(document, _page_image(rendered, result.page), pdf_dpi)
            page.obj.Resources = pikepdf.Dictionary(
                XObject=pikepdf.Dictionary(VlocrPage=document.make_indirect(image.xobject)),
                Font=pikepdf.Dictionary(VlocrText=font.obj),
            )
            picture = f"q {width_pt:g} 0 0 {height_pt:g} 0 0 cm /VlocrPage Do Q\n".encode()
            page.obj.Contents = document.make_stream(
                f"q {cm} cm\n".encode() + picture + layer + b"Q\n"
            )
            continue
        if not layer:
            continue
        page.contents_coalesce()
        page.contents_add(document.make_stream(b"q\n"), prepend=True)
        page.contents_add(document.make_stream(b"\nQ\n"))
        name = page.add_resource(font.obj, pikepdf.Name.Font, prefix="VlocrText")
        layer = layer.replace(b"/VlocrText ", f"{name} ".encode())
        page.contents_add(document.make_stream(f"q {cm} cm\n".encode() + layer + b"Q\n"))
    font.finish()
    return document


def _rendered_pages(data: bytes, pdf_dpi: int) -> Iterator[tuple[int, np.ndarray]]:
    from vlocr.io import iter_pages

    for page in iter_pages(data, label="<pdf export>", pdf_dpi=pdf_dpi):
        yield page.page, page.image
