"""`vlocr.read` as a library: arrays are one image, word boxes follow preprocessing, and the
settings object (``VLOCR_*``) governs the library as it governs the server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import vlocr
from vlocr.config import get_settings
from vlocr.errors import ImageTooLargeError, InvalidOptionError
from vlocr.results import OcrLine

REPO = Path(__file__).resolve().parents[2]
RECEIPT = REPO / "examples" / "receipt.jpg"


class Env:
    """Sets ``VLOCR_*`` variables so that ``get_settings()`` sees them; undone after the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def setenv(self, name: str, value: str) -> None:
        self.monkeypatch.setenv(name, value)
        get_settings.cache_clear()


@pytest.fixture()
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    yield Env(monkeypatch)
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def receipt_rgb() -> np.ndarray:
    return np.asarray(Image.open(RECEIPT).convert("RGB"))


def test_an_rgb_array_is_one_image(receipt_rgb: np.ndarray) -> None:
    result = vlocr.read(receipt_rgb)
    assert len(result.pages) == 1 and result.ok
    assert "GREENLEAF" in result.pages[0].text
    assert (result.pages[0].width, result.pages[0].height) == receipt_rgb.shape[1::-1]


def test_a_flat_array_is_one_page_not_rows(text_png: Path) -> None:
    strip = np.asarray(Image.open(text_png).convert("RGB"))[:12]
    result = vlocr.read(strip)
    assert len(result.pages) == 1
    assert result.pages[0].height == 12 and result.pages[0].width == strip.shape[1]


def test_grey_and_rgba_arrays_are_images(text_png: Path, text_lines: list[str]) -> None:
    rgb = np.asarray(Image.open(text_png).convert("RGB"))
    grey = rgb[..., 0]
    rgba = np.dstack([rgb, np.full(grey.shape, 255, np.uint8)])
    for array in (grey, rgba):
        result = vlocr.read(array)
        assert len(result.pages) == 1 and result.ok, result.pages[0].error
        assert text_lines[-1].replace(" ", "") in result.pages[0].text.replace(" ", "")


def test_a_list_of_arrays_is_one_page_each(text_png: Path) -> None:
    rgb = np.asarray(Image.open(text_png).convert("RGB"))
    assert len(vlocr.read([rgb, rgb[..., 0]]).pages) == 2


def _inside(word_box: list[tuple[float, float]], line: OcrLine, slack: float) -> bool:
    x0, y0, x1, y1 = line.bbox
    return all(x0 - slack <= x <= x1 + slack and y0 - slack <= y <= y1 + slack for x, y in word_box)


def test_word_boxes_stay_inside_their_line_after_auto_deskews(tmp_path: Path) -> None:
    # tilted 4 degrees: auto leaves gentler slopes to the engine, which follows them itself
    tilted = tmp_path / "tilted.png"
    Image.open(RECEIPT).convert("RGB").rotate(4, expand=True, fillcolor="white").save(tilted)
    page = vlocr.read(tilted).pages[0]
    assert page.preprocess is not None
    assert "deskew" in [s.name for s in page.preprocess.steps], "the fixture must be deskewed"
    words = [(w, ln) for ln in page.lines for w in (ln.words or []) if w.box]
    assert len(words) > 20
    outside = [w.text for w, ln in words if not _inside(w.box, ln, slack=4.0)]
    assert not outside, outside


def test_word_boxes_follow_the_region_offset(text_png: Path) -> None:
    page = vlocr.read(text_png, region=(10, 60, 700, 200), preprocess="none").pages[0]
    words = [(w, ln) for ln in page.lines for w in (ln.words or []) if w.box]
    assert words
    assert all(_inside(w.box, ln, slack=2.0) for w, ln in words)


def test_ask_provenance_carries_mapped_word_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    import vlocr.service.generation as generation
    from vlocr.config import VlmOptions
    from vlocr.results import Usage
    from vlocr.vlm import Generation

    class Engine:
        def generate(self, messages: object, **kw: object) -> Generation:
            return Generation(text="GREENLEAF MARKET", usage=Usage())

    monkeypatch.setattr(generation, "get_engine", lambda opts: Engine())
    answer = vlocr.ask(RECEIPT, "Which shop?", vlm=VlmOptions())
    assert answer.provenance
    for line in answer.provenance:
        for word in line.words or []:
            assert word.box and _inside(word.box, line, slack=4.0), word


def test_io_settings_reach_the_library(fresh_settings: Env) -> None:
    fresh_settings.setenv("VLOCR_IO__MAX_PIXELS", "1000")
    page = vlocr.read(RECEIPT).pages[0]
    assert page.error is not None and page.error.type == ImageTooLargeError.__name__


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_engine_settings_reach_the_library(fresh_settings: Env) -> None:
    notice = REPO / "examples" / "notice_zh_en.png"
    assert _has_cjk(vlocr.read(notice, engine="tesseract", preprocess="none").pages[0].text)
    fresh_settings.setenv("VLOCR_TESSERACT__LANG", "eng")
    page = vlocr.read(notice, engine="tesseract", preprocess="none").pages[0]
    assert page.ok and page.text and not _has_cjk(page.text)


def test_ocr_engine_setting_is_the_default(fresh_settings: Env, text_png: Path) -> None:
    fresh_settings.setenv("VLOCR_OCR_ENGINE", "tesseract")
    assert vlocr.read(text_png).pages[0].engine == "tesseract"


def test_bad_options_fail_once_before_reading(tmp_path: Path) -> None:
    missing = [tmp_path / "a.png", tmp_path / "b.png"]
    with pytest.raises(InvalidOptionError, match="bogus"):
        vlocr.read(missing, preprocess="bogus")
    with pytest.raises(InvalidOptionError, match="rapidocrr") as info:
        vlocr.read(missing, engine="rapidocrr")
    assert "vlm" in info.value.hint and "tesseract" in info.value.hint


def test_base64_input_gets_a_short_label() -> None:
    import base64

    text = base64.b64encode(RECEIPT.read_bytes()).decode()
    for source in (text, "data:image/jpeg;base64," + text):
        page = vlocr.read(source, preprocess="none").pages[0]
        assert page.ok and len(page.source) < 40, page.source[:80]


def test_dir_shows_the_public_api() -> None:
    names = dir(vlocr)
    for name in ("read", "ask", "extract", "chat", "transcribe", "ReadResult", "VlmAnswer"):
        assert name in names
        assert getattr(vlocr, name) is not None


def test_ask_takes_a_model_name(monkeypatch: pytest.MonkeyPatch) -> None:
    import vlocr.service.generation as generation
    from vlocr.results import Usage
    from vlocr.vlm import Generation

    seen: list[str] = []

    class Engine:
        def generate(self, messages: object, **kw: object) -> Generation:
            return Generation(text="16.50", usage=Usage())

    def get_engine(opts):  # type: ignore[no-untyped-def]
        seen.append(opts.model)
        return Engine()

    monkeypatch.setattr(generation, "get_engine", get_engine)
    answer = vlocr.ask(RECEIPT, "Total?", model="my-local-model", ocr_checks=False)
    assert seen == ["my-local-model"] and answer.model == "my-local-model"


def test_web_page_recognition_keeps_the_pdf_page_number(tmp_path: Path, text_png: Path) -> None:
    from vlocr.config import IoOptions
    from vlocr.webui.handlers import accept_upload, page_image, recognize

    page = Image.open(text_png).convert("RGB")
    pdf = tmp_path / "three.pdf"
    page.save(pdf, "PDF", save_all=True, append_images=[page, page], resolution=100)
    upload, _first = accept_upload(str(pdf), IoOptions(), upload_root=tmp_path)
    assert upload.pages == 3  # counted without decoding pages 2 and 3
    image = page_image(upload, 3, IoOptions(), tmp_path)
    where = {"page_count": upload.pages, "source": upload.name}
    result = recognize(image, "rapidocr", "none", None, page=3, **where)["result"]
    assert (result.page, result.page_count, result.source) == (3, 3, "three.pdf")
    assert (
        json.loads(recognize(image, "rapidocr", "none", None, page=2, **where)["json"])["page"] == 2
    )
