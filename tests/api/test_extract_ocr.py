"""``POST /v1/extract`` with ``engine: ocr``: fields from OCR alone on a server with no VLM."""

from __future__ import annotations

import httpx
from api_helpers import b64


def test_extract_ocr_needs_no_vlm_and_returns_boxes(main_server, receipt_png: bytes) -> None:
    body = {"image": b64(receipt_png), "schema": "receipt", "engine": "ocr"}
    r = httpx.post(f"{main_server.url}/v1/extract", json=body, timeout=60)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["engine"] == "ocr" and out["valid"]
    assert out["data"]["total"] == 16.5 and out["data"]["merchant"] == "GROCERY MART"
    total = out["fields"]["total"]
    assert total["text"] == "16.50" and len(total["box"]) == 4 and total["lines"]
    assert out["data"]["date"] is None and out["fields"]["date"] is None  # not on the page


def test_extract_ocr_refuses_a_custom_schema(main_server, receipt_png: bytes) -> None:
    body = {"image": b64(receipt_png), "schema": {"type": "object"}, "engine": "ocr"}
    r = httpx.post(f"{main_server.url}/v1/extract", json=body, timeout=60)
    assert r.status_code == 422 and "receipt" in r.json()["error"]["hint"]


def _two_page_pdf(receipt_png: bytes) -> bytes:
    """Page 1 blank, page 2 the receipt: which page is read must show in the answer."""
    import io

    from PIL import Image

    receipt = Image.open(io.BytesIO(receipt_png)).convert("RGB")
    blank = Image.new("RGB", receipt.size, "white")
    out = io.BytesIO()
    blank.save(out, "PDF", save_all=True, append_images=[receipt], resolution=100)
    return out.getvalue()


def test_multipart_upload_and_page_choice(main_server, receipt_png: bytes) -> None:
    pdf = _two_page_pdf(receipt_png)
    url = f"{main_server.url}/v1/extract"
    files = {"file": ("two.pdf", pdf, "application/pdf")}
    r = httpx.post(url, files=files, data={"engine": "ocr", "page": "2"}, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["total"] == 16.5
    first = httpx.post(url, files=files, data={"engine": "ocr"}, timeout=60).json()
    assert first["data"]["total"] is None  # page 1 is blank: the default is page 1
    missing = httpx.post(url, files=files, data={"engine": "ocr", "page": "3"}, timeout=60)
    assert missing.status_code == 422 and "2 page(s)" in missing.json()["error"]["message"]
    bad = httpx.post(url, files=files, data={"engine": "ocr", "page": "zero"}, timeout=60)
    assert bad.status_code == 422


def test_ask_takes_a_multipart_upload(vlm_server, receipt_png: bytes) -> None:
    files = {"file": ("r.png", receipt_png, "image/png")}
    data = {"question": "What is the total?", "max_new_tokens": "4", "region": "0,0,300,200"}
    r = httpx.post(f"{vlm_server.url}/v1/ask", files=files, data=data, timeout=300)
    assert r.status_code == 200, r.text
    assert r.json()["task"] == "ask" and r.json()["region"] == [0, 0, 300, 200]
    no_file = httpx.post(f"{vlm_server.url}/v1/ask", data=data, files={"x": ("a", b"1")})
    assert no_file.status_code == 422 and "file" in no_file.json()["error"]["message"]
