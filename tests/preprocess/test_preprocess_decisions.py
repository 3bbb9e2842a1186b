"""auto's stricter decision rules: what it must leave alone for RapidOCR, and the 180-degree turn."""

import cv2
import numpy as np

from vlocr.eval.synth import pages as synth
from vlocr.preprocess import geometry as geo
from vlocr.preprocess import run
from vlocr.preprocess.measure import measure


def names(result):
    return [s.name for s in result.trace.steps]


def skipped(result, step):
    return next(s.reason for s in result.trace.skipped if s.name == step)


def salt_and_pepper(img, frac=0.01, seed=1):
    rng = np.random.default_rng(seed)
    out = img.copy()
    mask = rng.random(img.shape[:2]) < frac
    out[mask] = np.where(rng.random(int(mask.sum())) < 0.5, 0, 255)[:, None]
    return out


def test_noise_does_not_fake_tiny_text(page):
    noisy = salt_and_pepper(synth.add_noise(page, sigma=30.0))
    clean_th = measure(page).text_height_px
    noisy_th = measure(noisy).text_height_px
    assert clean_th is not None and noisy_th is not None
    assert abs(noisy_th - clean_th) <= 0.25 * clean_th  # was 4 px: specks taken for glyphs


def test_noisy_page_is_left_alone_for_rapidocr(page):
    noisy = salt_and_pepper(synth.add_noise(page, sigma=30.0))
    r = run(noisy, "auto", engine="rapidocr")
    assert names(r) == []
    assert np.array_equal(r.image, noisy)
    assert "neural recognisers read through noise" in skipped(r, "denoise")


def test_tesseract_still_gets_denoised(page):
    noisy = synth.add_noise(page, sigma=40.0)
    r = run(noisy, "auto", engine="tesseract")
    assert "denoise" in names(r)


def test_rapidocr_small_text_is_not_upscaled_but_other_engines_are():
    tiny = synth.render_text(font_px=9)
    for engine in ("rapidocr", "rapidocr-v6", "rapidocr-v4"):
        r = run(tiny, "auto", engine=engine)
        assert "upscale" not in names(r)
        assert "scales its detector" in skipped(r, "upscale")
    assert names(run(tiny, "auto", engine="vlm")) == ["upscale"]


def test_axis_aligned_outline_is_not_warped(page):
    # a screenshot: dark title bar across the top, white content below touching the other edges
    shot = np.full((page.shape[0] + 120, page.shape[1], 3), 40, np.uint8)
    shot[120:] = page
    r = run(shot, "auto", engine="rapidocr")
    assert "perspective" not in names(r)
    assert "upright rectangle" in skipped(r, "perspective")


def test_upside_down_page_is_turned(page):
    turned = np.ascontiguousarray(page[::-1, ::-1])
    m_up, m_down = measure(page), measure(turned)
    assert m_up.upright_score > 0.16 > -0.16 > m_down.upright_score
    r = run(turned, "auto", engine="rapidocr-v6")
    assert names(r) == ["rotate180"]
    assert np.array_equal(r.image, page)
    h, w = page.shape[:2]
    assert np.allclose(r.map_points_to_original([(0, 0)]), [(w, h)])


def test_upright_page_is_not_turned(page):
    r = run(page, "auto", engine="tesseract")
    assert "rotate180" not in names(r)
    assert "upright: line classifier" in skipped(r, "rotate180")


def test_orientation_is_left_to_the_self_orienting_engine(page):
    turned = np.ascontiguousarray(page[::-1, ::-1])
    r = run(turned, "auto", engine="rapidocr")
    assert names(r) == []
    assert "turns sideways and upside-down pages itself" in skipped(r, "rotate180")
    assert "turns sideways and upside-down pages itself" in skipped(r, "orient")


def test_upright_score_needs_lines():
    blank = np.full((300, 300), 255, np.uint8)
    stats = np.zeros((0, 5), np.int32)
    assert geo.upright_score(stats) == (0.0, 0)
    assert measure(blank).upright_score == 0.0


def test_orientation_scorer_decides_the_180_turn(page):
    turned = np.ascontiguousarray(page[::-1, ::-1])

    def prefers_dark_bottom(img):  # a stand-in scorer: any higher-is-better callable
        g = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
        return float(g[: g.shape[0] // 2].mean())

    r = run(turned, "auto", engine="rapidocr", orientation_scorer=prefers_dark_bottom)
    expect_turn = prefers_dark_bottom(page) > prefers_dark_bottom(turned)
    assert ("rotate180" in names(r)) == expect_turn
    assert "orientation scorer" in (
        r.trace.steps[-1].reason if expect_turn else skipped(r, "rotate180")
    )


def test_big_photo_is_warped_and_shrunk_in_one_pass(photo):
    image, corners = photo
    big = cv2.resize(image, None, fx=2.5, fy=2.5, interpolation=cv2.INTER_CUBIC)
    r = run(big, "auto", engine="rapidocr")
    assert names(r)[0] == "perspective"
    assert "cap_size" not in names(r)
    assert max(r.image.shape[:2]) <= 2000
    # the page corners map to the output's corners
    out = r.map_box_to_output(np.asarray(corners) * 2.5)
    h, w = r.image.shape[:2]
    assert np.abs(out - np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])).max() < 0.02 * w


def test_outline_helpers_tell_rotation_and_frame_edges_from_perspective():
    from vlocr.preprocess.presets import _corners_on_frame, _rotated_rectangle

    angle = np.radians(4.0)
    rect = np.array([[0, 0], [400, 0], [400, 300], [0, 300]], float)
    rot = rect @ np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]]) + 100
    keystone = np.array([[120, 90], [520, 110], [560, 420], [80, 400]], float)
    assert _rotated_rectangle(rot)
    assert not _rotated_rectangle(keystone)
    assert (
        _corners_on_frame(np.array([[0, 0], [777, 88], [777, 804], [0, 804]], float), 778, 806) == 4
    )
    assert _corners_on_frame(keystone, 700, 600) == 0


def test_turned_screenshot_is_deskewed_not_warped(page):
    """A screenshot turned 4 degrees fills the frame: its 'outline' runs along the frame edges,
    and a warp to that outline would shear the text. auto must deskew instead."""
    h, w = page.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 4.0, 1.0)
    turned = cv2.warpAffine(page, m, (w, h), borderValue=(255, 255, 255))
    r = run(turned, "auto", engine="rapidocr")
    assert "perspective" not in names(r)
    assert "deskew" in names(r)


def test_gentle_slope_is_left_to_rapidocr(page):
    """A receipt turned 1.2 degrees: the rapidocr engine follows the rows itself, and the
    rotation's resampling only costs letters; other engines still get it deskewed."""
    turned = synth.rotate_page(page, 1.2)
    r = run(turned, "auto", engine="rapidocr")
    assert "deskew" not in names(r)
    assert "follows gently sloping rows" in skipped(r, "deskew")
    assert "deskew" in names(run(turned, "auto", engine="tesseract"))
    assert "deskew" in names(run(synth.rotate_page(page, 3.0), "auto", engine="rapidocr"))


def test_dim_grainy_shot_is_not_stretched(page):
    """Low contrast with sensor grain: stretching would amplify the grain with the ink, so a
    neural engine gets it as shot; a clean low-contrast page is still stretched."""
    dim = synth.low_contrast(page)
    grainy = synth.add_noise(dim, sigma=6.0)
    r = run(grainy, "auto", engine="rapidocr")
    assert "stretch" not in names(r) and "clahe" not in names(r)
    assert "grain" in skipped(r, "stretch")
    assert "stretch" in names(run(dim, "auto", engine="rapidocr"))


def test_out_of_focus_page_is_sharpened_for_rapidocr(page):
    blurred = cv2.GaussianBlur(page, (0, 0), 2.0)
    r = run(blurred, "auto", engine="rapidocr")
    assert "unsharp" in names(r)
    assert "out of focus" in r.trace.steps[names(r).index("unsharp")].reason
    assert "unsharp" not in names(run(page, "auto", engine="rapidocr"))
    assert "unsharp" not in names(run(blurred, "auto", engine="tesseract"))
