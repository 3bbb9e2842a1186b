"""Pixel steps: ``ndarray -> ndarray`` with explicit parameters, geometry unchanged.

Each takes RGB uint8 (HxWx3) or gray (HxW) and returns the same kind, except the binarisers,
which always return gray 0/255 (a binary image has no colour to keep).
"""

from __future__ import annotations

import cv2
import numpy as np

from vlocr.preprocess._util import to_gray

SEED_SHARPEN_KERNEL = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float32)


def grayscale(image: np.ndarray) -> np.ndarray:
    """RGB -> gray (ITU-R 601 luma, what cv2 and the article use)."""
    return to_gray(image)


def clahe(image: np.ndarray, clip: float = 2.0, tiles: int = 8) -> np.ndarray:
    """Local contrast equalisation; colour images are equalised on the L channel of Lab."""
    op = cv2.createCLAHE(clipLimit=float(clip), tileGridSize=(int(tiles), int(tiles)))
    if image.ndim == 2:
        return op.apply(image)
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)
    lab[:, :, 0] = op.apply(np.ascontiguousarray(lab[:, :, 0]))
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def sharpen(image: np.ndarray, kernel: np.ndarray | None = None) -> np.ndarray:
    """The article's 3x3 Laplacian sharpening kernel (or a given one)."""
    k = SEED_SHARPEN_KERNEL if kernel is None else np.asarray(kernel, dtype=np.float32)
    return cv2.filter2D(image, -1, k)


def unsharp(image: np.ndarray, sigma: float = 1.0, amount: float = 0.6) -> np.ndarray:
    """Gentle unsharp mask: crisper edges without the ringing of the 3x3 kernel."""
    blurred = cv2.GaussianBlur(image, (0, 0), sigma)
    return cv2.addWeighted(image, 1.0 + amount, blurred, -amount, 0)


def stretch(image: np.ndarray, low_pct: float = 1.0, high_pct: float = 99.0) -> np.ndarray:
    """Linear contrast stretch of the gray percentiles to 0..255 (same map on every channel)."""
    gray = to_gray(image)
    sample = gray[:: max(1, gray.shape[0] // 500), :: max(1, gray.shape[1] // 500)]
    lo, hi = np.percentile(sample, [low_pct, high_pct])
    if hi - lo < 1:
        return image.copy()
    lut = np.clip((np.arange(256, dtype=np.float32) - lo) * (255.0 / (hi - lo)), 0, 255)
    return cv2.LUT(image, lut.astype(np.uint8))


def otsu(image: np.ndarray) -> np.ndarray:
    """Global Otsu threshold -> gray 0/255."""
    _, out = cv2.threshold(to_gray(image), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return out


def adaptive(image: np.ndarray, block: int = 31, c: float = 10.0) -> np.ndarray:
    """Local mean threshold (cv2.adaptiveThreshold) -> gray 0/255."""
    block = int(block) | 1
    return cv2.adaptiveThreshold(
        to_gray(image), 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, float(c)
    )


def sauvola(image: np.ndarray, window: int = 25, k: float = 0.2, r: float = 128.0) -> np.ndarray:
    """Sauvola threshold T = m * (1 + k * (s / r - 1)) over a local window -> gray 0/255."""
    gray = to_gray(image).astype(np.float32)
    win = (int(window) | 1,) * 2
    mean = cv2.boxFilter(gray, -1, win, borderType=cv2.BORDER_REFLECT)
    sq = cv2.boxFilter(gray * gray, -1, win, borderType=cv2.BORDER_REFLECT)
    std = np.sqrt(np.maximum(sq - mean * mean, 0))
    thresh = mean * (1.0 + k * (std / r - 1.0))
    return np.where(gray > thresh, 255, 0).astype(np.uint8)


def morph_close(image: np.ndarray, size: int = 2) -> np.ndarray:
    """Morphological close with a size x size square (the article's speck remover)."""
    return cv2.morphologyEx(image, cv2.MORPH_CLOSE, np.ones((int(size), int(size)), np.uint8))


def denoise(image: np.ndarray, method: str = "median", strength: float = 3.0) -> np.ndarray:
    """Remove sensor/scan noise: ``median`` (ksize=strength, fast), ``bilateral`` or ``nlmeans`` (h=strength)."""
    if method == "median":
        return cv2.medianBlur(image, max(3, int(strength) | 1))
    if method == "bilateral":
        return cv2.bilateralFilter(image, 5, 10.0 * strength, 5.0)
    if method == "nlmeans":
        if image.ndim == 2:
            return cv2.fastNlMeansDenoising(image, None, float(strength), 7, 21)
        return cv2.fastNlMeansDenoisingColored(image, None, float(strength), float(strength), 7, 21)
    raise ValueError(f"unknown denoise method {method!r} (median, bilateral, nlmeans)")


def background(gray: np.ndarray, text_px: float = 12.0, work_side: int = 320) -> np.ndarray:
    """Estimate the paper's brightness (text removed) at reduced size: close away dark strokes, blur."""
    h, w = gray.shape[:2]
    scale = min(1.0, work_side / max(h, w))
    small = (
        gray
        if scale >= 1.0
        else cv2.resize(
            gray, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
        )
    )
    k = max(3, int(round(text_px * scale * 2.5)) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.GaussianBlur(bg, (0, 0), max(1.0, k / 2))
    return bg


def flatten(image: np.ndarray, text_px: float = 12.0, work_side: int = 320) -> np.ndarray:
    """Divide by the estimated background: removes shadows and uneven light, keeps strokes.

    ``text_px`` is the text height in pixels of ``image``; the background kernel must be wider
    than a character so strokes are not taken for background.
    """
    h, w = image.shape[:2]
    bg = background(to_gray(image), text_px, work_side)
    bg = cv2.resize(np.maximum(bg, 1), (w, h), interpolation=cv2.INTER_LINEAR)
    if image.ndim == 3:  # light falls on all channels alike: one gray estimate keeps the colours
        bg = cv2.merge([bg, bg, bg])
    return cv2.divide(image, bg, scale=255)
