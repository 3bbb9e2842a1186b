"""The VLM tasks' requests (service/task_requests.py): one validation for every interface, the
library's keywords turned into the request, and REST refusing what only the library may take."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vlocr.errors import InvalidOptionError
from vlocr.service.requests import ReadRequest
from vlocr.service.task_requests import AskRequest, ChatRequest, ExtractRequest


def test_the_library_keywords_build_the_request() -> None:
    request = AskRequest.from_options(
        question="Total?", ocr_checks=False, region="0,0,40,20", temperature=None, lang="auto"
    )
    assert request.check_numbers is False  # the library's old name for --check-numbers
    assert request.region == (0, 0, 40, 20) and request.temperature is None
    assert request.lang is None  # auto: from the question
    chat = ChatRequest.from_options(message="and the date?", history=[])
    assert chat.page == 1 and chat.preprocess == "auto"


def test_an_unknown_keyword_is_a_type_error_naming_the_options() -> None:
    import vlocr

    with pytest.raises(TypeError, match="no option 'temprature'.*temperature"):
        vlocr.ask("x.png", "Total?", temprature=0.5)
    with pytest.raises(TypeError, match="'engine'"):
        vlocr.chat("x.png", [], "hi", engine="ocr")  # extract's option, not chat's
    with pytest.raises(TypeError, match=r"options: .*, schema, ") as raised:
        vlocr.extract("x.png", "receipt", focus="page")
    assert "schema_" not in str(raised.value)  # the names a caller passes


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ocr_engine": "vlm"}, "cannot check the model against itself"),
        ({"ocr_engine": "nope"}, "unknown OCR engine 'nope'"),
        ({"lang": "xx"}, "unknown language xx"),
        ({"focus": "zoom"}, "unknown focus 'zoom'"),
        ({"preprocess": "sharpen-more"}, "unknown preprocessing"),
        ({"temperature": 5}, "temperature"),
        ({"question": "  "}, "the question is empty"),
    ],
)
def test_a_bad_value_is_one_invalid_option_line(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidOptionError, match=message):
        AskRequest.from_options(**{"question": "Total?", **options})


def test_the_page_options_are_checked_as_the_read_request_checks_them() -> None:
    with pytest.raises(InvalidOptionError) as read:
        ReadRequest(region="5,5,-1,4")
    with pytest.raises(InvalidOptionError) as ask:
        AskRequest.from_options(question="Total?", region="5,5,-1,4")
    assert ask.value.message == read.value.message


def test_extract_engine_and_schema_are_checked_before_any_input_is_read(tmp_path: Path) -> None:
    with pytest.raises(InvalidOptionError, match="receipt and invoice schemas only"):
        ExtractRequest.from_options(schema={"type": "object"}, engine="ocr")
    with pytest.raises(InvalidOptionError, match="unknown extract engine 'tesseract'"):
        ExtractRequest.from_options(engine="tesseract")
    schema = tmp_path / "s.json"
    assert ExtractRequest.from_options(schema=schema).schema_ == str(schema)  # a file: library
    assert ExtractRequest.from_options(max_attempts=None).max_attempts == 3


def test_rest_takes_no_schema_file_path_from_a_client() -> None:
    from pydantic import ValidationError

    from vlocr.api.schemas import ExtractRequest as RestExtract

    with pytest.raises(ValidationError):
        RestExtract.model_validate({"image": "eA==", "schema": "/etc/passwd"})
    assert RestExtract.model_validate({"image": "eA==", "lang": "zh"}).lang == "zh"


@pytest.mark.parametrize(
    ("lang", "prompt"),
    [
        (None, None),
        ("auto", None),
        ("zh", "zh"),
        ("zh-Hant,en", "zh"),
        ("en,zh", "en"),
        ("ko", "en"),
    ],
)
def test_lang_is_the_pages_languages_and_sets_the_prompts(lang: str | None, prompt: str) -> None:
    assert AskRequest(question="q", lang=lang).prompt_lang == prompt


def test_lang_picks_the_ocr_behind_the_checks_as_a_read_does() -> None:
    """``vlocr ask sign.png "..." --lang ko``: the OCR that checks the answer reads Korean with
    Tesseract's kor+eng, as ``vlocr read --lang ko`` does; the bundled models read it as noise."""
    from vlocr.eval.synth.script_pages import render_page
    from vlocr.io.page import Page
    from vlocr.service import task_page

    image = render_page("ko", ["영업시간 안내", "Exit 3 출구"], size=48, width=900).image
    page = Page(image=image, source="sign.png")
    request = AskRequest(question="몇 번 출구?", lang="ko")
    assert request.ocr_choice()[0] == ReadRequest(lang="ko").plan().engine == "tesseract"
    text = task_page.read_page(page, request).text
    assert "영업시간" in text and "Exit 3 출구" in text, text
    chosen = AskRequest(question="q", lang="ko", ocr_engine="tesseract").ocr_choice()
    assert chosen == request.ocr_choice()
    with pytest.raises(InvalidOptionError, match="cannot read Korean"):
        AskRequest(question="q", lang="ko", ocr_engine="rapidocr")  # refused when built
