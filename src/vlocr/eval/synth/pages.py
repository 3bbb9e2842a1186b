"""Plain rendered pages and single lines for the preprocessing and engine tests and speed checks.

Unlike the benchmark documents these carry no boxes: callers know the geometry they apply
(angle, corners, shadow strength) and check that the preprocessing or the engine recovers it.
"""

from __future__ import annotations

import cv2
import numpy as np

from vlocr.eval.data.fonts import DEJAVU_DIR, LATIN_FONTS, font

FONT = str(DEJAVU_DIR / LATIN_FONTS["sans"])

SAMPLE_LINES = [
    "INVOICE No. 2024-0815  Date 12/03/2024",
    "Coffee beans 1kg         2 x 18.50   37.00",
    "Whole milk 1L            3 x  1.25    3.75",
    "Paper cups (50)          1 x  4.99    4.99",
    "Subtotal                            45.74",
    "VAT 20%                              9.15",
    "TOTAL                               54.89",
    "Thank you for shopping with us!",
]


def render_text(
    lines: list[str] | None = None,
    font_px: int = 28,
    width: int | None = None,
    margin: int | None = None,
    ink: int = 20,
    paper: int = 250,
    line_gap: float = 1.6,
) -> np.ndarray:
    """White page with dark text lines, RGB uint8 (DejaVu Sans)."""
    from PIL import Image, ImageDraw

    lines = SAMPLE_LINES if lines is None else lines
    fnt = font("sans", font_px)
    margin = int(font_px * 1.5) if margin is None else margin
    text_w = max(int(fnt.getlength(t)) for t in lines)
    width = width or text_w + 2 * margin
    height = int(2 * margin + line_gap * font_px * len(lines))
    img = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(img)
    for i, t in enumerate(lines):
        draw.text((margin, margin + i * line_gap * font_px), t, fill=ink, font=fnt)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_GRAY2RGB)


def rotate_page(img: np.ndarray, angle: float, fill: int = 250) -> np.ndarray:
    """Rotate counter-clockwise by ``angle`` degrees on an enlarged canvas."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * s + w * c), int(h * c + w * s)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(img, m, (nw, nh), flags=cv2.INTER_CUBIC, borderValue=(fill, fill, fill))


def paste_on_background(
    page: np.ndarray, corners: np.ndarray, size: tuple[int, int], seed: int = 0
) -> np.ndarray:
    """Warp ``page`` onto ``corners`` (tl, tr, br, bl) of a dark textured background of ``size`` (w, h)."""
    w, h = size
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 1, (h // 8 + 1, w // 8 + 1)).astype(np.float32)
    tex = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC)
    bg = np.clip(60 + 18 * tex + rng.normal(0, 4, (h, w)), 0, 255).astype(np.uint8)
    bg = np.dstack([bg, (bg * 0.85).astype(np.uint8), (bg * 0.7).astype(np.uint8)])
    ph, pw = page.shape[:2]
    src = np.array([[0, 0], [pw - 1, 0], [pw - 1, ph - 1], [0, ph - 1]], np.float32)
    hm = cv2.getPerspectiveTransform(src, np.asarray(corners, np.float32))
    warped = cv2.warpPerspective(page, hm, (w, h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), hm, (w, h))
    out = np.where(mask[:, :, None] > 127, warped, bg)
    return out


def shadow(img: np.ndarray, strength: float = 0.55) -> np.ndarray:
    """Multiply by a smooth diagonal light fall-off (1 at one corner, 1-strength at the other)."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = 1.0 - strength * ((xx / w + yy / h) / 2.0) ** 1.2
    return np.clip(img.astype(np.float32) * ramp[:, :, None], 0, 255).astype(np.uint8)


def low_contrast(img: np.ndarray, lo: int = 120, hi: int = 190) -> np.ndarray:
    """Squeeze gray levels into [lo, hi]."""
    return (lo + img.astype(np.float32) * ((hi - lo) / 255.0)).astype(np.uint8)


def add_noise(img: np.ndarray, sigma: float = 18.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(
        np.uint8
    )


def big_page(width: int = 4000, height: int = 3000, font_px: int = 60) -> np.ndarray:
    """A phone-photo-sized page full of text (for speed checks)."""
    lines = (SAMPLE_LINES * 8)[: int(height / (1.6 * font_px)) - 2]
    page = render_text(lines, font_px=font_px, width=width, margin=font_px)
    out = np.full((height, width, 3), 250, np.uint8)
    ph = min(height, page.shape[0])
    out[:ph] = page[:ph, :width]
    return out


def _style(font_name: str) -> str:
    """A ``vlocr.eval.data.fonts`` style for a font given by style key or by file name."""
    if "CJK" in font_name:
        return "cjk"
    by_file = {v: k for k, v in LATIN_FONTS.items()}
    return by_file.get(font_name, font_name if font_name in LATIN_FONTS else "sans")


def render_line(
    text: str, *, font: str = "DejaVuSans.ttf", size: int = 28, pad: int = 16
) -> np.ndarray:
    """One line of dark text on white (RGB), cropped to its ink plus ``pad``, for engine tests."""
    from PIL import Image, ImageDraw

    f = _font(_style(font), size)
    x0, y0, x1, y1 = (int(v) for v in f.getbbox(text))
    img = Image.new("RGB", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), "white")
    ImageDraw.Draw(img).text((pad - x0, pad - y0), text, fill=(20, 20, 20), font=f)
    return np.asarray(img)


_font = font  # render_line's keyword ``font`` shadows the module-level function
