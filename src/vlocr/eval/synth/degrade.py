"""Degradations of a clean page, at severities 1..3, deterministic from a seed.

Each one mimics a failure seen on real inputs (a phone photo on a desk, a faded scan, a
screenshot shrunk by a chat app, a table with grey cell shading) and returns the degraded image
with the ground-truth lines moved along when the geometry changes, so boxes stay exact.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import cv2
import numpy as np

from vlocr.errors import InvalidOptionError
from vlocr.eval.data.canvas import GtLine

Lines = list[GtLine]
Result = tuple[np.ndarray, Lines]


def transform_lines(lines: Sequence[GtLine], matrix: np.ndarray) -> Lines:
    """Map every box through a 3x3 homography (affine matrices padded with [0, 0, 1])."""
    m = np.asarray(matrix, dtype=np.float64)
    if m.shape == (2, 3):
        m = np.vstack([m, [0.0, 0.0, 1.0]])
    out: Lines = []
    for line in lines:
        pts = np.hstack([np.asarray(line.box, dtype=np.float64), np.ones((len(line.box), 1))]) @ m.T
        pts = pts[:, :2] / pts[:, 2:3]
        out.append(GtLine(line.text, [(float(x), float(y)) for x, y in pts]))
    return out


def _u8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


# ---- photometric -----------------------------------------------------------------------------


def clean(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    return image.copy(), list(lines)


def downscale_to(image: np.ndarray, lines: Lines, long_side: int) -> Result:
    """Shrink (never enlarge) so the long side is ``long_side`` px, the way a chat app or a
    phone's "small" setting stores a photo; the boxes follow."""
    h, w = image.shape[:2]
    scale = min(1.0, long_side / max(h, w))
    if scale >= 1.0:
        return image.copy(), list(lines)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    out = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    m = np.diag([size[0] / w, size[1] / h, 1.0])
    return out, transform_lines(lines, m)


def low_resolution(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """Shrink so the long side is 480 / 390 / 320 px (a thumbnail or a chat-app copy)."""
    return downscale_to(image, lines, {1: 480, 2: 390, 3: 320}[severity])


def low_contrast(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """Squeeze the tonal range onto a grey paper: ink becomes dark grey, paper mid grey."""
    span = {1: 0.5, 2: 0.35, 3: 0.24}[severity] * rng.uniform(0.9, 1.1)
    paper = rng.uniform(175, 205)
    f = image.astype(np.float32)
    return _u8(paper - (255.0 - f) * span), list(lines)


def _field(h: int, w: int, rng: random.Random) -> np.ndarray:
    """A smooth random field in [0, 1] (a low-resolution noise grid, upscaled)."""
    grid = np.array([[rng.random() for _ in range(4)] for _ in range(4)], dtype=np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def uneven_light(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """A light gradient across the page and a soft shadow (a hand or phone) over one part."""
    h, w = image.shape[:2]
    darkest = {1: 0.72, 2: 0.55, 3: 0.4}[severity]
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = np.cos(angle) * xx / w + np.sin(angle) * yy / h
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    light = 1.0 - (1.0 - darkest) * 0.6 * ramp
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    rx, ry = rng.uniform(0.25, 0.5) * w, rng.uniform(0.2, 0.4) * h
    blob = np.exp(-(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2) * 2.0)
    light = light * (1.0 - (1.0 - darkest) * blob)
    out = image.astype(np.float32) * light[..., None]
    return _u8(out), list(lines)


def backlight(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """A glare spot washing text out towards white, with darker edges (shot against a light)."""
    h, w = image.shape[:2]
    strength = {1: 0.45, 2: 0.65, 3: 0.82}[severity]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(0.3, 0.7) * w, rng.uniform(0.3, 0.7) * h
    r = rng.uniform(0.35, 0.55) * max(h, w)
    glare = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (r * r)) * 2.0) * strength
    vignette = 1.0 - 0.35 * strength * (((xx - w / 2) / w) ** 2 + ((yy - h / 2) / h) ** 2) * 2
    f = image.astype(np.float32) * vignette[..., None]
    out = f + (255.0 - f) * glare[..., None]
    return _u8(out), list(lines)


def low_light(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """A dim shot: exposure cut to 55 / 40 / 28 % with the sensor noise a phone's gain adds
    (sigma 3 / 5 / 7 gray levels) and its noise reduction's softening."""
    gain = {1: 0.55, 2: 0.40, 3: 0.28}[severity] * rng.uniform(0.9, 1.1)
    sigma = {1: 3.0, 2: 5.0, 3: 7.0}[severity]
    nrng = np.random.default_rng(rng.getrandbits(32))
    f = cv2.GaussianBlur(image, (0, 0), 0.7).astype(np.float32) * gain
    f += nrng.normal(0, sigma, image.shape[:2])[..., None]
    return _u8(f), list(lines)


def noise(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """Gaussian sensor noise plus salt-and-pepper speckle (dust, a poor scan)."""
    sigma = {1: 10.0, 2: 20.0, 3: 30.0}[severity]
    density = {1: 0.002, 2: 0.005, 3: 0.01}[severity]
    nrng = np.random.default_rng(rng.getrandbits(32))
    f = image.astype(np.float32) + nrng.normal(0, sigma, image.shape[:2])[..., None]
    mask = nrng.random(image.shape[:2])
    f[mask < density / 2] = 0
    f[mask > 1 - density / 2] = 255
    return _u8(f), list(lines)


def jpeg(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """Heavy JPEG compression (quality 30 / 15 / 8), encoded and decoded again."""
    quality = {1: 30, 2: 15, 3: 8}[severity]
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else None
    if decoded is None:  # pragma: no cover - OpenCV always encodes a uint8 RGB array
        return image.copy(), list(lines)
    out = cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)
    return out, list(lines)


def blur(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """Out-of-focus blur (Gaussian, sigma 1.0 / 1.6 / 2.2 px)."""
    sigma = {1: 1.0, 2: 1.6, 3: 2.2}[severity] * rng.uniform(0.9, 1.1)
    return cv2.GaussianBlur(image, (0, 0), sigma), list(lines)


def moire(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """Two interfering fine gratings (a photographed screen or a rescreened print)."""
    h, w = image.shape[:2]
    amp = {1: 14.0, 2: 24.0, 3: 36.0}[severity]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a1, a2 = rng.uniform(0, np.pi), rng.uniform(0, np.pi)
    p1, p2 = rng.uniform(3.0, 4.5), rng.uniform(3.0, 4.5)
    g1 = np.sin(2 * np.pi * (np.cos(a1) * xx + np.sin(a1) * yy) / p1)
    g2 = np.sin(2 * np.pi * (np.cos(a2) * xx + np.sin(a2) * yy) / p2)
    pattern = amp * (g1 * g2)
    tint = np.array(
        [rng.uniform(0.8, 1.0), rng.uniform(0.8, 1.0), rng.uniform(0.8, 1.0)], dtype=np.float32
    )
    out = image.astype(np.float32) + pattern[..., None] * tint
    return _u8(out), list(lines)


def shaded_cells(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """Grey shading behind some text lines, multiplied in like a printed cell background."""
    frac = {1: 0.35, 2: 0.6, 3: 0.85}[severity]
    grey = {1: 205, 2: 175, 3: 150}[severity]
    out = image.astype(np.float32)
    h, w = image.shape[:2]
    for line in lines:
        if rng.random() > frac:
            continue
        xs = [p[0] for p in line.box]
        ys = [p[1] for p in line.box]
        x0, y0 = max(0, int(min(xs)) - 8), max(0, int(min(ys)) - 6)
        x1, y1 = min(w, int(max(xs)) + 8), min(h, int(max(ys)) + 6)
        level = (grey + rng.randint(-10, 10)) / 255.0
        out[y0:y1, x0:x1] *= level
    return _u8(out), list(lines)


# ---- geometric -------------------------------------------------------------------------------


def skew(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """Rotate by 2-4 / 4-6 / 6-8 degrees either way, on an enlarged white canvas."""
    lo, hi = {1: (2.0, 4.0), 2: (4.0, 6.0), 3: (6.0, 8.0)}[severity]
    angle = rng.uniform(lo, hi) * rng.choice([-1, 1])
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos + 0.5), int(h * cos + w * sin + 0.5)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    out = cv2.warpAffine(image, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    return out, transform_lines(lines, m)


def rotate(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """Quarter turns: severity 1 = 90 deg clockwise, 2 = 180, 3 = 270 (a photo taken sideways)."""
    h, w = image.shape[:2]
    if severity == 1:
        out = cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE)
        m = np.array([[0, -1, h], [1, 0, 0], [0, 0, 1]], dtype=np.float64)
    elif severity == 2:
        out = cv2.rotate(image, cv2.ROTATE_180)
        m = np.array([[-1, 0, w], [0, -1, h], [0, 0, 1]], dtype=np.float64)
    else:
        out = cv2.rotate(image, cv2.ROTATE_90_COUNTERCLOCKWISE)
        m = np.array([[0, 1, 0], [-1, 0, w], [0, 0, 1]], dtype=np.float64)
    return out, transform_lines(lines, m)


def _desk(h: int, w: int, rng: random.Random) -> np.ndarray:
    """A darker textured surface (wood-like grain and blotches) to lay the page on."""
    base = np.array(
        rng.choice([(96, 70, 48), (70, 72, 78), (120, 100, 80), (50, 50, 55)]), dtype=np.float32
    )
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grain = np.sin(yy / rng.uniform(3, 7) + 3 * np.sin(xx / rng.uniform(40, 90))) * 10
    nrng = np.random.default_rng(rng.getrandbits(32))
    speck = nrng.normal(0, 6, (h, w))
    blotch = (_field(h, w, rng) - 0.5) * 40
    return _u8(base[None, None, :] + (grain + speck + blotch)[..., None])


def perspective(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """A photo of the page lying on a desk: the page is warped by a random homography (corner
    jitter 4 / 8 / 12 % of the page) onto a larger darker textured background, slightly dimmed."""
    h, w = image.shape[:2]
    jitter = {1: 0.04, 2: 0.08, 3: 0.12}[severity]
    pad_x, pad_y = int(w * 0.18), int(h * 0.18)
    out_w, out_h = w + 2 * pad_x, h + 2 * pad_y
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    dst = []
    for x, y in src:
        dx = rng.uniform(-jitter, jitter) * w
        dy = rng.uniform(-jitter, jitter) * h
        dst.append([x + pad_x + dx, y + pad_y + dy])
    m = cv2.getPerspectiveTransform(src, np.array(dst, dtype=np.float32))
    page = cv2.warpPerspective(
        image, m, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0)
    )
    mask = cv2.warpPerspective(
        np.full((h, w), 255, np.uint8), m, (out_w, out_h), flags=cv2.INTER_LINEAR
    )
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    out = page.astype(np.float32) * alpha + _desk(out_h, out_w, rng).astype(np.float32) * (
        1 - alpha
    )
    out *= rng.uniform(0.82, 0.95)
    return _u8(out), transform_lines(lines, m)


def phone_photo(image: np.ndarray, lines: Lines, severity: int, rng: random.Random) -> Result:
    """What a hand-held phone shot of a page combines: the page on a desk in perspective, uneven
    light with a shadow, a little focus blur and JPEG compression, all at this severity."""
    image, lines = perspective(image, lines, severity, rng)
    image, lines = uneven_light(image, lines, severity, rng)
    image, lines = blur(image, lines, 1, rng)
    return jpeg(image, lines, 1, rng)


Degradation = Callable[[np.ndarray, Lines, int, random.Random], Result]

DEGRADATIONS: dict[str, Degradation] = {
    "clean": clean,
    "low_res": low_resolution,
    "low_contrast": low_contrast,
    "uneven_light": uneven_light,
    "backlight": backlight,
    "low_light": low_light,
    "noise": noise,
    "jpeg": jpeg,
    "blur": blur,
    "skew": skew,
    "rotate": rotate,
    "perspective": perspective,
    "moire": moire,
    "shaded_cells": shaded_cells,
    "phone_photo": phone_photo,
}


def degrade(
    image: np.ndarray, lines: Sequence[GtLine], name: str, severity: int = 2, seed: int = 0
) -> Result:
    """Apply degradation ``name`` at ``severity`` (1..3); same inputs + seed -> same output."""
    if name not in DEGRADATIONS:
        raise InvalidOptionError(
            f"unknown degradation '{name}'", f"choose one of: {', '.join(DEGRADATIONS)}"
        )
    if severity not in (1, 2, 3):
        raise InvalidOptionError(
            f"severity {severity} is out of range", "use 1 (mild), 2 or 3 (harsh)"
        )
    rng = random.Random(f"{name}:{severity}:{seed}")
    out, new_lines = DEGRADATIONS[name](np.ascontiguousarray(image), list(lines), severity, rng)
    return np.ascontiguousarray(out, dtype=np.uint8), new_lines
