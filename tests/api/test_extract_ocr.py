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
