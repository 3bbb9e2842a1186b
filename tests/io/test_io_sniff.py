from __future__ import annotations

import io

import pytest
from PIL import Image

from vlocr.io import ACCEPTED_FORMATS, describe_content, sniff_format


@pytest.mark.parametrize(
    ("pil_format", "expected"),
    [
        ("JPEG", "jpeg"),
        ("PNG", "png"),
        ("BMP", "bmp"),
        ("WEBP", "webp"),
        ("TIFF", "tiff"),
        ("GIF", "gif"),
        ("PDF", "pdf"),
    ],
)
def test_sniff_recognises_each_accepted_format(pil_format: str, expected: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, pil_format)
    assert sniff_format(buffer.getvalue()) == expected
    assert expected in ACCEPTED_FORMATS


def test_sniff_ignores_names_and_rejects_lookalikes() -> None:
    assert sniff_format(b"") is None
    assert sniff_format(b"hello, this is text") is None
    assert sniff_format(b"BMW parts list\n" + b"x" * 40) is None  # "BM" prefix alone is not a BMP
    assert sniff_format(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None  # RIFF but audio
    assert sniff_format(b"\n\n%PDF-1.7\n") == "pdf"  # junk before the PDF header is allowed


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC/HEIF image"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1", "AVIF image"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG image"),
        (b"<svg width='10'></svg>", "SVG image"),
        (b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml", "Word document (ZIP)"),
        (b"PK\x03\x04" + b"\x00" * 40, "ZIP archive"),
        (b"<!DOCTYPE html><html></html>", "HTML page"),
        (b"Total: 12.50\nThank you\n", "text file"),
        ("收据 合计 12.50\n".encode(), "text file"),
        (b"8BPS\x00\x01", "Photoshop PSD file"),
        (b"\x1f\x8b\x08\x00", "gzip archive"),
    ],
)
def test_describe_content_names_common_mistakes(data: bytes, expected: str) -> None:
    assert sniff_format(data) is None
    assert describe_content(data) == expected


def test_describe_content_gives_up_on_random_binary() -> None:
    assert describe_content(bytes(range(256))) is None
