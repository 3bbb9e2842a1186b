"""Per-step behaviour on constructed images with known answers."""

import cv2
import numpy as np
import pytest

from vlocr.eval.synth import pages as synth
from vlocr.preprocess import geometry as geo
from vlocr.preprocess import steps as px
from vlocr.preprocess._util import apply_matrix


def gray(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


@pytest.mark.parametrize("angle", [3.0, -7.5, 12.0])
def test_estimate_skew_recovers_known_angle(page, angle):
    rotated = synth.rotate_page(page, angle)
    found, conf = geo.estimate_skew(gray(rotated))
    assert abs(found - angle) <= 0.5
    assert conf > 1.5


@pytest.mark.parametrize("angle", [3.0, -7.5])
def test_deskew_straightens_and_matrix_maps_points(page, angle):
    rotated = synth.rotate_page(page, angle)
    out, m = geo.deskew(rotated)
    residual, _ = geo.estimate_skew(gray(out))
    assert abs(residual) <= 0.5
    # the rotation centre of the input lands at the centre of the enlarged output
    h, w = rotated.shape[:2]
    ((cx, cy),) = apply_matrix(m, [[w / 2, h / 2]])
    assert abs(cx - out.shape[1] / 2) < 1 and abs(cy - out.shape[0] / 2) < 1
    # a dark pixel of the input maps onto a dark pixel of the output
    ys, xs = np.nonzero(gray(rotated) < 60)
    pts = apply_matrix(m, np.stack([xs[::97], ys[::97]], axis=1))
    vals = [gray(out)[int(round(y)), int(round(x))] for x, y in pts]
    assert np.median(vals) < 128


def test_deskew_leaves_straight_page_alone(page):
    out, m = geo.deskew(page)
    assert np.array_equal(out, page) and np.allclose(m, np.eye(3))


def test_orientation_sideways_vs_upright(page):
    _, upright = geo.estimate_orientation(gray(page))
    _, sideways = geo.estimate_orientation(gray(np.ascontiguousarray(np.rot90(page))))
    assert upright < 0.7 and sideways > 2.0


def test_orient_turns_sideways_page_upright(page):
    side = np.ascontiguousarray(np.rot90(page, 1))
    out, m = geo.orient(side)
    assert out.shape == page.shape  # turned back to landscape lines
    _, ratio = geo.estimate_orientation(gray(out))
    assert ratio < 0.7
    h, w = side.shape[:2]
    mapped = apply_matrix(m, [[0, 0], [w, h]])
    assert {tuple(np.round(p).astype(int)) for p in mapped} <= {(0, 0), (h, w), (0, w), (h, 0)}


def test_orientation_scorer_picks_the_180_candidate(page):
    side = np.ascontiguousarray(np.rot90(page, 1))
    calls = []

    def scorer(img):  # pretend the OCR reads the 270-degree candidate best
        calls.append(img.shape)
        return 1.0 if len(calls) == 2 else 0.0

    out, _ = geo.orient(side, orientation_scorer=scorer)
    assert len(calls) == 2
    assert np.array_equal(out, np.rot90(side, 3))


def test_rotate90_matrix_maps_pixels(page):
    for k in (1, 2, 3):
        out, m = geo.rotate90(page, k)
        x, y = 37, 11
        ((u, v),) = apply_matrix(m, [[x + 0.5, y + 0.5]])
        assert np.array_equal(out[int(v), int(u)], page[y, x])


def test_find_page_quad_on_textured_background(photo):
    image, corners = photo
    quad = geo.find_page_quad(gray(image))
    assert quad is not None
    assert np.abs(quad - corners).max() <= 5.0
    assert not geo.quad_is_frame(quad, image.shape[1], image.shape[0])


def test_perspective_warps_to_rectangle_of_right_aspect(page, photo):
    image, corners = photo
    out, m = geo.perspective(image)
    ph, pw = page.shape[:2]
    assert abs(out.shape[1] / out.shape[0] - pw / ph) / (pw / ph) < 0.04
    # the page corners map to the output corners
    mapped = apply_matrix(m, corners)
    expected = [
        [0, 0],
        [out.shape[1] - 1, 0],
        [out.shape[1] - 1, out.shape[0] - 1],
        [0, out.shape[0] - 1],
    ]
    assert np.abs(mapped - expected).max() < 6
    # no table left: the output is page-bright at its border
    assert gray(out)[[3, -4], :].mean() > 200


def test_perspective_is_identity_without_page_outline(page):
    out, m = geo.perspective(page)
    assert np.array_equal(out, page) and np.allclose(m, np.eye(3))


def test_flatten_reduces_background_variation(page):
    shaded = synth.shadow(page, 0.55)
    out = px.flatten(shaded, text_px=19)
    paper_in = gray(shaded)[gray(page) > 200]
    paper_out = gray(out)[gray(page) > 200]
    assert paper_out.std() < 0.3 * paper_in.std()
    # strokes survive: ink stays much darker than paper
    ink_out = gray(out)[gray(page) < 60]
    assert np.median(paper_out) - np.median(ink_out) > 150


def test_stretch_widens_low_contrast(page):
    low = synth.low_contrast(page, 120, 190)
    out = px.stretch(low)
    assert np.ptp(np.percentile(gray(out), [1, 99])) > 230
    assert out.shape == low.shape


def test_clahe_keeps_kind(page):
    assert px.clahe(page).shape == page.shape
    assert px.clahe(gray(page)).ndim == 2


def test_binarisers_give_only_0_and_255(page):
    shaded = synth.shadow(page)
    for fn in (px.otsu, px.adaptive, px.sauvola):
        out = fn(shaded)
        assert out.ndim == 2 and set(np.unique(out)) <= {0, 255}


def test_sauvola_handles_shadow_better_than_otsu(page):
    shaded = synth.shadow(page, 0.75)
    ink, paper = gray(page) < 100, gray(page) > 200
    sau, ots = px.sauvola(shaded), px.otsu(shaded)
    assert (sau[ink] == 0).mean() > 0.8
    assert (sau[paper] == 0).mean() < 0.02
    assert (ots[paper] == 0).mean() > 5 * max((sau[paper] == 0).mean(), 1e-3)


def test_sharpen_uses_article_kernel():
    img = np.full((5, 5), 100, np.uint8)
    img[2, 2] = 110
    out = px.sharpen(img)
    assert out[2, 2] == 150  # 5*110 - 4*100
    assert out[2, 1] == 90  # 5*100 - 3*100 - 110


def test_denoise_reduces_noise(page):
    noisy = synth.add_noise(page, 25)
    out = px.denoise(noisy, "median", 3)
    diff_in = np.abs(gray(noisy).astype(int) - gray(page)).mean()
    diff_out = np.abs(gray(out).astype(int) - gray(page)).mean()
    assert diff_out < 0.7 * diff_in


def test_upscale_text_enlarges_to_target():
    tiny = synth.render_text(font_px=9)
    out, m = geo.upscale_text(tiny, text_px=7.0, target_px=20.0)
    assert out.shape[0] == pytest.approx(tiny.shape[0] * 20 / 7, abs=1.5)
    assert m[0, 0] == pytest.approx(out.shape[1] / tiny.shape[1])


def test_trim_crops_margins_and_matrix_is_translation(page):
    padded = cv2.copyMakeBorder(
        page, 200, 150, 300, 100, cv2.BORDER_CONSTANT, value=(250, 250, 250)
    )
    out, m = geo.trim(padded)
    assert out.shape[0] < padded.shape[0] - 250 and out.shape[1] < padded.shape[1] - 300
    assert np.allclose(m[:2, :2], np.eye(2)) and m[0, 2] < -250
