"""run(): named pipelines, custom lists, auto decisions, trace and box mapping."""

import cv2
import numpy as np
import pytest

from vlocr.errors import InvalidImageError, InvalidOptionError
from vlocr.eval.synth import pages as synth
from vlocr.preprocess import PIPELINES, STEPS, describe, run
from vlocr.preprocess import geometry as geo


def gray(img):
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


def names(result):
    return [s.name for s in result.trace.steps]


def test_none_is_identity_with_trace(page):
    r = run(page, "none")
    assert np.array_equal(r.image, page)
    assert np.allclose(r.matrix, np.eye(3))
    assert r.trace.pipeline == "none" and r.trace.steps == []
    assert r.trace.input_size == r.trace.output_size == (page.shape[1], page.shape[0])


def test_gray_input_comes_back_rgb(page):
    r = run(gray(page), "none")
    assert r.image.shape == page.shape and r.image.dtype == np.uint8


def test_seed_is_the_article_pipeline(page):
    r = run(page, "seed")
    assert names(r) == ["grayscale", "resize", "clahe", "sharpen", "otsu", "morph_close"]
    assert max(r.image.shape[:2]) == 800
    assert set(np.unique(r.image)) <= {0, 255}
    assert r.image.shape[2] == 3
    assert r.trace.steps[2].params == {"clip": 2.0, "tiles": 8}
    # same as the article's code, step for step
    g = gray(page)
    s = 800 / max(g.shape)
    ref = cv2.resize(
        g, (round(g.shape[1] * s), round(g.shape[0] * s)), interpolation=cv2.INTER_CUBIC
    )
    ref = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(ref)
    ref = cv2.filter2D(ref, -1, np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]))
    _, ref = cv2.threshold(ref, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ref = cv2.morphologyEx(ref, cv2.MORPH_CLOSE, np.ones((2, 2), np.uint8))
    assert np.array_equal(r.image[:, :, 0], ref)
    # the resize shows up in the matrix
    assert r.matrix[0, 0] == pytest.approx(r.image.shape[1] / page.shape[1])


def test_auto_leaves_clean_page_alone(page):
    r = run(page, "auto")
    assert names(r) == []
    assert np.array_equal(r.image, page)
    assert np.allclose(r.matrix, np.eye(3))
    skipped = {s.name: s.reason for s in r.trace.skipped}
    assert {"deskew", "flatten", "stretch", "upscale", "perspective", "binarize"} <= set(skipped)
    assert all(reason for reason in skipped.values())


def test_auto_trace_has_measurements(page):
    r = run(page, "auto", engine="rapidocr")
    m = r.trace.measurements
    for key in (
        "text_height_px",
        "ink_contrast",
        "blur_laplacian_var",
        "noise_sigma",
        "skew_deg",
        "orientation_ratio",
        "page_quad",
        "illumination_var",
        "measure_ms",
    ):
        assert key in m
    assert 15 <= m["text_height_px"] <= 24
    assert r.trace.total_ms > 0 and r.trace.pipeline == "auto"


@pytest.mark.parametrize("angle", [3.0, -7.5])
def test_auto_deskews(page, angle):
    r = run(synth.rotate_page(page, angle), "auto")
    assert names(r) == ["deskew"]
    assert "tilted" in r.trace.steps[0].reason
    residual, _ = geo.estimate_skew(gray(r.image))
    assert abs(residual) <= 0.5


def test_auto_warps_photographed_page_and_maps_boxes_back(photo, page):
    image, corners = photo
    r = run(image, "auto")
    assert names(r)[0] == "perspective"
    ph, pw = page.shape[:2]
    oh, ow = r.image.shape[:2]
    assert abs(ow / oh - pw / ph) / (pw / ph) < 0.05
    # the output's corners map back onto the page corners in the photo
    back = np.array(r.map_box_to_original([[0, 0], [ow - 1, 0], [ow - 1, oh - 1], [0, oh - 1]]))
    assert np.abs(back - corners).max() < 8


def test_auto_flattens_shadow(page):
    shaded = synth.shadow(page, 0.55)
    r = run(shaded, "auto")
    assert "flatten" in names(r)
    paper = gray(page) > 200
    assert gray(r.image)[paper].std() < 0.3 * gray(shaded)[paper].std()


def test_auto_stretches_low_contrast(page):
    r = run(synth.low_contrast(page), "auto")
    assert names(r) == ["stretch"]
    lo, hi = np.percentile(gray(r.image), [1, 99])
    assert hi - lo > 200


def test_auto_upscales_tiny_text():
    tiny = synth.render_text(font_px=9)
    r = run(tiny, "auto")
    assert names(r) == ["upscale"]
    assert r.image.shape[0] > 2 * tiny.shape[0]
    assert r.trace.measurements["text_height_px"] < 12


def test_auto_turns_sideways_page(page):
    r = run(np.ascontiguousarray(np.rot90(page)), "auto")
    assert names(r)[0] == "orient"
    assert r.image.shape == page.shape


def test_auto_never_binarises_for_neural_engines_but_may_for_tesseract(page):
    shaded = synth.shadow(page, 0.6)
    for engine in ("rapidocr", "rapidocr-v4", "rapidocr-v6", "vlm", None):
        r = run(shaded, "auto", engine=engine)
        assert not {"otsu", "sauvola", "adaptive"} & set(names(r))
        assert len(np.unique(r.image)) > 2
    r = run(shaded, "auto", engine="tesseract")
    assert "sauvola" in names(r)


def test_auto_survives_odd_inputs():
    for img in (
        np.zeros((5, 5, 3), np.uint8),
        np.full((300, 200), 255, np.uint8),
        np.random.default_rng(0).integers(0, 256, (400, 300, 3), dtype=np.uint8),
        np.zeros((1, 900, 3), np.uint8),
    ):
        r = run(img, "auto")
        assert r.image.ndim == 3 and r.image.dtype == np.uint8


def test_custom_list_and_string(page):
    rotated = synth.rotate_page(page, 4.0)
    a = run(rotated, ["clahe", "deskew"])
    b = run(rotated, "clahe, deskew")
    assert names(a) == names(b) == ["clahe", "deskew"]
    assert a.trace.pipeline == "custom:clahe,deskew"
    assert np.array_equal(a.image, b.image)
    assert not np.allclose(a.matrix, np.eye(3))


def test_per_step_params(page):
    r = run(page, ["clahe"], clahe={"clip": 4.0, "tiles": 4})
    assert r.trace.steps[0].params == {"clip": 4.0, "tiles": 4}


def test_unknown_step_lists_known_ones(page):
    with pytest.raises(InvalidOptionError) as e:
        run(page, ["clahe", "blurify"])
    assert "blurify" in e.value.message
    assert "deskew" in e.value.hint and "auto" in e.value.hint


def test_unknown_option_and_bad_step_params(page):
    with pytest.raises(InvalidOptionError):
        run(page, "auto", nonsense=1)
    with pytest.raises(InvalidOptionError):
        run(page, ["clahe"], clahe={"nope": 1})


def test_invalid_image():
    with pytest.raises(InvalidImageError):
        run(np.zeros((0, 0, 3), np.uint8))
    with pytest.raises(InvalidImageError):
        run("not an image")  # type: ignore[arg-type]


def test_registry_and_describe():
    assert set(PIPELINES) == {"none", "seed", "auto"}
    for step in (
        "resize",
        "grayscale",
        "clahe",
        "sharpen",
        "otsu",
        "sauvola",
        "adaptive",
        "morph_close",
        "denoise",
        "flatten",
        "deskew",
        "orient",
        "perspective",
        "trim",
    ):
        assert step in STEPS and step in describe()


def test_matrix_composes_over_several_geometric_steps(page):
    rotated = synth.rotate_page(page, 5.0)
    r = run(rotated, ["deskew", "resize"], resize={"long_side": 500})
    assert max(r.image.shape[:2]) == 500
    # a box around a word in the output maps back onto dark pixels of the input
    g_out = gray(r.image)
    ys, xs = np.nonzero(g_out < 80)
    pts = np.stack([xs[::53], ys[::53]], axis=1).astype(float)
    back = np.array(r.map_box_to_original(pts))
    vals = gray(rotated)[
        np.clip(back[:, 1].round().astype(int), 0, rotated.shape[0] - 1),
        np.clip(back[:, 0].round().astype(int), 0, rotated.shape[1] - 1),
    ]
    assert np.median(vals) < 140
    fwd = np.array(r.map_box_to_output(back))
    assert np.abs(fwd - pts).max() < 1e-6
