"""--lang routing: the bundled models for what they read, Tesseract packs for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

import vlocr
from vlocr.errors import EngineUnavailableError, InvalidOptionError
from vlocr.ocr.languages import choose_engine, parse_langs

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def test_bundled_languages_stay_on_the_default_engine() -> None:
    assert choose_engine(parse_langs("en,zh,fr"), None).engine == "rapidocr"
    assert choose_engine(parse_langs("zh-Hant"), "rapidocr-v6").engine == "rapidocr-v6"


def test_korean_and_japanese_go_to_tesseract_with_their_packs() -> None:
    choice = choose_engine(parse_langs("en+ko"), None, installed={"eng", "kor"})
    assert (choice.engine, choice.options) == ("tesseract", {"lang": "eng+kor"})
    assert "ko" in choice.reason
    choice = choose_engine(parse_langs(["ja"]), "tesseract", installed={"jpn"})
    assert choice.options == {"lang": "jpn"}


def test_a_missing_pack_names_the_debian_package() -> None:
    with pytest.raises(EngineUnavailableError) as err:
        choose_engine(parse_langs("zh-Hant,ko"), None, installed={"eng", "kor"})
    assert "apt-get install tesseract-ocr-chi-tra" in err.value.one_line()


def test_a_bundled_engine_asked_for_korean_is_refused() -> None:
    with pytest.raises(InvalidOptionError, match="cannot read Korean"):
        choose_engine(parse_langs("ko"), "rapidocr", installed={"kor"})


def test_unknown_codes_are_refused() -> None:
    with pytest.raises(InvalidOptionError, match="unknown language klingon"):
        parse_langs("en,klingon")


@pytest.fixture(scope="module")
def korean_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    font = ImageFont.truetype(CJK_FONT, 44, index=1)  # index 1: the Korean face of the collection
    img = Image.new("RGB", (900, 260), "white")
    draw = ImageDraw.Draw(img)
    draw.text((30, 30), "안녕하세요 세계", font=font, fill="black")
    draw.text((30, 140), "영수증 합계 12,000원", font=font, fill="black")
    path = tmp_path_factory.mktemp("ko") / "ko.png"
    img.save(path)
    return path


def test_korean_is_read_through_tesseract(korean_png: Path) -> None:
    from vlocr.ocr.tesseract import available_languages

    assert "kor" in available_languages(), "install tesseract-ocr-kor (.ci/run does)"
    page = vlocr.read(korean_png, lang="ko").pages[0]
    assert page.engine == "tesseract"
    assert "안녕하세요" in page.text and "영수증" in page.text
    # The bundled models do not read Hangul: that is why the route exists.
    bundled = vlocr.read(korean_png).pages[0]
    assert "안녕하세요" not in bundled.text


def test_tesseract_is_asked_for_its_packs_once(korean_png: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Choosing the engine for --lang and starting Tesseract both need the installed packs;
    `tesseract --list-langs` is a subprocess, run once per process (it ran twice a read)."""
    import subprocess

    from vlocr.ocr import tesseract

    tesseract._list_langs.cache_clear()
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(cmd, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(list(cmd))
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting_run)
    vlocr.read(korean_png, lang="ko")
    vlocr.read(korean_png, lang="ko")
    assert sum("--list-langs" in c for c in calls) == 1


def test_cjk_languages_read_latin_too() -> None:
    """ko means kor+eng, ja jpn+eng: their documents carry Latin text."""
    packs = {"eng", "kor", "jpn", "chi_sim"}
    assert choose_engine(parse_langs("ko"), None, installed=packs).options == {"lang": "kor+eng"}
    assert choose_engine(parse_langs("ja"), None, installed=packs).options == {"lang": "jpn+eng"}
    # the user's order first; English is not added twice, and its absence is no error
    assert choose_engine(parse_langs("en,ko"), None, installed=packs).options == {"lang": "eng+kor"}
    assert choose_engine(parse_langs("ko"), None, installed={"kor"}).options == {"lang": "kor"}


def test_several_languages_in_one_flag() -> None:
    packs = {"eng", "kor", "jpn", "chi_sim"}
    assert choose_engine(parse_langs("ko,en"), None, installed=packs).options == {"lang": "kor+eng"}
    choice = choose_engine(parse_langs("zh,ja"), None, installed=packs)
    assert (choice.engine, choice.options) == ("tesseract", {"lang": "chi_sim+jpn+eng"})
    assert choose_engine(parse_langs("zh,en"), None, installed=packs).engine == "rapidocr"


def test_the_registry_declarations_drive_the_choice(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Declaring Korean for the default engine is enough for --lang ko to stay on it."""
    from dataclasses import replace

    from vlocr.ocr import registry

    packs = {"eng", "kor"}
    assert choose_engine(["ko"], None, installed=packs).engine == "tesseract"
    reads = registry.READS["rapidocr"]
    monkeypatch.setitem(
        registry.READS, "rapidocr", replace(reads, languages=reads.languages | {"ko"})
    )
    assert choose_engine(["ko"], None, installed=packs).engine == "rapidocr"
    assert choose_engine(["ko"], "rapidocr", installed=packs).engine == "rapidocr"
    monkeypatch.setitem(
        registry.READS, "rapidocr", replace(reads, languages=reads.languages - {"fr"})
    )
    choice = choose_engine(["fr"], None, installed={"eng", "fra"})
    assert (choice.engine, choice.options) == ("tesseract", {"lang": "fra"})


def test_every_declared_language_has_a_pack_and_script() -> None:
    from vlocr.ocr.languages import TESSERACT_PACKS, scripts_of
    from vlocr.ocr.registry import READS

    for name, reads in READS.items():
        assert reads.languages <= set(TESSERACT_PACKS), name
        assert scripts_of(sorted(reads.languages)) <= reads.scripts, name
