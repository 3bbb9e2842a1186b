"""Page images for the searchable PDF, embedded as they came whenever PDF can hold them.

- a JPEG (grey or colour) is passed through byte for byte (``DCTDecode``): no second lossy pass;
- a PNG (grey, colour or palette, any bit depth, not interlaced, no transparency) keeps its
  compressed pixel data: PDF's ``FlateDecode`` with the PNG predictor reads it as is, as img2pdf
  does; a 1-bit scan stays 1-bit, re-coded as CCITT Group 4 when that is smaller (lossless; a
  third smaller on the dev data's book scans);
- anything else (TIFF, BMP, WebP, GIF, transparent PNG, every page after a file's first) is taken
  from the decoded page and written losslessly: a black-and-white page as 1-bit CCITT Group 4
  (or 1-bit Flate when smaller or when Pillow lacks libtiff), a grey page as 8-bit grey, else RGB.

A JPEG or PNG whose EXIF orientation is not "upright" is placed with the matching rotation or
mirror matrix, so the stored pixels stay untouched and the page still shows what OCR saw.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pikepdf
from PIL import Image

#: Resolution assumed for images that carry none (or an implausible one, like a phone's 72).
DEFAULT_IMAGE_DPI = 300
_DPI_RANGE = (100.0, 1200.0)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class PlacedImage:
    """An image XObject and how it lies on its page (``matrix`` maps the unit square to points,
    given the page's width and height in points)."""

    xobject: pikepdf.Stream
    width: int  # displayed pixels (after the EXIF orientation)
    height: int
    dpi: float
    matrix: Callable[[float, float], list[float]]
    how: str  # "jpeg", "png", "ccitt", "flate-1bit", "flate-gray", "flate-rgb"


def _upright_matrix(orientation: int) -> Callable[[float, float], list[float]]:
    """The ``cm`` matrix that shows stored pixels as EXIF ``orientation`` says they should look."""

    # Stored (u right, t down) -> displayed (U, T), both normalised to 0..1.
    flips: dict[int, Callable[[float, float], tuple[float, float]]] = {
        2: lambda u, t: (1 - u, t),
        3: lambda u, t: (1 - u, 1 - t),
        4: lambda u, t: (u, 1 - t),
        5: lambda u, t: (t, u),
        6: lambda u, t: (1 - t, u),
        7: lambda u, t: (1 - t, 1 - u),
        8: lambda u, t: (t, 1 - u),
    }
    flip = flips.get(orientation, lambda u, t: (u, t))

    def matrix(width_pt: float, height_pt: float) -> list[float]:
        def to_page(a: float, b: float) -> tuple[float, float]:
            # PDF image space: a right, b up, the first stored row at b = 1.
            big_u, big_t = flip(a, 1 - b)
            return big_u * width_pt, (1 - big_t) * height_pt

        (x0, y0), (x1, y1), (x2, y2) = to_page(0, 0), to_page(1, 0), to_page(0, 1)
        return [x1 - x0, y1 - y0, x2 - x0, y2 - y0, x0, y0]

    return matrix


def _dpi(info: dict) -> float:  # type: ignore[type-arg]
    dpi = info.get("dpi")
    try:
        x = float(dpi[0])  # type: ignore[index]
    except (TypeError, ValueError, IndexError):
        return DEFAULT_IMAGE_DPI
    if abs(x - round(x)) < 0.01:  # PNG stores dots per metre: 300 dpi reads back as 299.9994
        x = float(round(x))
    return x if _DPI_RANGE[0] <= x <= _DPI_RANGE[1] else DEFAULT_IMAGE_DPI


def embed_first_frame(pdf: pikepdf.Pdf, data: bytes) -> PlacedImage | None:
    """The file's first image as it came (JPEG or PNG), or None when it must be re-encoded."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, mode, info = image.format, image.mode, dict(image.info)
            orientation = int(image.getexif().get(0x0112, 1) or 1)
            size = image.size
    except (OSError, ValueError, SyntaxError):
        return None
    if orientation not in range(1, 9):
        orientation = 1
    stored: pikepdf.Stream | None = None
    how = ""
    if fmt == "JPEG" and mode in ("L", "RGB"):
        stored = pikepdf.Stream(pdf, data)
        stored.Filter = pikepdf.Name.DCTDecode
        stored.BitsPerComponent = 8
        stored.ColorSpace = pikepdf.Name.DeviceGray if mode == "L" else pikepdf.Name.DeviceRGB
        how = "jpeg"
    elif fmt == "PNG":
        stored = _png_passthrough(pdf, data)
        how = "png"
        if stored is not None and mode == "1":
            # A black-and-white scan: CCITT G4 is often a third smaller than PNG's deflate.
            g4 = _ccitt(pdf, _white(data))
            if g4 is not None and len(g4.read_raw_bytes()) < len(stored.read_raw_bytes()):
                stored, how = g4, "ccitt"
    if stored is None:
        return None
    stored.Type, stored.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    stored.Width, stored.Height = size
    width, height = size if orientation < 5 else size[::-1]
    return PlacedImage(stored, width, height, _dpi(info), _upright_matrix(orientation), how)


def _png_chunks(data: bytes) -> dict[bytes, list[bytes]]:
    chunks: dict[bytes, list[bytes]] = {}
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunks.setdefault(kind, []).append(data[pos + 8 : pos + 8 + length])
        pos += 12 + length
        if kind == b"IEND":
            break
    return chunks


def _png_passthrough(pdf: pikepdf.Pdf, data: bytes) -> pikepdf.Stream | None:
    """A PNG's zlib data as a PDF image (``FlateDecode``, PNG predictor), or None when PDF cannot
    show it unchanged (interlaced, alpha or transparency)."""
    if not data.startswith(_PNG_SIGNATURE):
        return None
    chunks = _png_chunks(data)
    if not chunks.get(b"IHDR") or not chunks.get(b"IDAT") or b"tRNS" in chunks:
        return None
    width, _height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"][0])
    if interlace or colour not in (0, 2, 3):
        return None
    if colour == 3:
        palette = chunks.get(b"PLTE", [b""])[0]
        if not palette:
            return None
        space: object = pikepdf.Array(
            [pikepdf.Name.Indexed, pikepdf.Name.DeviceRGB, len(palette) // 3 - 1, palette]
        )
    else:
        space = pikepdf.Name.DeviceGray if colour == 0 else pikepdf.Name.DeviceRGB
    colours = 3 if colour == 2 else 1
    stream = pikepdf.Stream(pdf, b"".join(chunks[b"IDAT"]))
    stream.Filter = pikepdf.Name.FlateDecode
    stream.DecodeParms = pikepdf.Dictionary(
        Predictor=15, Colors=colours, BitsPerComponent=depth, Columns=width
    )
    stream.BitsPerComponent = depth
    stream.ColorSpace = space
    return stream


def embed_pixels(pdf: pikepdf.Pdf, rgb: np.ndarray, dpi: float) -> PlacedImage:
    """A decoded page written losslessly, as compact as its content allows."""
    height, width = rgb.shape[:2]
    grey = rgb[..., 0]
    is_grey = bool(np.array_equal(grey, rgb[..., 1]) and np.array_equal(grey, rgb[..., 2]))
    if is_grey and not np.any((grey != 0) & (grey != 255)):
        stream, how = _bilevel(pdf, grey > 127)
    else:
        pixels = grey if is_grey else rgb
        stream = pikepdf.Stream(pdf, zlib.compress(np.ascontiguousarray(pixels).tobytes(), 9))
        stream.Filter = pikepdf.Name.FlateDecode
        stream.BitsPerComponent = 8
        stream.ColorSpace = pikepdf.Name.DeviceGray if is_grey else pikepdf.Name.DeviceRGB
        how = "flate-gray" if is_grey else "flate-rgb"
    stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    stream.Width, stream.Height = width, height
    return PlacedImage(stream, width, height, dpi, _upright_matrix(1), how)


def _white(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("L")) > 127


def _ccitt(pdf: pikepdf.Pdf, white: np.ndarray) -> pikepdf.Stream | None:
    """A bilevel image as CCITT Group 4 (``CCITTFaxDecode``), or None without libtiff."""
    g4 = _group4(white)
    if g4 is None:
        return None
    data, black_is_1 = g4
    height, width = white.shape
    stream = pikepdf.Stream(pdf, data)
    stream.Filter = pikepdf.Name.CCITTFaxDecode
    stream.DecodeParms = pikepdf.Dictionary(K=-1, Columns=width, Rows=height, BlackIs1=black_is_1)
    stream.BitsPerComponent = 1
    stream.ColorSpace = pikepdf.Name.DeviceGray
    return stream


def _bilevel(pdf: pikepdf.Pdf, white: np.ndarray) -> tuple[pikepdf.Stream, str]:
    """A black-and-white page: CCITT G4 or 1-bit Flate, whichever is smaller."""
    packed = zlib.compress(np.packbits(white, axis=1).tobytes(), 9)
    g4 = _ccitt(pdf, white)
    if g4 is not None and len(g4.read_raw_bytes()) < len(packed):
        return g4, "ccitt"
    stream = pikepdf.Stream(pdf, packed)
    stream.Filter = pikepdf.Name.FlateDecode
    stream.BitsPerComponent = 1
    stream.ColorSpace = pikepdf.Name.DeviceGray
    return stream, "flate-1bit"


def _group4(white: np.ndarray) -> tuple[bytes, bool] | None:
    """CCITT Group 4 data of a bilevel page through Pillow's libtiff, in one strip."""
    from PIL import features

    if not features.check("libtiff"):
        return None
    height = white.shape[0]
    buffer = io.BytesIO()
    picture = Image.fromarray(white.astype(np.uint8) * 255).convert("1")
    picture.save(buffer, format="TIFF", compression="group4", strip_size=1 << 30)
    with Image.open(io.BytesIO(buffer.getvalue())) as tiff:
        tags = tiff.tag_v2  # type: ignore[attr-defined]
        offsets, counts = tags.get(273), tags.get(279)
        photometric = tags.get(262, 0)
        rows = tags.get(278, height)
    if offsets is None or counts is None or len(offsets) != 1 or rows < height:
        return None
    raw = buffer.getvalue()[offsets[0] : offsets[0] + counts[0]]
    # The code's "white" runs are 0 bits: black pixels when the TIFF says BlackIsZero (1), and
    # PDF's decoder then needs BlackIs1 to show them black.
    return raw, photometric == 1
