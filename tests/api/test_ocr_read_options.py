"""POST /v1/ocr takes every option and format of `vlocr read` (issue 20: lang and force_ocr were
refused with 422, and hOCR/ALTO/PDF could not be asked for)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from api_helpers import b64


def _ocr(server, **fields) -> httpx.Response:  # type: ignore[no-untyped-def]
    return httpx.post(f"{server.url}/v1/ocr", json=fields, timeout=60)


def test_lang_picks_the_engine_and_unknown_codes_are_refused(main_server, receipt_png) -> None:  # type: ignore[no-untyped-def]
    r = _ocr(main_server, image=b64(receipt_png), lang="en", preprocess="none")
    assert r.status_code == 200, r.text
    assert r.json()["pages"][0]["engine"] == "rapidocr"
    assert "TOTAL" in r.json()["pages"][0]["text"]
    r = _ocr(main_server, image=b64(receipt_png), lang="xx")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_option"
    assert "unknown language xx" in r.json()["error"]["message"]


def test_force_ocr_and_page_on_a_digital_pdf(main_server, pdf_two_pages: Path) -> None:  # type: ignore[no-untyped-def]
    data = b64(pdf_two_pages.read_bytes())
    layer = _ocr(main_server, image=data, pdf_dpi=100, page=1).json()["pages"]
    assert [p["engine"] for p in layer] == ["pdf-text"]
    forced = _ocr(main_server, image=data, pdf_dpi=100, page=1, force_ocr=True, preprocess="none")
    assert forced.status_code == 200, forced.text
    assert forced.json()["pages"][0]["engine"] == "rapidocr"
    second = _ocr(main_server, image=data, pdf_dpi=100, page=2, preprocess="none").json()["pages"]
    assert [(p["page"], p["page_count"]) for p in second] == [(2, 2)]
    assert "16.50" in second[0]["text"]
    past = _ocr(main_server, image=data, page=3)
    assert past.status_code == 422 and "has 2 page(s)" in past.json()["error"]["message"]


@pytest.mark.parametrize(
    ("fmt", "media", "needle"),
    [
        ("text", "text/plain", b"TOTAL"),
        ("markdown", "text/markdown", b"TOTAL"),  # the document
        ("lines", "text/markdown", b"## <image>"),  # the line table, one heading per page
        ("hocr", "text/html", b"ocr_line"),
        ("alto", "application/xml", b"<alto"),
        ("pdf", "application/pdf", b"%PDF"),
    ],
)
def test_each_format_is_the_body_with_its_media_type(
    main_server, receipt_png: bytes, fmt: str, media: str, needle: bytes
) -> None:  # type: ignore[no-untyped-def]
    r = _ocr(main_server, image=b64(receipt_png), format=fmt, preprocess="none")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert needle in r.content


def test_multipart_takes_the_same_options(main_server, pdf_two_pages: Path) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(
        f"{main_server.url}/v1/ocr",
        files={"file": ("two.pdf", pdf_two_pages.read_bytes(), "application/pdf")},
        data={"lang": "en", "page": "1", "format": "text", "pdf_dpi": "100"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    assert r.text == "INVOICE 42\nPaid by card\n"
