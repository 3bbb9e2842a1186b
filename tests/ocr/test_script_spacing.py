"""Spacing by script: Han and kana take no spaces between letters, Korean separates words (not
syllables) by spaces, and Tesseract's own spacing is kept."""

from __future__ import annotations

import pytest

from vlocr.eval.synth.script_pages import render_page
from vlocr.ocr.tesseract import join_words, own_line_text, yen_signs


def test_han_and_kana_words_are_joined_without_spaces() -> None:
    assert join_words(["あり", "が", "と", "う", "。"]) == "ありがとう。"
    assert join_words(["東京", "都", "1-9-1"]) == "東京都 1-9-1"
    assert join_words(["谢谢", "惠顾", "，"]) == "谢谢惠顾，"


def test_korean_and_latin_words_keep_their_spaces() -> None:
    assert join_words(["다시", "방문해", "주세요."]) == "다시 방문해 주세요."
    assert join_words(["Exit", "3", "출구"]) == "Exit 3 출구"


def test_tesseracts_own_line_wins_over_the_word_list() -> None:
    lines = ["영업시간 09:00", "감사합니다. 다시 방문해"]
    text, nxt = own_line_text(["영", "업", "시간", "09:00"], lines, 0)
    assert (text, nxt) == ("영업시간 09:00", 1)
    text, nxt = own_line_text(["감", "사", "합니다.", "다시", "방문해"], lines, nxt)
    assert (text, nxt) == ("감사합니다. 다시 방문해", 2)
    assert own_line_text(["없는", "줄"], lines, 2) == (None, 2)


def _read(lang: str, lines: list[str], size: int = 40) -> str:
    import vlocr

    page = render_page(lang, lines, size=size, width=900)
    return vlocr.read(page.image, lang=lang).pages[0].text


@pytest.mark.parametrize(
    ("lang", "lines", "words"),
    [
        ("ko", ["영업시간 안내", "감사합니다"], ["영업시간", "감사합니다"]),
        (
            "ja",
            ["ありがとうございました", "東京都千代田区"],
            ["ありがとうございました", "東京都千代田区"],
        ),
        ("zh", ["谢谢惠顾欢迎光临", "营业时间"], ["谢谢惠顾欢迎光临", "营业时间"]),
    ],
)
def test_no_spaces_inside_cjk_words(lang: str, lines: list[str], words: list[str]) -> None:
    text = _read(lang, lines)
    for word in words:
        assert word in text, (word, text)


def test_ko_reads_latin_too() -> None:
    """``--lang ko`` is kor+eng: the Korean pack alone reads ``Exit 3`` as ``61 3``."""
    text = _read("ko", ["Exit 3 출구"], size=56)
    assert "Exit 3 출구" in text, text


def test_japanese_yen_sign_is_not_a_backslash() -> None:
    assert yen_signs("コーヒー 2点 \\900") == "コーヒー 2点 ¥900"
    assert yen_signs("C:\\temp a\\b") == "C:\\temp a\\b"
    text = _read("ja", ["合計金額 ¥1,250"])
    assert "¥1" in text and "\\" not in text, text


def test_cjk_page_segmentation_only_when_the_first_pack_is_cjk() -> None:
    from vlocr.config import TesseractOptions
    from vlocr.ocr.tesseract import CJK_PSM, TesseractEngine

    # the default eng+chi_sim keeps automatic layout (columns read as columns)
    assert TesseractEngine(TesseractOptions(lang="eng+chi_sim")).psm == 3
    assert TesseractEngine(TesseractOptions(lang="kor+eng")).psm == CJK_PSM
    assert TesseractEngine(TesseractOptions(lang="jpn+eng", psm=6)).psm == 6  # the user's choice
