"""Recognise content from its first bytes, never from a file name.

``sniff_format`` names the accepted formats; ``describe_content`` names common things users send
by mistake (HEIC photos, SVG, ZIP, text) so the error can say what the file really is.
"""

from __future__ import annotations

ACCEPTED_FORMATS: tuple[str, ...] = ("jpeg", "png", "bmp", "webp", "tiff", "gif", "pdf")
ACCEPTED_LABEL = "JPEG, PNG, BMP, WebP, TIFF, GIF, PDF"

_PDF_SEARCH_BYTES = 1024

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_VIDEO_BRANDS = {
    b"isom",
    b"iso2",
    b"mp41",
    b"mp42",
    b"M4V ",
    b"M4A ",
    b"qt  ",
    b"3gp4",
    b"3gp5",
    b"dash",
}


def sniff_format(data: bytes) -> str | None:
    """Return one of ``ACCEPTED_FORMATS`` for the leading bytes of ``data``, or None."""
    head = bytes(data[:32])
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "tiff"
    if head.startswith(b"BM") and len(head) >= 18 and _plausible_bmp(head):
        return "bmp"
    if b"%PDF-" in bytes(data[:_PDF_SEARCH_BYTES]):
        return "pdf"
    return None


def _plausible_bmp(head: bytes) -> bool:
    """'BM' alone is too weak (text can start with it): also require a known DIB header size."""
    dib_size = int.from_bytes(head[14:18], "little")
    return dib_size in (12, 16, 40, 52, 56, 64, 108, 124)


def describe_content(data: bytes) -> str | None:
    """Name what an unaccepted payload looks like ("HEIC image", "SVG image", "ZIP archive", ...)."""
    head = bytes(data[:64])
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "HEIC/HEIF image"
        if brand in _AVIF_BRANDS:
            return "AVIF image"
        if brand in _VIDEO_BRANDS:
            return "MP4/QuickTime video"
        return "ISO media file"
    if head.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n") or head.startswith(b"\xff\x4f\xff\x51"):
        return "JPEG 2000 image"
    if head.startswith(b"\xff\x0a") or head.startswith(b"\x00\x00\x00\x0cJXL "):
        return "JPEG XL image"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _describe_zip(bytes(data[:4096]))
    if head.startswith(b"8BPS"):
        return "Photoshop PSD file"
    if head.startswith(b"\x00\x00\x01\x00"):
        return "ICO icon"
    if head.startswith(b"\x1f\x8b"):
        return "gzip archive"
    if head.startswith(b"Rar!\x1a\x07"):
        return "RAR archive"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7-Zip archive"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "legacy Microsoft Office document"
    if head.startswith(b"\x7fELF") or head.startswith(b"MZ"):
        return "executable program"
    if head.startswith(b"%!PS"):
        return "PostScript/EPS file"
    text = _as_text(bytes(data[:4096]))
    if text is not None:
        lowered = text.lstrip().lower()
        if "<svg" in lowered:
            return "SVG image"
        if lowered.startswith(("<!doctype html", "<html")):
            return "HTML page"
        if lowered.startswith("<?xml"):
            return "XML file"
        if lowered.startswith(("{", "[")):
            return "JSON/text file"
        return "text file"
    return None


def _describe_zip(head: bytes) -> str:
    if b"word/" in head:
        return "Word document (ZIP)"
    if b"xl/" in head:
        return "Excel workbook (ZIP)"
    if b"ppt/" in head:
        return "PowerPoint presentation (ZIP)"
    return "ZIP archive"


def _as_text(chunk: bytes) -> str | None:
    """Decode ``chunk`` as UTF-8/UTF-16 text when it has no control bytes, else None."""
    if not chunk:
        return None
    if chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return chunk.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(chunk) - 4:
            return None
        text = chunk[: exc.start].decode("utf-8")
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return text if bad == 0 else None
