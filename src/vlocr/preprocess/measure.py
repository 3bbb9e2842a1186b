"""Cheap measurements that ``auto`` decides from: text size, contrast, blur, noise, skew,
orientation, page quadrilateral and uneven lighting.

Everything runs on a gray copy shrunk to ``work_side`` (plus one full-resolution crop for noise
and for small text), so the cost stays nearly flat as the input grows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

from vlocr.preprocess import geometry as geo
from vlocr.preprocess._util import shrink, to_gray
from vlocr.preprocess.steps import background

_NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)


@dataclass
class Measurements:
    width: int
    height: int
    work_scale: float
    text_height_px: float | None = None  # median glyph height, full-resolution pixels
    glyphs: int = 0
    ink_contrast: float = 0.0  # paper level minus ink level (0..255)
    range_p1_p99: float = 0.0
    blur_laplacian_var: float = 0.0
    noise_sigma: float = 0.0
    skew_deg: float = 0.0
    skew_confidence: float = 0.0
    orientation_ratio: float = 1.0  # vertical / horizontal line evidence; > ~2 means sideways
    # > 0 upright, < 0 upside down (geometry.upright_score); Latin only: Hangul and Han line up
    # at the top as well, so auto turns pages from preprocess/orientation.py, not from this
    upright_score: float = 0.0
    upright_glyphs: int = 0  # glyphs on lines that the upright score used
    page_quad: list[list[float]] | None = None  # tl, tr, br, bl in full-resolution pixels
    page_area_frac: float | None = None
    page_is_frame: bool = True
    illumination_var: float = 0.0  # (p95 - p5) / p95 of a smooth fit to the paper brightness
    extra: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = asdict(self)
        for k, v in list(d.items()):
            if isinstance(v, float):
                d[k] = round(v, 3)
        return d


def noise_sigma(gray: np.ndarray, crop: int = 512) -> float:
    """Gaussian noise level (gray levels) from a central full-resolution crop (Immerkaer's filter).

    Uses the median absolute response so text edges (a minority of pixels) barely count.
    """
    h, w = gray.shape[:2]
    y0, x0 = max(0, (h - crop) // 2), max(0, (w - crop) // 2)
    patch = gray[y0 : y0 + crop, x0 : x0 + crop].astype(np.float32)
    if patch.shape[0] < 8 or patch.shape[1] < 8:
        return 0.0
    resp = np.abs(cv2.filter2D(patch, -1, _NOISE_KERNEL)[1:-1, 1:-1])
    return float(np.median(resp) / (0.6745 * 6.0))


def noise_robust_mask(gray: np.ndarray, noise: float) -> np.ndarray:
    """Text mask that noise does not shatter into specks (which fake a 4 px text height).

    ``noise`` is the noise sigma in ``gray``'s pixels: above 4 a 3x3 median removes salt and
    pepper, above 8 a light blur also calms Gaussian grain, and the threshold offset grows with
    the noise so grain is not taken for ink.
    """
    if noise <= 4.0:
        return geo.text_mask(gray)
    smooth = cv2.medianBlur(gray, 3)
    if noise > 8.0:
        smooth = cv2.GaussianBlur(smooth, (0, 0), 1.0)
    return geo.text_mask(smooth, c=max(12.0, 1.5 * noise))


def _glyph_height(mask: np.ndarray, comps: tuple | None = None) -> tuple[float | None, int]:
    stats, keep = geo.glyph_components(mask) if comps is None else comps[:2]
    heights = stats[keep, 3]
    if len(heights) < 5:
        return None, int(len(heights))
    return float(np.median(heights)), int(len(heights))


def _text_height_fullres(
    gray: np.ndarray, center: tuple[float, float], crop: int = 1000
) -> tuple[float | None, int]:
    """Glyph height on a full-resolution crop around ``center`` (x, y): for text too small to
    survive the shrunken copy."""
    h, w = gray.shape[:2]
    cx, cy = center
    x0 = int(min(max(0, cx - crop / 2), max(0, w - crop)))
    y0 = int(min(max(0, cy - crop / 2), max(0, h - crop)))
    patch = np.ascontiguousarray(gray[y0 : y0 + crop, x0 : x0 + crop])
    return _glyph_height(geo.text_mask(patch))


def illumination_variation(bg: np.ndarray, region: np.ndarray | None = None) -> tuple[float, float]:
    """Spread of a quadratic surface fitted to the paper brightness ``bg``: (variation, residual).

    A smooth fit responds to shadows and light fall-off, much less to sharp-edged coloured
    panels (screenshots, forms), which should not be flattened.
    """
    small = cv2.resize(
        bg, (48, max(8, int(48 * bg.shape[0] / bg.shape[1]))), interpolation=cv2.INTER_AREA
    ).astype(np.float64)
    hh, ww = small.shape
    yy, xx = np.mgrid[0:hh, 0:ww]
    x, y = xx.ravel() / ww - 0.5, yy.ravel() / hh - 0.5
    z = small.ravel()
    sel = np.ones_like(z, dtype=bool)
    if region is not None:
        sel = cv2.resize(region, (ww, hh), interpolation=cv2.INTER_NEAREST).ravel() > 0
        if sel.sum() < 20:
            sel[:] = True
    a = np.stack([np.ones_like(x), x, y, x * x, y * y, x * y], axis=1)
    a_sel = a[sel]
    coef = np.linalg.solve(a_sel.T @ a_sel + 1e-6 * np.eye(6), a_sel.T @ z[sel])
    fit = a[sel] @ coef
    p5, p95 = np.percentile(fit, [5, 95])
    resid = float(np.std(z[sel] - fit))
    return float((p95 - p5) / max(p95, 1.0)), resid


def measure(image: np.ndarray, work_side: int = 1000) -> Measurements:
    """Measure everything ``auto`` needs, in full-resolution units."""
    return measure_with_copy(image, work_side)[0]


def measure_with_copy(
    image: np.ndarray, work_side: int = 1000
) -> tuple[Measurements, np.ndarray, float]:
    """``measure`` plus the gray measurement copy and its scale, for callers that reuse it."""
    gray = to_gray(image)
    h, w = gray.shape[:2]
    small, s = shrink(gray, work_side)
    m = Measurements(width=w, height=h, work_scale=round(s, 4))

    m.noise_sigma = noise_sigma(gray)
    mask = noise_robust_mask(small, m.noise_sigma * s)
    comps = geo._components(mask)
    th, n = _glyph_height(mask, comps)
    m.glyphs = n
    if th is not None:
        m.text_height_px = th / s
        if s < 1.0 and th < 8:
            ys, xs = np.nonzero(mask)
            th2, n2 = _text_height_fullres(
                gray, (float(np.median(xs)) / s, float(np.median(ys)) / s)
            )
            if th2 is not None:
                m.text_height_px = th2

    sample = small[::2, ::2]
    p1, p99 = np.percentile(sample, [1, 99])
    m.range_p1_p99 = float(p99 - p1)
    sub, sub_mask = small[::2, ::2], mask[::2, ::2]
    ink = sub[sub_mask > 0]
    paper = sub[sub_mask == 0]
    if len(ink) > 50 and len(paper) > 50:
        m.ink_contrast = float(np.median(paper) - np.percentile(ink, 25))

    m.blur_laplacian_var = float(cv2.Laplacian(small[::2, ::2], cv2.CV_32F).var())

    pts = geo.text_points(small, components=comps)
    m.skew_deg, m.skew_confidence = geo.estimate_skew(small, pts=pts)
    st = comps[0][comps[1]]
    centers = np.stack([st[:, 0] + st[:, 2] / 2, st[:, 1] + st[:, 3] / 2], axis=1).astype(
        np.float64
    )
    _, m.orientation_ratio = geo.estimate_orientation(small, m.skew_deg, pts, centers)
    m.upright_score, m.upright_glyphs = geo.upright_score(st, m.skew_deg)

    quad_small, s_quad = small, 1.0
    quad = geo.find_page_quad(quad_small)
    region = None
    if quad is not None:
        qh, qw = quad_small.shape
        m.page_is_frame = geo.quad_is_frame(quad, qw, qh)
        m.page_area_frac = float(cv2.contourArea(quad.astype(np.float32)) / (qw * qh))
        m.page_quad = [
            [round(float(x) / (s * s_quad), 2), round(float(y) / (s * s_quad), 2)] for x, y in quad
        ]
        if not m.page_is_frame:
            region = np.zeros_like(quad_small)
            cv2.fillConvexPoly(region, np.round(quad).astype(np.int32), 255)
            region = cv2.erode(region, np.ones((9, 9), np.uint8))

    bg = background(small, text_px=(m.text_height_px or 12.0) * s, work_side=320)
    m.illumination_var, resid = illumination_variation(bg, region)
    m.extra["illumination_residual"] = round(resid, 2)
    return m, small, s
