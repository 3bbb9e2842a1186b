"""auto's page orientation in every script: an upright page is never turned, a turned one is
put right when the line classifier and Tesseract's OSD agree, and left alone when unsure."""

from __future__ import annotations

import numpy as np
import pytest

from vlocr.eval.synth.script_pages import render_page, rotate_page
from vlocr.preprocess import run
from vlocr.preprocess.orientation import ClassifierVote, detect


def names(result):  # type: ignore[no-untyped-def]
    return [s.name for s in result.trace.steps]


@pytest.mark.parametrize("lang", ["ko", "ja", "zh", "zh-hant", "en"])
def test_upright_page_is_not_turned_in_any_script(lang: str) -> None:
    page = render_page(lang).image
    r = run(page, "auto", engine="tesseract")
    assert not {"orient", "rotate180"} & set(names(r)), r.trace.steps
    assert np.array_equal(r.image, page)


@pytest.mark.parametrize(
    ("lang", "degrees", "serif"),
    [("ko", 180, False), ("ko", 270, False), ("ja", 90, False), ("zh", 270, False),
     ("zh-hant", 180, True)],
)  # fmt: skip
def test_turned_page_is_put_right(lang: str, degrees: int, serif: bool) -> None:
    page = render_page(lang, serif=serif).image
    r = run(rotate_page(page, degrees), "auto", engine="tesseract")
    assert np.array_equal(r.image, page), r.trace.steps


def _vote(cw: int | None, sure: bool = True, sideways: bool = False):  # type: ignore[no-untyped-def]
    return lambda img: ClassifierVote(cw, sure, "stub", sideways)


def test_the_readers_must_agree_to_turn() -> None:
    img = np.zeros((10, 10), np.uint8)
    assert detect(img, _vote(2), lambda i: (2, "osd")).turns == 2
    assert detect(img, _vote(3), lambda i: (3, "osd")).turns == 1  # counter-clockwise
    # disagreement, an undecided classifier, or an unsure one without OSD: left as is
    assert detect(img, _vote(2), lambda i: (0, "osd")).turns == 0
    assert detect(img, _vote(None), lambda i: (2, "osd")).turns == 0
    assert detect(img, _vote(2, sure=False), lambda i: (None, "no osd")).turns == 0
    assert detect(img, _vote(2, sure=True), lambda i: (None, "no osd")).turns == 2
    # a sideways page the classifier cannot orient: OSD picks 90 or 270, nothing else
    assert detect(img, _vote(None, sideways=True), lambda i: (1, "osd")).turns == 3
    assert detect(img, _vote(None, sideways=True), lambda i: (2, "osd")).turns == 0
    assert detect(img, _vote(None, sideways=True), lambda i: (None, "no osd")).turns == 0


def test_osd_is_not_asked_about_an_upright_page() -> None:
    asked: list[int] = []
    found = detect(np.zeros((4, 4), np.uint8), _vote(0), lambda i: (asked.append(1), (2, ""))[1])
    assert found.turns == 0 and not asked


def test_auto_applies_the_detectors_turn_and_survives_its_failure() -> None:
    from vlocr.errors import EngineUnavailableError
    from vlocr.preprocess.orientation import Orientation

    page = render_page("ko", ["영업시간 09:00", "감사합니다"] * 3, size=24, width=500).image
    turned = rotate_page(page, 90)
    r = run(turned, "auto", engine="tesseract", orientation_detector=lambda i: Orientation(1, "x"))
    assert names(r)[:1] == ["orient"] and np.array_equal(r.image, page)

    def broken(image):  # type: ignore[no-untyped-def]
        raise EngineUnavailableError("no models", "reinstall")

    r = run(page, "auto", engine="tesseract", orientation_detector=broken)
    assert not {"orient", "rotate180"} & set(names(r))
    assert "no orientation check" in next(s.reason for s in r.trace.skipped if s.name == "orient")
