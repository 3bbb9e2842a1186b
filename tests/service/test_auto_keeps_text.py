"""`auto` keeps a page warp only when it loses no text: a line printed outside the page outline
(a slide's footer on the wall, a caption on the table) must survive ``auto``."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import vlocr
from vlocr.eval.synth import pages as synth


def _photo(footer: bool) -> np.ndarray:
    page = synth.render_text(synth.SAMPLE_LINES, font_px=26)
    ph, pw = page.shape[:2]
    corners = np.array([[0, 0], [pw - 1, 0], [pw - 1, ph - 1], [0, ph - 1]], float) + [150, 100]
    corners[0] += [10, 6]
    corners[1] += [-12, 10]
    corners[2] += [-18, -8]
    size = (pw + 320, ph + 260)
    image = synth.paste_on_background(page, corners, size)
    if footer:
        cv2.putText(
            image, "FOOTER LINE 2024", (160, size[1] - 40), cv2.FONT_HERSHEY_SIMPLEX, 1.1,
            (245, 245, 245), 2, cv2.LINE_AA,
        )  # fmt: skip
    return np.ascontiguousarray(image)


def _perspective(page: vlocr.PageResult) -> tuple[bool, str]:
    trace = page.preprocess
    assert trace is not None
    for step in trace.steps:
        if step.name == "perspective":
            return True, step.reason
    return False, next(s.reason for s in trace.skipped if s.name == "perspective")


def test_a_warp_that_crops_a_line_away_is_dropped() -> None:
    image = _photo(footer=True)
    assert "FOOTER" in vlocr.read(image, preprocess="none").pages[0].text
    page = vlocr.read(image).pages[0]
    applied, reason = _perspective(page)
    assert not applied and "dropped: it lost text" in reason, reason
    assert "FOOTER LINE 2024" in page.text and "TOTAL" in page.text
    assert page.timings_ms["ocr_crop_check"] > 0


@pytest.mark.parametrize("engine", ["rapidocr"])
def test_a_warp_that_loses_nothing_is_kept(engine: str) -> None:
    page = vlocr.read(_photo(footer=False), engine=engine).pages[0]
    applied, reason = _perspective(page)
    assert applied and "kept: it loses no text" in reason, reason
    assert "TOTAL" in page.text
