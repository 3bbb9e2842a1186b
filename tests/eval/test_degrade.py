"""Degradations change pixels, keep shapes sane and move the truth with the geometry."""

from __future__ import annotations

import numpy as np
import pytest

from vlocr.errors import InvalidOptionError
from vlocr.eval.synth import generate
from vlocr.eval.synth.degrade import DEGRADATIONS, degrade


@pytest.fixture(scope="module")
def doc():  # type: ignore[no-untyped-def]
    return generate("invoice", 11)


@pytest.mark.parametrize("name", [n for n in DEGRADATIONS if n != "clean"])
@pytest.mark.parametrize("severity", [1, 3])
def test_changes_image_and_keeps_shape_sane(doc, name: str, severity: int) -> None:  # type: ignore[no-untyped-def]
    out, lines = degrade(doc.image, doc.lines, name, severity, seed=1)
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3
    h, w = out.shape[:2]
    H, W = doc.image.shape[:2]
    assert 0.2 * max(H, W) <= max(h, w) <= 1.6 * max(H, W)
    assert out.shape != doc.image.shape or not np.array_equal(out, doc.image)
    assert [ln.text for ln in lines] == [ln.text for ln in doc.lines]
    for line in lines:  # boxes still lie on the (possibly warped) page
        for x, y in line.box:
            assert -2 <= x <= w + 2 and -2 <= y <= h + 2


def test_deterministic_and_seed_dependent(doc) -> None:  # type: ignore[no-untyped-def]
    a, _ = degrade(doc.image, doc.lines, "noise", 2, seed=5)
    b, _ = degrade(doc.image, doc.lines, "noise", 2, seed=5)
    c, _ = degrade(doc.image, doc.lines, "noise", 2, seed=6)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_clean_is_identity(doc) -> None:  # type: ignore[no-untyped-def]
    out, lines = degrade(doc.image, doc.lines, "clean", 1)
    assert np.array_equal(out, doc.image) and lines == doc.lines


def test_low_res_long_side_below_400(doc) -> None:  # type: ignore[no-untyped-def]
    out, lines = degrade(doc.image, doc.lines, "low_res", 2)
    assert max(out.shape[:2]) <= 390
    scale = out.shape[1] / doc.image.shape[1]
    assert lines[0].box[0][0] == pytest.approx(doc.lines[0].box[0][0] * scale, rel=0.02)


def test_rotate_180_maps_boxes(doc) -> None:  # type: ignore[no-untyped-def]
    out, lines = degrade(doc.image, doc.lines, "rotate", 2)
    h, w = doc.image.shape[:2]
    (x, y) = doc.lines[0].box[0]
    assert lines[0].box[0] == pytest.approx((w - x, h - y))
    # the pixel under the first line's box moved with it
    x0, y0, x1, y1 = (int(v) for v in (*doc.lines[0].box[0], *doc.lines[0].box[2]))
    assert np.array_equal(
        out[h - y1 : h - y0, w - x1 : w - x0], doc.image[y0:y1, x0:x1][::-1, ::-1]
    )


def test_rotate_90_swaps_sides(doc) -> None:  # type: ignore[no-untyped-def]
    out, _ = degrade(doc.image, doc.lines, "rotate", 1)
    assert out.shape[:2] == doc.image.shape[1::-1][:2]


def test_perspective_puts_page_on_a_darker_desk(doc) -> None:  # type: ignore[no-untyped-def]
    out, _ = degrade(doc.image, doc.lines, "perspective", 2, seed=3)
    corner = out[:20, :20].mean()
    assert corner < 170 and out.shape[0] > doc.image.shape[0]


def test_bad_name_and_severity(doc) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidOptionError, match="unknown degradation"):
        degrade(doc.image, doc.lines, "smudge")
    with pytest.raises(InvalidOptionError, match="severity"):
        degrade(doc.image, doc.lines, "blur", 4)
