"""The page's options follow the settings and the CLI (issue 20): the tokens slider takes any
VLOCR_VLM__MAX_NEW_TOKENS, Extract works without a model, Read offers languages and keeps a PDF's
text layer. Built without a browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vlocr.config import Settings, VlmOptions
from vlocr.webui import handlers
from vlocr.webui.page import build_page


def _by_id(page: Any) -> dict[str, Any]:
    return {b.elem_id: b for b in page.blocks.values() if getattr(b, "elem_id", None)}


def test_a_small_max_new_tokens_setting_builds_and_caps_the_slider() -> None:
    for ceiling in (1, 8, 24, 2048):
        slider = _by_id(build_page(Settings(), VlmOptions(max_new_tokens=ceiling)))[
            "max-new-tokens"
        ]
        assert slider.maximum == max(ceiling, 2) and slider.minimum < slider.maximum
        assert slider.value <= ceiling


def test_extract_works_without_a_model_and_read_offers_languages() -> None:
    ids = _by_id(build_page(Settings(), None))
    assert ids["extract"].interactive is not False
    assert ids["extract-engine"].value == "ocr"
    assert {"ko", "ja", "en", "zh-hant"} <= {c[0] for c in ids["lang"].choices}
    assert ids["force-ocr"].value is False


def test_the_read_tab_keeps_a_pdf_text_layer(pdf_two_pages: Path, tmp_path: Path) -> None:
    """The page used to decode the image alone, so a digital page was OCRed, not read."""
    target = tmp_path / "two.pdf"
    target.write_bytes(pdf_two_pages.read_bytes())
    io = Settings().io
    upload, _ = handlers.accept_upload(str(target), io, tmp_path)
    page = handlers.load_page(upload, 1, io, tmp_path, pdf_dpi=100)
    out = handlers.recognize_page(page, handlers.read_request(None, None, "none", False, None), io)
    assert out["result"].engine == "pdf-text"
    assert out["text"] == "INVOICE 42\nPaid by card"
    forced = handlers.read_request(None, "en", "none", True, None)
    assert handlers.recognize_page(page, forced, io)["result"].engine == "rapidocr"
