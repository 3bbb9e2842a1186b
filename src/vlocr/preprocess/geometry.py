"""Geometric steps and the detectors behind them.

Every geometric step returns ``(image, matrix)`` where ``matrix`` (3x3 float64) maps input pixel
coordinates to output coordinates, so boxes found on the processed image can be mapped back.
Detectors work on a gray copy (usually downscaled) and return values in that copy's pixels.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from vlocr.preprocess._util import affine3, border_color, scale_matrix, shrink, to_gray

Step = tuple[np.ndarray, np.ndarray]


# ---- resizing --------------------------------------------------------------------------------


def resize(image: np.ndarray, long_side: int = 800, interpolation: int | None = None) -> Step:
    """Scale so the long side equals ``long_side`` (up or down), keeping the aspect ratio.

    The default interpolation is INTER_AREA when shrinking and INTER_CUBIC when enlarging.
    """
    h, w = image.shape[:2]
    scale = long_side / max(h, w)
    return scale_by(image, scale, interpolation)


def scale_by(image: np.ndarray, scale: float, interpolation: int | None = None) -> Step:
    """Scale both sides by ``scale``; sizes are rounded, the matrix uses the exact ratios."""
    h, w = image.shape[:2]
    nw, nh = max(1, int(round(w * scale))), max(1, int(round(h * scale)))
    if (nw, nh) == (w, h):
        return image.copy(), np.eye(3)
    if interpolation is None:
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    out = cv2.resize(image, (nw, nh), interpolation=interpolation)
    return out, scale_matrix(nw / w, nh / h)


def upscale_text(
    image: np.ndarray,
    text_px: float,
    target_px: float = 20.0,
    max_scale: float = 3.0,
    max_side: int = 4000,
) -> Step:
    """Enlarge so text of height ``text_px`` becomes ``target_px``, within ``max_scale``/``max_side``."""
    h, w = image.shape[:2]
    scale = min(target_px / max(text_px, 1e-3), max_scale, max_side / max(h, w))
    if scale <= 1.0:
        return image.copy(), np.eye(3)
    return scale_by(image, scale, cv2.INTER_CUBIC)


def cap_size(image: np.ndarray, max_side: int = 4000) -> Step:
    """Shrink only when the long side exceeds ``max_side``."""
    h, w = image.shape[:2]
    if max(h, w) <= max_side:
        return image.copy(), np.eye(3)
    return scale_by(image, max_side / max(h, w), cv2.INTER_AREA)


# ---- text pixels, skew, orientation ----------------------------------------------------------


def text_mask(gray: np.ndarray, block: int = 31, c: float = 12.0) -> np.ndarray:
    """Dark-on-light ink pixels (255) via a local-mean threshold; flat regions give nothing."""
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, int(block) | 1, float(c)
    )


def glyph_components(mask: np.ndarray, max_frac: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Connected components that look like glyphs: (stats rows, boolean keep per row).

    Drops specks (< 3 px tall or < 6 px area) and page-sized blobs (borders, rules, photos).
    """
    stats, keep, _ = _components(mask, max_frac)
    return stats, keep


def _components(
    mask: np.ndarray, max_frac: float = 0.2
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # 16-bit labels are several times faster; safe when there are fewer ink pixels than labels
    ltype = cv2.CV_16U if cv2.countNonZero(mask) < 65000 else cv2.CV_32S
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=ltype)
    stats = stats[1:]
    h, w = mask.shape[:2]
    bw, bh, area = stats[:, 2], stats[:, 3], stats[:, 4]
    keep = (
        (bh >= 3)
        & (area >= 6)
        & (bh <= max_frac * h)
        & (bw <= max_frac * w)
        & (bw <= 8 * bh)
        & (area >= 0.08 * bw * bh)
    )
    return stats, keep, labels


def text_points(
    gray: np.ndarray,
    max_points: int = 5000,
    mask: np.ndarray | None = None,
    components: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Nx2 (x, y) float coordinates of ink pixels in glyph-like components, evenly subsampled."""
    if components is None:
        components = _components(text_mask(gray) if mask is None else mask)
    _, keep, labels = components
    good = np.zeros(len(keep) + 1, dtype=np.uint8)
    good[1:] = keep
    step = 2 if labels.size > 250_000 else 1
    sub = labels[::step, ::step]
    flat = np.flatnonzero(good[sub])
    if len(flat) > max_points:
        flat = flat[:: int(np.ceil(len(flat) / max_points))]
    w = sub.shape[1]
    return (np.stack([flat % w, flat // w], axis=1) * step).astype(np.float32)


def _profile_score(pts: np.ndarray, angles_deg: np.ndarray, bin_px: float = 2.0) -> np.ndarray:
    """Sharpness of the projection of ``pts`` onto the normal of lines at each angle.

    Uses the sum of squared bin counts, normalised by N^2 / bins-in-range, so values from
    different angles and point sets compare (1.0 = uniform spread, higher = peaky lines).
    All angles go through one matrix product and one bincount.
    """
    rad = np.deg2rad(np.asarray(angles_deg, dtype=np.float64))
    proj = (pts[:, :1] * np.sin(rad)[None, :] + pts[:, 1:2] * np.cos(rad)[None, :]) / bin_px
    proj -= proj.min(axis=0, keepdims=True)
    idx = proj.astype(np.int64)
    span = idx.max(axis=0) + 1
    offsets = np.concatenate([[0], np.cumsum(span)[:-1]])
    counts = np.bincount((idx + offsets[None, :]).ravel(), minlength=int(span.sum())).astype(
        np.float64
    )
    sq = np.add.reduceat(counts * counts, offsets)
    n = len(pts)
    return sq * span / (n * n)


def estimate_skew(
    gray: np.ndarray, max_angle: float = 15.0, pts: np.ndarray | None = None
) -> tuple[float, float]:
    """Angle (deg, counter-clockwise positive as in cv2.getRotationMatrix2D) of the text lines.

    Projection-profile search: coarse 1 deg steps over +-max_angle, then 0.1 deg around the
    best. Returns (angle, confidence); confidence is the peak score over the median score
    (about 1 when there are no lines to find).
    """
    pts = text_points(gray) if pts is None else pts
    if len(pts) < 200:
        return 0.0, 0.0
    pts = pts - pts.mean(axis=0)
    coarse = np.arange(-max_angle, max_angle + 1e-6, 1.0)
    s = _profile_score(pts, coarse)
    best = float(coarse[int(np.argmax(s))])
    fine = np.arange(best - 1.0, best + 1.0 + 1e-6, 0.1)
    sf = _profile_score(pts, fine)
    angle = float(fine[int(np.argmax(sf))])
    conf = float(sf.max() / max(np.median(s), 1e-9))
    return round(angle, 2), round(conf, 3)


def neighbour_direction(
    centers: np.ndarray, skew: float = 0.0, max_n: int = 300
) -> tuple[float, int]:
    """Ratio of glyphs whose nearest neighbour is above/below to those whose neighbour is beside.

    Letters sit closer to their neighbours along a line than across lines, so the ratio is
    well below 1 for horizontal text and well above 1 for text turned by 90 degrees.
    """
    if len(centers) < 10:
        return 1.0, 0
    if len(centers) > max_n:
        centers = centers[:: int(np.ceil(len(centers) / max_n))]
    a = np.deg2rad(skew)
    rot = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    c = ((centers - centers.mean(axis=0)) @ rot.T).astype(np.float32)
    dx = c[:, None, 0] - c[None, :, 0]
    dy = c[:, None, 1] - c[None, :, 1]
    dist = dx * dx + dy * dy
    np.fill_diagonal(dist, np.inf)
    j = np.argmin(dist, axis=1)
    rows = np.arange(len(c))
    nn = np.stack([dx[rows, j], dy[rows, j]], axis=1)
    vertical = int((np.abs(nn[:, 1]) > np.abs(nn[:, 0])).sum())
    horizontal = len(c) - vertical
    return float(vertical / max(horizontal, 1)), len(c)


def estimate_orientation(
    gray: np.ndarray,
    skew: float = 0.0,
    pts: np.ndarray | None = None,
    centers: np.ndarray | None = None,
) -> tuple[int, float]:
    """90 when text lines run vertically, else 0, with a vertical/horizontal evidence ratio.

    The ratio is the geometric mean of the nearest-neighbour direction ratio of glyph centres
    and the projection-profile ratio (lines across vs along the found skew). A page turned by
    180 degrees is indistinguishable here; use an ``orientation_scorer`` for that.
    """
    if pts is None or centers is None:
        stats, keep, labels = _components(text_mask(gray))
        pts = text_points(gray, components=(stats, keep, labels)) if pts is None else pts
        if centers is None:
            st = stats[keep]
            centers = np.stack([st[:, 0] + st[:, 2] / 2, st[:, 1] + st[:, 3] / 2], axis=1).astype(
                np.float64
            )
    if len(pts) < 200 or len(centers) < 10:
        return 0, 1.0
    pts = pts - pts.mean(axis=0)
    horiz = _profile_score(pts, np.array([skew]))[0]
    vert = float(_profile_score(pts, np.arange(skew + 90 - 15, skew + 90 + 15.01, 1.0)).max())
    proj_ratio = vert / max(horiz, 1e-9)
    nn_ratio, _ = neighbour_direction(centers, skew)
    ratio = float(np.sqrt(proj_ratio * nn_ratio))
    return (90 if ratio > 1.0 else 0), round(ratio, 3)


def upright_score(stats: np.ndarray, skew: float = 0.0, min_per_line: int = 6) -> tuple[float, int]:
    """Is horizontal text upright (> 0) or upside down (< 0)? From glyph boxes alone.

    Latin letters share a baseline (only g j p q y descend) while their tops split between the
    x-height and the ascender/capital height; CJK punctuation (，。、) also sits on the line's
    bottom. So in an upright line the glyph *bottoms* line up more tightly than the *tops*; a
    page turned by 180 degrees shows the reverse. Returns (mean over glyphs of the share of
    bottoms on the line's common bottom minus the share of tops on its common top, glyphs
    used). ``stats`` are connected-component rows (x, y, w, h, area) of glyph-like components;
    ``skew`` (degrees, as from ``estimate_skew``) straightens the lines first. About 0 when
    there is nothing to tell (symmetric glyphs, merged blobs, too few lines).

    Latin only: Hangul syllable blocks and Han characters line up at the top as well, and a
    clean upright Korean page scores about -0.2 (upside down). ``auto`` therefore decides the
    turn from ``preprocess.orientation`` (line classifier + Tesseract OSD); this score stays in
    the measurements as evidence.
    """
    if len(stats) < 2 * min_per_line:
        return 0.0, 0
    st = np.asarray(stats, dtype=np.float64)
    cx = st[:, 0] + st[:, 2] / 2
    shift = np.tan(np.deg2rad(skew)) * (cx - cx.mean())
    top = st[:, 1] + shift
    bottom = st[:, 1] + st[:, 3] + shift
    cy = (top + bottom) / 2
    hmed = float(np.median(st[:, 3]))
    order = np.argsort(cy, kind="stable")
    lines: list[list[int]] = []
    cur = [int(order[0])]
    cur_sum = cy[order[0]]
    for i in order[1:]:
        if cy[i] - cur_sum / len(cur) < 0.6 * hmed:
            cur.append(int(i))
            cur_sum += cy[i]
        else:
            lines.append(cur)
            cur, cur_sum = [int(i)], cy[i]
    lines.append(cur)
    total, n = 0.0, 0
    for ln in lines:
        if len(ln) < min_per_line:
            continue
        t, b = top[ln], bottom[ln]
        tol = max(1.0, 0.12 * float(np.median(b - t)))
        on_bottom = float(np.mean(np.abs(b - np.median(b)) <= tol))
        on_top = float(np.mean(np.abs(t - np.median(t)) <= tol))
        total += (on_bottom - on_top) * len(ln)
        n += len(ln)
    return (round(total / n, 4) if n else 0.0), n


def rotate180(image: np.ndarray) -> Step:
    """Turn an upside-down page the right way up (lossless)."""
    return rotate90(image, 2)


def _warp_flags(image: np.ndarray) -> int:
    """Cubic for normal sizes; linear above 2 megapixels, where cubic costs a lot and gains little."""
    return cv2.INTER_CUBIC if image.shape[0] * image.shape[1] <= 2_000_000 else cv2.INTER_LINEAR


def rotate(image: np.ndarray, angle: float, fill: tuple[int, ...] | int | None = None) -> Step:
    """Rotate counter-clockwise by ``angle`` degrees on an enlarged canvas (nothing is cut off)."""
    h, w = image.shape[:2]
    if abs(angle) < 1e-6:
        return image.copy(), np.eye(3)
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(np.ceil(h * sin + w * cos)), int(np.ceil(h * cos + w * sin))
    m[0, 2] += nw / 2.0 - w / 2.0
    m[1, 2] += nh / 2.0 - h / 2.0
    fill = border_color(image) if fill is None else fill
    fill_value = (fill,) * 3 if isinstance(fill, int) else fill
    out = cv2.warpAffine(
        image,
        m,
        (nw, nh),
        flags=_warp_flags(image),
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=fill_value,
    )
    return out, affine3(m)


def deskew(
    image: np.ndarray, angle: float | None = None, max_angle: float = 15.0, min_angle: float = 0.3
) -> Step:
    """Straighten text lines tilted by up to ``max_angle`` degrees (measured when ``angle`` is None)."""
    if angle is None:
        small, _ = shrink(to_gray(image), 1000)
        angle, _ = estimate_skew(small, max_angle)
    if abs(angle) < min_angle or abs(angle) > max_angle:
        return image.copy(), np.eye(3)
    return rotate(image, -angle)


def rotate90(image: np.ndarray, quarter_turns: int = 1) -> Step:
    """Rotate counter-clockwise by 90 * ``quarter_turns`` degrees (lossless)."""
    k = quarter_turns % 4
    h, w = image.shape[:2]
    if k == 0:
        return image.copy(), np.eye(3)
    out = np.ascontiguousarray(np.rot90(image, k))
    if k == 1:  # (x, y) -> (y, w - x)
        m = np.array([[0, 1, 0], [-1, 0, w], [0, 0, 1]], float)
    elif k == 2:
        m = np.array([[-1, 0, w], [0, -1, h], [0, 0, 1]], float)
    else:  # (x, y) -> (h - y, x)
        m = np.array([[0, -1, h], [1, 0, 0], [0, 0, 1]], float)
    return out, m


def orient(
    image: np.ndarray,
    orientation_scorer: Callable[[np.ndarray], float] | None = None,
    min_ratio: float = 2.0,
    quarter_turns: int | None = None,
) -> Step:
    """Turn vertical text lines horizontal; with a scorer, also choose between 0/180 (or 90/270).

    ``quarter_turns`` (counter-clockwise) skips the estimate: ``auto`` passes the turn it decided
    from the line classifier and Tesseract's OSD (``preprocess.orientation``).

    Without ``orientation_scorer`` a sideways page is turned by 90 degrees counter-clockwise,
    which can leave it upside down: RapidOCR's line classifier fixes 180-degree lines, other
    engines may not. The scorer gets an RGB/gray candidate and returns higher-is-better (for
    example the mean OCR confidence on a crop).
    """
    if quarter_turns is not None:
        return rotate90(image, quarter_turns)
    small, _ = shrink(to_gray(image), 1000)
    stats, keep, labels = _components(text_mask(small))
    pts = text_points(small, components=(stats, keep, labels))
    st = stats[keep]
    centers = np.stack([st[:, 0] + st[:, 2] / 2, st[:, 1] + st[:, 3] / 2], axis=1).astype(
        np.float64
    )
    skew, _ = estimate_skew(small, pts=pts)
    _, ratio = estimate_orientation(small, skew, pts, centers)
    turns = 1 if ratio >= min_ratio else 0
    if orientation_scorer is not None:
        candidates = [turns, turns + 2]
        scored = []
        for t in candidates:
            cand, _ = rotate90(small, t)
            scored.append((float(orientation_scorer(cand)), t))
        turns = max(scored)[1]
    return rotate90(image, turns)


# ---- page quadrilateral ----------------------------------------------------------------------


def order_quad(pts: np.ndarray) -> np.ndarray:
    """Order 4 points clockwise from top-left: tl, tr, br, bl."""
    pts = np.asarray(pts, dtype=np.float64).reshape(4, 2)
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]  # clockwise in y-down coordinates, starting near -pi (left)
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def _refine_quad(contour: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Fit a line to the contour points of each side and intersect neighbours (sub-pixel corners)."""
    pts = contour.reshape(-1, 2).astype(np.float64)
    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        d = b - a
        length = np.hypot(*d)
        if length < 1:
            return quad
        nrm = np.array([-d[1], d[0]]) / length
        t = (pts - a) @ d / (length * length)
        dist = np.abs((pts - a) @ nrm)
        sel = pts[(t > 0.1) & (t < 0.9) & (dist < max(3.0, 0.02 * length))]
        if len(sel) < 5:
            return quad
        vx, vy, x0, y0 = cv2.fitLine(sel.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], float), np.array([vx, vy], float)))
    corners: list[np.ndarray] = []
    for i in range(4):
        (p1, d1), (p2, d2) = lines[i - 1], lines[i]
        a = np.array([d1, -d2]).T
        if abs(np.linalg.det(a)) < 1e-6:
            return quad
        t = np.linalg.solve(a, p2 - p1)
        corners.append(p1 + t[0] * d1)
    out = np.array(corners)
    return out if np.abs(out - quad).max() < 0.05 * max(np.ptp(quad, axis=0)) + 3 else quad


def find_page_quad(
    gray: np.ndarray, min_area_frac: float = 0.15, detect_side: int = 500
) -> np.ndarray | None:
    """Corners (tl, tr, br, bl) of a bright page against a darker background, or None.

    Thresholds a blurred copy shrunk to ``detect_side`` (Otsu), takes the largest outer contour and accepts it when it
    simplifies to a convex quadrilateral covering at least ``min_area_frac`` of the frame.
    """
    small, s = shrink(gray, detect_side)
    h, w = small.shape[:2]
    blur = cv2.GaussianBlur(small, (0, 0), max(1.0, max(h, w) / 400))
    _, bright = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, k, iterations=2)
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    cnt = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(cnt)
    if area < min_area_frac * h * w:
        return None
    hull = cv2.convexHull(cnt)
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            break
    else:
        return None
    if not cv2.isContourConvex(approx) or cv2.contourArea(approx) < 0.85 * cv2.contourArea(hull):
        return None
    quad = order_quad(approx.reshape(4, 2))
    return _refine_quad(cnt, quad) / s


def quad_is_frame(quad: np.ndarray, width: int, height: int, tol_frac: float = 0.02) -> bool:
    """True when every corner sits at the matching image corner (nothing to warp)."""
    frame = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], float)
    return bool(np.abs(quad - frame).max() <= tol_frac * max(width, height))


def quad_size(quad: np.ndarray) -> tuple[int, int]:
    """Output (width, height) for a quad: the mean of each pair of opposite sides.

    Under mild perspective the mean is within a few percent of the page's true aspect ratio
    (a full camera-model estimate is not worth its fragility here).
    """
    tl, tr, br, bl = quad
    w = (np.hypot(*(tr - tl)) + np.hypot(*(br - bl))) / 2
    h = (np.hypot(*(bl - tl)) + np.hypot(*(br - tr))) / 2
    return max(1, int(round(w))), max(1, int(round(h)))


def warp_quad(image: np.ndarray, quad: np.ndarray, scale: float = 1.0) -> Step:
    """Warp the quadrilateral (tl, tr, br, bl, input pixels) to an upright rectangle.

    ``scale`` < 1 shrinks in the same pass (one full-resolution read instead of a resize then
    a warp); a shrinking warp of a large photo uses linear interpolation, which is enough
    when the text stays tall.
    """
    quad = order_quad(quad)
    w, h = quad_size(quad * scale)
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    flags = _warp_flags(image) if scale >= 1.0 else cv2.INTER_LINEAR
    out = cv2.warpPerspective(image, m, (w, h), flags=flags, borderMode=cv2.BORDER_REPLICATE)
    return out, m.astype(np.float64)


def perspective(
    image: np.ndarray, quad: np.ndarray | None = None, work_side: int = 1000, scale: float = 1.0
) -> Step:
    """Find the page quadrilateral (unless given) and warp it to a rectangle (scaled by
    ``scale``); identity if none."""
    if quad is None:
        small, s = shrink(to_gray(image), work_side)
        found = find_page_quad(small)
        if found is None or quad_is_frame(found, small.shape[1], small.shape[0]):
            return image.copy(), np.eye(3)
        quad = found / s
    return warp_quad(image, np.asarray(quad, dtype=np.float64), scale)


# ---- borders ---------------------------------------------------------------------------------


def content_box(gray: np.ndarray, pad_frac: float = 0.02) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the ink, padded; the whole frame when there is no ink."""
    h, w = gray.shape[:2]
    mask = text_mask(gray)
    _, keep = glyph_components(mask)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    stats = stats[1:][keep]
    if len(stats) == 0:
        return 0, 0, w, h
    x0, y0 = stats[:, 0].min(), stats[:, 1].min()
    x1, y1 = (stats[:, 0] + stats[:, 2]).max(), (stats[:, 1] + stats[:, 3]).max()
    pad = int(round(pad_frac * max(h, w))) + 2
    return max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)


def trim(image: np.ndarray, pad_frac: float = 0.02) -> Step:
    """Crop empty margins and scanner borders around the text, keeping a small pad."""
    small, s = shrink(to_gray(image), 1000)
    x0, y0, x1, y1 = content_box(small, pad_frac)
    h, w = image.shape[:2]
    x0, y0 = int(np.floor(x0 / s)), int(np.floor(y0 / s))
    x1, y1 = min(w, int(np.ceil(x1 / s))), min(h, int(np.ceil(y1 / s)))
    if (x0, y0, x1, y1) == (0, 0, w, h) or x1 - x0 < 8 or y1 - y0 < 8:
        return image.copy(), np.eye(3)
    m = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], float)
    return image[y0:y1, x0:x1].copy(), m
