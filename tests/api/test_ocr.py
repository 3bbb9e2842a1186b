"""POST /v1/ocr over real HTTP: JSON and multipart, region, returned images, PDF, failed samples."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import httpx
import numpy as np
from api_helpers import b64, png_bytes
from PIL import Image


def _decode_png(text: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(text))))


def test_json_base64_reads_lines_and_returns_images(main_server, receipt_png: bytes) -> None:
    r = httpx.post(
        f"{main_server.url}/v1/ocr",
        json={
            "image": b64(receipt_png),
            "return_preprocessed": True,
            "return_annotated": True,
            "preprocess": "none",
        },
        timeout=60,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    page = body["pages"][0]
    assert "GROCERY MART" in page["text"]
    assert "TOTAL" in page["text"] and "16.50" in page["text"]
    assert page["engine"] == "rapidocr" and page["error"] is None
    assert 0.6 < page["mean_confidence"] <= 1.0
    original = np.asarray(Image.open(io.BytesIO(receipt_png)).convert("RGB"))
    annotated = _decode_png(body["annotated_images"][0])
    assert annotated.shape == original.shape
    assert (annotated != original).any(), "boxes must be drawn on the annotated image"
    assert _decode_png(body["preprocessed_images"][0]).shape[:2] == original.shape[:2]


def test_multipart_upload_with_region_reads_only_that_rectangle(
    main_server, receipt_png: bytes
) -> None:
    # The fixture renders 3 lines, 50 px apart from y=24: the first 60 px hold only "GROCERY MART".
    r = httpx.post(
        f"{main_server.url}/v1/ocr",
        files={"file": ("receipt.png", receipt_png, "image/png")},
        data={"region": "0,0,760,60"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    page = r.json()["pages"][0]
    assert page["region"] == [0, 0, 760, 60]
    assert "GROCERY" in page["text"] and "TOTAL" not in page["text"]
    assert r.json()["annotated_images"] is None


def test_data_url_and_pdf_give_one_result_per_page(main_server, receipt_png: bytes) -> None:
    image = Image.open(io.BytesIO(receipt_png)).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="PDF", save_all=True, append_images=[image], resolution=100)
    url = "data:application/pdf;base64," + b64(buf.getvalue())
    r = httpx.post(f"{main_server.url}/v1/ocr", json={"image": url, "pdf_dpi": 100}, timeout=90)
    assert r.status_code == 200, r.text
    pages = r.json()["pages"]
    assert [p["page"] for p in pages] == [1, 2] and all(p["page_count"] == 2 for p in pages)
    assert all("TOTAL" in p["text"] for p in pages)


def test_allow_listed_url_is_fetched(main_server, receipt_png: bytes) -> None:
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", str(len(receipt_png)))
            self.end_headers()
            self.wfile.write(receipt_png)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        r = httpx.post(
            f"{main_server.url}/v1/ocr",
            json={"image": f"http://127.0.0.1:{port}/r.png"},
            timeout=60,
        )
        assert r.status_code == 200, r.text
        assert "TOTAL" in r.json()["pages"][0]["text"]
        other = httpx.post(
            f"{main_server.url}/v1/ocr",
            json={"image": f"http://localhost:{port}/r.png"},
            timeout=30,
        )
        assert other.status_code == 422
        assert "url_allowlist" in other.json()["error"]["message"]
    finally:
        server.shutdown()


def test_blank_page_is_kept_as_failed_sample_within_cap(main_server, samples_dir: Path) -> None:
    blank = png_bytes(np.full((120, 200, 3), 255, np.uint8))
    for _ in range(3):
        r = httpx.post(f"{main_server.url}/v1/ocr", json={"image": b64(blank)}, timeout=60)
        assert r.status_code == 200 and r.json()["pages"][0]["lines"] == []
    metas = sorted(samples_dir.glob("*.json"))
    assert metas, "a page without text must be saved for review"
    meta = json.loads(metas[-1].read_text())
    assert meta["reason"] == "no_text" and meta["result"]["pages"][0]["lines"] == []
    assert (samples_dir / (metas[-1].stem + ".png")).read_bytes() == blank
    total = sum(p.stat().st_size for p in samples_dir.iterdir())
    assert total <= 0.05 * 1024 * 1024
