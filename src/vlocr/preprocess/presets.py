"""Named preprocessing pipelines (``none``, ``seed``, ``auto``) and custom step lists.

``auto`` measures first and applies only what the measurements call for, each with a reason;
neural engines (RapidOCR, Qwen-VL) read natural gray/colour images best, so it never binarises
for them, and a clean, flat, upright, well-sized image is returned untouched.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from vlocr.errors import InvalidOptionError, VlocrError
from vlocr.preprocess import geometry as geo
from vlocr.preprocess import steps as px
from vlocr.preprocess._util import apply_matrix, check_image, shrink, to_gray, to_rgb
from vlocr.preprocess.measure import Measurements, measure, measure_with_copy
from vlocr.results import PreprocessTrace, StepTrace

# engines that scale their own detector input (vlocr's from the measured text height, plain
# RapidOCR up to a 736 px short side): upscaling first only hurts (bench, low_res group:
# rapidocr 0.53% untouched vs 0.67% upscaled; plain PP-OCRv6 0.4% vs 2.4%)
SELF_SCALING_ENGINES = frozenset({"rapidocr", "rapidocr-v4", "rapidocr-v6"})
# engines that turn sideways / upside-down pages themselves (the 0/180 classifier votes over
# the widest lines): turning first from glyph statistics only adds a chance to get it wrong
# (bench, rotate group: CER 0.2% left to the engine vs 7.0% turned by auto first)
SELF_ORIENTING_ENGINES = frozenset({"rapidocr"})


def _measured_text_px(image: np.ndarray) -> float:
    th = measure(image).text_height_px
    return th if th is not None else 20.0


def _upscale(
    image: np.ndarray,
    text_px: float | None = None,
    target_px: float = 20.0,
    max_scale: float = 3.0,
    max_side: int = 4000,
) -> tuple[np.ndarray, np.ndarray]:
    """Enlarge small text to ``target_px`` (text height measured when not given)."""
    text_px = _measured_text_px(image) if text_px is None else text_px
    return geo.upscale_text(image, text_px, target_px, max_scale, max_side)


def _flatten(image: np.ndarray, text_px: float | None = None, work_side: int = 320) -> np.ndarray:
    """Illumination flattening (text height measured when not given)."""
    text_px = _measured_text_px(image) if text_px is None else text_px
    return px.flatten(image, text_px, work_side)


STEPS: dict[str, Callable[..., Any]] = {
    # pixel steps: image -> image
    "grayscale": px.grayscale,
    "clahe": px.clahe,
    "sharpen": px.sharpen,
    "unsharp": px.unsharp,
    "stretch": px.stretch,
    "otsu": px.otsu,
    "adaptive": px.adaptive,
    "sauvola": px.sauvola,
    "morph_close": px.morph_close,
    "denoise": px.denoise,
    "flatten": _flatten,
    # geometric steps: image -> (image, 3x3 matrix input -> output)
    "resize": geo.resize,
    "upscale": _upscale,
    "cap_size": geo.cap_size,
    "deskew": geo.deskew,
    "orient": geo.orient,
    "rotate180": geo.rotate180,
    "perspective": geo.perspective,
    "trim": geo.trim,
}
GEOMETRIC = frozenset(
    {"resize", "upscale", "cap_size", "deskew", "orient", "rotate180", "perspective", "trim"}
)

SEED_STEPS: list[tuple[str, dict[str, Any]]] = [
    ("grayscale", {}),
    ("resize", {"long_side": 800, "interpolation": cv2.INTER_CUBIC}),
    ("clahe", {"clip": 2.0, "tiles": 8}),
    ("sharpen", {}),
    ("otsu", {}),
    ("morph_close", {"size": 2}),
]

PIPELINES: dict[str, str] = {
    "none": "identity: the image as decoded",
    "seed": "the reference article's 7 steps: gray, long side 800 (cubic), CLAHE 2.0/8x8, "
    "3x3 sharpen, Otsu, 2x2 close (binary output; hurts neural OCR on real scans)",
    "auto": "measure text size, contrast, noise, skew, page outline and lighting, then apply only "
    "what helps (never binarises for neural engines; clean images pass untouched)",
}

AUTO_DEFAULTS: dict[str, Any] = {
    "work_side": 1000,  # measurements run on a copy with this long side
    "min_text_px": 12.0,  # upscale when the median glyph is shorter than this
    "target_text_px": 20.0,  # ... to this height
    "max_upscale": 3.0,
    "max_side": None,  # long-side cap; None = 2000 for RapidOCR (it shrinks to 2000 itself), else 4000
    "skew_min_deg": 0.5,
    # the rapidocr engine follows rows sloping by a degree or two itself, and a rotation's
    # resampling costs a blurred or JPEG-damaged receipt letters: 7 of 8 dev pages deskewed by
    # 0.5-1.9 deg read worse (20 degraded + 25 clean, scripts/small_text_bench.py)
    "skew_min_deg_self_orienting": 2.0,
    "skew_max_deg": 15.0,
    "skew_min_confidence": 1.5,
    "orientation_min_ratio": 2.0,
    "illumination_max": 0.20,  # flatten above this background variation
    "contrast_min": 90.0,  # stretch/CLAHE below this paper-ink contrast (gray levels)
    # a dim, grainy shot: stretching its contrast for a neural engine amplifies the grain as
    # much as the ink (2 of 3 low-light receipts read worse, char errors 4.8 -> 8.1%, 1.2 -> 2.8%)
    "stretch_max_noise_neural": 3.0,
    # out-of-focus text (Laplacian variance of the measuring copy below this) gets a gentle
    # unsharp mask for the PP-OCR engines when its letters are at least sharpen_min_text_px tall:
    # blurred dev receipts, char errors 6.6 -> 5.2% on 3 (tuning) and 10.4 -> 10.1% on 9 others
    # (blur and phone-photo); on small letters it made things worse, and clean scans measure
    # above 2000
    "sharpen_max_blur_var": 1000.0,
    "sharpen_min_text_px": 10.0,
    "noise_max": 15.0,  # denoise above this noise sigma (gray levels) for Tesseract
    # neural recognisers read noisy pages better untouched (bench noise group, sigma up to 30 +
    # 1% salt and pepper: a median filter raised CER 0.26% -> 0.79%); only extreme noise counts
    "noise_max_neural": 40.0,
    "orientation_scorer": None,  # optional callable(image) -> score, picks 0 vs 180
    # callable(image) -> orientation.Orientation; None: the line classifier + Tesseract OSD
    # (preprocess/orientation.py), used for engines that do not turn pages themselves
    "orientation_detector": None,
    "warp_page": True,  # False: never warp to a page outline (the service's check without it)
}


def describe() -> str:
    """Help text listing pipelines and steps (for ``--help``)."""
    lines = ["Preprocessing pipelines:"]
    lines += [f"  {name:<6} {text}" for name, text in PIPELINES.items()]
    lines.append("Or a comma-separated list of steps, run in order with default parameters:")
    lines.append("  " + ", ".join(STEPS))
    return "\n".join(lines)


@dataclass
class Preprocessed:
    """The processed image (RGB uint8, always 3 channels), what was done, and the geometry."""

    image: np.ndarray
    trace: PreprocessTrace
    matrix: np.ndarray = field(default_factory=lambda: np.eye(3))

    def map_points_to_original(
        self, points: Sequence[Sequence[float]]
    ) -> list[tuple[float, float]]:
        inv = np.linalg.inv(self.matrix)
        return [(float(x), float(y)) for x, y in apply_matrix(inv, np.asarray(points, float))]

    def map_box_to_original(self, quad: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
        """Map a box (any number of (x, y) points, usually 4) from the output image back to the input."""
        return self.map_points_to_original(quad)

    def map_box_to_output(self, quad: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
        return [(float(x), float(y)) for x, y in apply_matrix(self.matrix, np.asarray(quad, float))]


class _Runner:
    """Applies steps one by one, composing the matrix and recording the trace."""

    def __init__(self, image: np.ndarray, name: str) -> None:
        self.image = image
        self.matrix = np.eye(3)
        self.trace = PreprocessTrace(pipeline=name, input_size=(image.shape[1], image.shape[0]))

    def apply(self, step: str, params: dict[str, Any] | None = None, reason: str = "") -> None:
        params = dict(params or {})
        fn = STEPS[step]
        t0 = time.perf_counter()
        try:
            out = fn(self.image, **params)
        except TypeError as exc:
            raise InvalidOptionError(
                f"bad parameters for preprocessing step {step!r}: {exc}",
                "check the step's parameter names with vlocr.preprocess.describe()",
            ) from exc
        if step in GEOMETRIC:
            out, m = out
            self.matrix = np.asarray(m, float) @ self.matrix
        self.image = out
        shown = {
            k: (round(v, 3) if isinstance(v, float) else v)
            for k, v in params.items()
            if not callable(v)
        }
        self.trace.steps.append(StepTrace(name=step, params=shown, reason=reason, ms=_ms(t0)))

    def skip(self, step: str, why: str) -> None:
        self.trace.skipped.append(StepTrace(name=step, reason=why))

    def finish(self, t_start: float) -> Preprocessed:
        img = to_rgb(self.image)
        self.trace.output_size = (img.shape[1], img.shape[0])
        self.trace.total_ms = _ms(t_start)
        return Preprocessed(image=np.ascontiguousarray(img), trace=self.trace, matrix=self.matrix)


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000.0, 3)


def _parse(pipeline: str | Sequence[str]) -> tuple[str, list[str]]:
    if isinstance(pipeline, str):
        name = pipeline.strip().lower()
        if name in PIPELINES:
            return name, []
        names = [p.strip().lower() for p in name.split(",") if p.strip()]
    else:
        names = [str(p).strip().lower() for p in pipeline]
    unknown = [n for n in names if n not in STEPS]
    if unknown or not names:
        raise InvalidOptionError(
            f"unknown preprocessing pipeline or step: {', '.join(unknown) or repr(pipeline)}",
            f"use one of the pipelines {', '.join(PIPELINES)} or a comma-separated list of steps: "
            + ", ".join(STEPS),
        )
    return "custom:" + ",".join(names), names


def check_pipeline(pipeline: str | Sequence[str]) -> None:
    """Raise ``InvalidOptionError`` for an unknown pipeline or step, before any image is read,
    so a bad ``-p`` is reported once and not once per file."""
    _parse(pipeline)


def _split_params(params: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Split **params into per-step overrides (``clahe={"clip": 3}``) and auto options."""
    per_step: dict[str, dict[str, Any]] = {}
    auto: dict[str, Any] = {}
    for key, value in params.items():
        if key in STEPS:
            if not isinstance(value, dict):
                raise InvalidOptionError(
                    f"parameters for step {key!r} must be a dict, got {type(value).__name__}",
                    f"pass e.g. {key}={{...}}",
                )
            per_step[key] = value
        elif key in AUTO_DEFAULTS:
            auto[key] = value
        else:
            raise InvalidOptionError(
                f"unknown preprocessing option {key!r}",
                "options are step names with a dict of parameters, or: " + ", ".join(AUTO_DEFAULTS),
            )
    return per_step, auto


def run(
    image: np.ndarray,
    pipeline: str | Sequence[str] = "auto",
    *,
    engine: str | None = None,
    **params: Any,
) -> Preprocessed:
    """Preprocess ``image`` (RGB or gray uint8) with a named pipeline or a list of steps.

    ``params``: per-step overrides as dicts (``clahe={"clip": 3.0}``) and ``auto`` options
    (see ``AUTO_DEFAULTS``). ``engine`` tells ``auto`` who reads the result: binarisation is
    only considered for ``tesseract``.
    """
    t_start = time.perf_counter()
    name, custom = _parse(pipeline)
    per_step, auto_opts = _split_params(params)
    image = check_image(image)
    runner = _Runner(image, name)
    if name == "none":
        runner.trace.steps = []
    elif name == "seed":
        for step, p in SEED_STEPS:
            runner.apply(step, {**p, **per_step.get(step, {})}, reason="reference article pipeline")
    elif name == "auto":
        _auto(runner, engine, per_step, {**AUTO_DEFAULTS, **auto_opts})
    else:
        for step in custom:
            p = dict(per_step.get(step, {}))
            if step == "orient" and auto_opts.get("orientation_scorer") is not None:
                p.setdefault("orientation_scorer", auto_opts["orientation_scorer"])
            runner.apply(step, p, reason="requested")
    return runner.finish(t_start)


# ---- auto ------------------------------------------------------------------------------------


def _text_outside_quad(
    gray_small: np.ndarray, quad_small: np.ndarray, c_in: float = 40.0, c_out: float = 70.0
) -> tuple[int, int]:
    """Strong glyph-like components (inside, outside) the quad, on the measurement copy.

    Outside, a high threshold offset ``c_out`` ignores table/cloth/wood texture around a
    photographed page while real print (light on dark or dark on light) still counts, so a dark
    panel with text in a screenshot is not cropped away.
    """
    poly = quad_small.astype(np.float32).reshape(-1, 1, 2)
    counts = [0, 0]
    for img, c, sides in (
        (gray_small, c_in, (0,)),
        (gray_small, c_out, (1,)),
        (255 - gray_small, c_out, (1,)),
    ):
        stats, keep = geo.glyph_components(geo.text_mask(img, c=c))
        stats = stats[keep]
        for x, y, w, h, _ in stats:
            inside = cv2.pointPolygonTest(poly, (float(x + w / 2), float(y + h / 2)), False) >= 0
            idx = 0 if inside else 1
            if idx in sides:
                counts[idx] += 1
    return counts[0], counts[1]


def _axis_aligned(quad: np.ndarray, to_work: float, tol_px: float = 4.0) -> bool:
    """True when every side of ``quad`` is horizontal or vertical within ``tol_px`` work pixels."""
    q = quad * to_work
    tl, tr, br, bl = q
    return bool(
        max(abs(tl[1] - tr[1]), abs(bl[1] - br[1]), abs(tl[0] - bl[0]), abs(tr[0] - br[0]))
        <= tol_px
    )


def _corners_on_frame(quad: np.ndarray, width: int, height: int, tol: float = 0.01) -> int:
    """How many corners of ``quad`` (original pixels) lie on the image border."""
    margin_x, margin_y = tol * width + 1, tol * height + 1
    return sum(
        1
        for x, y in np.asarray(quad, float)
        if x <= margin_x or y <= margin_y or x >= width - 1 - margin_x or y >= height - 1 - margin_y
    )


def _rotated_rectangle(
    quad: np.ndarray, angle_tol_deg: float = 1.5, side_tol: float = 0.02
) -> bool:
    """True when ``quad`` is a rectangle turned in the plane (right corners, equal opposite
    sides): a rotation, which deskew undoes without cropping or resampling through a warp."""
    q = np.asarray(quad, float)
    sides = [q[(i + 1) % 4] - q[i] for i in range(4)]
    lengths = [float(np.hypot(*s)) for s in sides]
    if min(lengths) <= 0:
        return False
    for i in range(4):
        a, b = sides[i - 1], sides[i]
        cos = abs(float(np.dot(a, b))) / (lengths[i - 1] * lengths[i])
        if np.degrees(np.arcsin(min(1.0, cos))) > angle_tol_deg:
            return False
    return abs(lengths[0] - lengths[2]) <= side_tol * max(lengths[0], lengths[2]) and abs(
        lengths[1] - lengths[3]
    ) <= side_tol * max(lengths[1], lengths[3])


def _orient_by_readers(
    runner: _Runner,
    m: Measurements,
    o: dict[str, Any],
    p: Callable[..., dict[str, Any]],
    remeasure: Callable[[str], Measurements],
) -> Measurements:
    """Turn the page as the line classifier and Tesseract's OSD agree (any script; see
    ``preprocess/orientation.py``); glyph geometry only knows Latin and is not asked."""
    detector = o["orientation_detector"]
    if detector is None:
        from vlocr.preprocess.orientation import detect as detector
    try:
        found = detector(runner.image)
    except VlocrError as err:  # the bundled models or Tesseract unusable: leave the page
        runner.skip("orient", f"left as is: no orientation check ({err.message})")
        runner.skip("rotate180", f"left as is: no orientation check ({err.message})")
        return m
    turns = int(found.turns) % 4
    if turns in (1, 3):
        runner.apply("orient", p("orient", quarter_turns=turns), found.reason)
        runner.skip("rotate180", "turned with the sideways step")
        return remeasure("orient")
    runner.skip("orient", found.reason)
    if turns == 2:
        runner.apply("rotate180", {}, found.reason)
        return remeasure("rotate180")
    runner.skip("rotate180", found.reason)
    return m


def _orient_by_geometry(
    runner: _Runner,
    m: Measurements,
    o: dict[str, Any],
    p: Callable[..., dict[str, Any]],
    enough_text: bool,
    remeasure: Callable[[str], Measurements],
) -> Measurements:
    """With an ``orientation_scorer``: glyph geometry finds sideways lines, the scorer picks
    between a turn and its 180-degree opposite."""
    if enough_text and m.orientation_ratio >= o["orientation_min_ratio"]:
        runner.apply(
            "orient",
            p(
                "orient",
                min_ratio=o["orientation_min_ratio"],
                orientation_scorer=o["orientation_scorer"],
            ),
            f"text lines run vertically (vertical/horizontal score {m.orientation_ratio:.2f})",
        )
        m = remeasure("orient")
    else:
        runner.skip(
            "orient",
            f"text lines are horizontal (vertical/horizontal score {m.orientation_ratio:.2f})"
            if enough_text
            else f"too little text to judge ({m.glyphs} glyphs)",
        )
    _upright(runner, m, o, enough_text)
    if runner.trace.steps and runner.trace.steps[-1].name == "rotate180":
        m = remeasure("rotate180")
    return m


def _upright(runner: _Runner, m: Measurements, o: dict[str, Any], enough_text: bool) -> None:
    """Turn the page by 180 degrees when the ``orientation_scorer`` prefers it turned (it
    compares the page and its 180-degree turn on the measurement copy)."""
    scorer = o["orientation_scorer"]
    if not enough_text:
        runner.skip("rotate180", f"too little text to judge ({m.glyphs} glyphs)")
        return
    small, _ = shrink(to_gray(runner.image), o["work_side"])
    turned = np.ascontiguousarray(small[::-1, ::-1])
    keep, flip = float(scorer(small)), float(scorer(turned))
    if flip > keep:
        runner.apply("rotate180", {}, f"orientation scorer: {flip:.3f} turned vs {keep:.3f}")
    else:
        runner.skip("rotate180", f"orientation scorer: {keep:.3f} as is vs {flip:.3f} turned")


def _warp_enlargement(
    text_px: float | None, page_size: tuple[int, int], max_side: int, o: dict[str, Any]
) -> float:
    """How much the perspective warp enlarges a page whose text is small.

    The warp resamples every letter once more. At 1:1 that interpolation blurs letters of
    6-8 px past reading, and the engine's own enlarged crops cannot get the detail back (a
    dense Chinese page in a 1000 px photo, text 6 px: char F1 0.852 unwarped, 0.831 warped at
    1x, 0.889 at 1.5x; `scripts/photo_bench.py`). So text under ``min_text_px`` is brought
    up to it in the warp, at most ``max_upscale`` x and to a ``max_side`` long side."""
    if text_px is None or text_px >= o["min_text_px"]:
        return 1.0
    limit = max_side / max(1, *page_size)
    return max(1.0, min(o["max_upscale"], o["min_text_px"] / text_px, limit))


def _auto(
    runner: _Runner, engine: str | None, per_step: dict[str, dict[str, Any]], o: dict[str, Any]
) -> None:
    eng = (engine or "").lower()
    tesseract = eng.startswith("tesseract")
    max_side = o["max_side"] or (2000 if eng.startswith("rapidocr") or eng == "" else 4000)
    t0 = time.perf_counter()
    m, small0, small0_scale = measure_with_copy(runner.image, o["work_side"])
    runner.trace.measurements = m.as_dict()
    runner.trace.measurements["measure_ms"] = _ms(t0)
    runner.trace.measurements["engine"] = engine
    remeasured: list[dict[str, Any]] = []

    def p(step: str, **defaults: Any) -> dict[str, Any]:
        return {**defaults, **per_step.get(step, {})}

    def scale_now() -> float:
        """Linear scale of the current image relative to the one ``m`` was measured on."""
        return float(np.sqrt(abs(np.linalg.det(runner.matrix[:2, :2])))) / base_scale[0]

    base_scale = [1.0]

    def remeasure(after: str) -> Measurements:
        t = time.perf_counter()
        new = measure(runner.image, o["work_side"])
        d = new.as_dict()
        d["after"], d["measure_ms"] = after, _ms(t)
        remeasured.append(d)
        base_scale[0] = float(np.sqrt(abs(np.linalg.det(runner.matrix[:2, :2]))))
        return new

    # 1. size: shrink huge images whose text stays tall (decided now, done in step 2's warp
    # when there is one, so a large photo is read at full resolution only once)
    th = m.text_height_px
    h, w = runner.image.shape[:2]
    shrink_to = max_side / max(h, w)
    cap = False
    if shrink_to >= 1.0:
        runner.skip("cap_size", f"long side {max(h, w)} <= {max_side}")
    elif th is None or th * shrink_to < 1.5 * o["min_text_px"]:
        runner.skip(
            "cap_size",
            "no text size measured"
            if th is None
            else f"shrinking to {max_side} px would leave text {th * shrink_to:.1f} px tall",
        )
    else:
        cap = True
    cap_reason = (
        f"long side {max(h, w)} > {max_side}; text stays {(th or 0) * shrink_to:.1f} px tall"
    )

    # 2. page outline: warp a photographed page to a flat rectangle
    warped = False
    if not o["warp_page"]:
        runner.skip("perspective", "turned off")
    elif m.page_quad is None:
        runner.skip("perspective", "no page outline found against a darker background")
    elif m.page_is_frame:
        runner.skip("perspective", "the page fills the frame")
    elif _axis_aligned(np.array(m.page_quad, float), small0_scale):
        runner.skip(
            "perspective",
            "the outline is an upright rectangle (a screenshot panel or a flat scan): "
            "warping would only crop",
        )
    elif _corners_on_frame(np.array(m.page_quad, float), m.width, m.height) >= 3:
        runner.skip(
            "perspective",
            "the outline runs along the frame edges (a turned screenshot or a cropped scan, "
            "not a page on a background): deskew handles the slope",
        )
    elif _rotated_rectangle(np.array(m.page_quad, float)):
        runner.skip(
            "perspective",
            "the outline is a rectangle turned in the plane: deskew undoes that without cropping",
        )
    else:
        quad = np.array(m.page_quad, float)
        inside, outside = _text_outside_quad(small0, quad * small0_scale)
        if inside < 5 or outside > 0.25 * (inside + outside):
            runner.skip(
                "perspective",
                f"text outside the page outline ({outside} of {inside + outside} glyphs)",
            )
        else:
            scale = shrink_to if cap else 1.0
            note = f"; shrunk in the same warp ({cap_reason})" if cap else ""
            grow = _warp_enlargement(th, geo.quad_size(quad), max(max_side, h, w), o)
            if not cap and grow > 1.0:
                scale = grow
                note = f"; enlarged {grow:.2f}x in the same warp (text {th:.1f} px)"
            runner.apply(
                "perspective",
                p("perspective", quad=quad, scale=scale),
                f"page outline covers {m.page_area_frac:.0%} of the frame and is not the frame"
                + note,
            )
            runner.trace.steps[-1].params["quad"] = [
                [round(x, 1), round(y, 1)] for x, y in m.page_quad
            ]
            warped = True
            m = remeasure("perspective")
    if cap and not warped:
        runner.apply("cap_size", p("cap_size", max_side=max_side), cap_reason)

    # 3. sideways and upside-down pages
    enough_text = m.glyphs >= 30
    if eng in SELF_ORIENTING_ENGINES and o["orientation_scorer"] is None:
        reason = f"the {eng} engine turns sideways and upside-down pages itself"
        runner.skip("orient", reason)
        runner.skip("rotate180", reason)
    elif o["orientation_scorer"] is not None:
        m = _orient_by_geometry(runner, m, o, p, enough_text, remeasure)
    elif not enough_text:
        runner.skip("orient", f"too little text to judge ({m.glyphs} glyphs)")
        runner.skip("rotate180", f"too little text to judge ({m.glyphs} glyphs)")
    else:
        m = _orient_by_readers(runner, m, o, p, remeasure)

    # 4. skew
    a = m.skew_deg
    skew_min = o["skew_min_deg"]
    if eng in SELF_ORIENTING_ENGINES:
        skew_min = max(skew_min, o["skew_min_deg_self_orienting"])
    if abs(a) < skew_min:
        runner.skip(
            "deskew",
            f"skew {a:+.2f} deg is below {skew_min} deg"
            + (
                f" (the {eng} engine follows gently sloping rows)"
                if skew_min > o["skew_min_deg"]
                else ""
            ),
        )
    elif abs(a) > o["skew_max_deg"] - 0.1:
        runner.skip("deskew", f"skew {a:+.2f} deg is at the search limit (not trusted)")
    elif m.skew_confidence < o["skew_min_confidence"] or not enough_text:
        runner.skip(
            "deskew", f"skew {a:+.2f} deg found with low confidence {m.skew_confidence:.2f}"
        )
    else:
        runner.apply("deskew", p("deskew", angle=a), f"text lines tilted {a:+.2f} deg")

    text_now = (m.text_height_px or 12.0) * scale_now()

    # 5. noise
    noise_max = o["noise_max"] if tesseract else o["noise_max_neural"]
    if m.noise_sigma > noise_max:
        runner.apply(
            "denoise",
            p("denoise", method="median", strength=3),
            f"noise sigma {m.noise_sigma:.1f} > {noise_max}",
        )
    else:
        runner.skip(
            "denoise",
            f"noise sigma {m.noise_sigma:.1f} <= {noise_max}"
            + ("" if tesseract else " (neural recognisers read through noise)"),
        )

    # 6. lighting
    flattened = False
    if m.illumination_var > o["illumination_max"]:
        runner.apply(
            "flatten",
            p("flatten", text_px=text_now),
            f"paper brightness varies {m.illumination_var:.0%} across the page (shadow/uneven light)",
        )
        flattened = True
    else:
        runner.skip(
            "flatten",
            f"paper brightness varies {m.illumination_var:.0%} (<= {o['illumination_max']:.0%})",
        )

    # 7. contrast
    if (
        not tesseract
        and m.noise_sigma > o["stretch_max_noise_neural"]
        and m.ink_contrast < o["contrast_min"]
    ):
        runner.skip(
            "stretch",
            f"ink contrast {m.ink_contrast:.0f} is low but noise sigma {m.noise_sigma:.1f} > "
            f"{o['stretch_max_noise_neural']}: stretching would amplify the grain too",
        )
    elif m.ink_contrast >= o["contrast_min"] or m.glyphs < 5:
        runner.skip(
            "stretch",
            f"ink contrast {m.ink_contrast:.0f} >= {o['contrast_min']:.0f}"
            if m.glyphs >= 5
            else "no text found to judge contrast",
        )
    elif flattened or m.range_p1_p99 < 200:
        runner.apply(
            "stretch", p("stretch"), f"ink contrast {m.ink_contrast:.0f} < {o['contrast_min']:.0f}"
        )
    else:
        runner.apply(
            "clahe",
            p("clahe", clip=2.0, tiles=8),
            f"ink contrast {m.ink_contrast:.0f} is low while the global range is wide: local equalisation",
        )

    # 7b. focus blur (measured with the PP-OCR engines only)
    if eng not in SELF_SCALING_ENGINES:
        runner.skip("unsharp", "only measured to help the PP-OCR engines")
    elif m.glyphs < 5:
        runner.skip("unsharp", "no text found to judge focus")
    elif m.blur_laplacian_var >= o["sharpen_max_blur_var"]:
        runner.skip("unsharp", f"sharp enough (Laplacian variance {m.blur_laplacian_var:.0f})")
    elif m.noise_sigma > o["stretch_max_noise_neural"]:
        runner.skip("unsharp", f"noise sigma {m.noise_sigma:.1f}: sharpening would raise the grain")
    elif text_now < o["sharpen_min_text_px"]:
        runner.skip("unsharp", f"text {text_now:.1f} px is too small to sharpen without harm")
    else:
        runner.apply(
            "unsharp",
            p("unsharp", sigma=1.0, amount=0.6),
            f"out of focus (Laplacian variance {m.blur_laplacian_var:.0f} < "
            f"{o['sharpen_max_blur_var']:.0f})",
        )

    # 8. small text: enlarge last, so the pixel steps above ran at native resolution
    th = m.text_height_px
    h, w = runner.image.shape[:2]
    if eng in SELF_SCALING_ENGINES:
        runner.skip("upscale", f"{eng} scales its detector input to the text itself")
    elif th is None:
        runner.skip("upscale", "no text size measured")
    elif th * scale_now() >= o["min_text_px"]:
        runner.skip(
            "upscale", f"text is {th * scale_now():.1f} px tall (>= {o['min_text_px']:.0f})"
        )
    else:
        tn = th * scale_now()
        runner.apply(
            "upscale",
            p(
                "upscale",
                text_px=tn,
                target_px=o["target_text_px"],
                max_scale=o["max_upscale"],
                max_side=max(max_side, max(h, w)),
            ),
            f"text is {tn:.1f} px tall (< {o['min_text_px']:.0f}); recognisers read ~{o['target_text_px']:.0f}+ px best",
        )

    # 9. binarisation: only for Tesseract
    if not tesseract:
        runner.skip("binarize", "neural engines read gray/colour better than binary")
    elif (
        flattened
        or m.illumination_var > o["illumination_max"] / 2
        or m.noise_sigma > o["noise_max"]
    ):
        runner.apply(
            "sauvola",
            p("sauvola", window=max(15, int(text_now * 2) | 1)),
            "tesseract: local threshold for uneven or noisy paper",
        )
    else:
        runner.skip("binarize", "tesseract thresholds clean, even pages well by itself")
    if remeasured:
        runner.trace.measurements["remeasured"] = remeasured
