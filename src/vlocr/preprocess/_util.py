"""Small helpers shared by the preprocessing steps: colour conversions and matrices."""

from __future__ import annotations

import cv2
import numpy as np

from vlocr.errors import InvalidImageError


def check_image(image: np.ndarray) -> np.ndarray:
    """Accept uint8 gray (HxW), gray-with-channel (HxWx1), RGB (HxWx3) or RGBA; reject the rest."""
    if not isinstance(image, np.ndarray):
        raise InvalidImageError(
            f"expected a numpy array, got {type(image).__name__}",
            "decode the input with vlocr.io first",
        )
    if image.size == 0 or image.ndim not in (2, 3):
        raise InvalidImageError(
            f"expected an HxW or HxWx3 image, got shape {image.shape}",
            "pass a decoded, non-empty image",
        )
    if image.dtype != np.uint8:
        if (
            np.issubdtype(image.dtype, np.floating)
            and image.size
            and float(np.nanmax(image)) <= 1.0
        ):
            image = image * 255.0
        image = np.clip(np.nan_to_num(image), 0, 255).astype(np.uint8)
    if image.ndim == 3:
        channels = image.shape[2]
        if channels == 1:
            image = image[:, :, 0]
        elif channels == 4:
            image = cv2.cvtColor(image, cv2.COLOR_RGBA2RGB)
        elif channels != 3:
            raise InvalidImageError(
                f"expected 1, 3 or 4 channels, got {channels}", "convert the image to RGB first"
            )
    return np.ascontiguousarray(image)


def to_gray(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def to_rgb(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB) if image.ndim == 2 else image


def affine3(m: np.ndarray) -> np.ndarray:
    """A 2x3 affine matrix as 3x3 homogeneous."""
    out = np.eye(3, dtype=np.float64)
    out[:2, :] = m
    return out


def scale_matrix(sx: float, sy: float) -> np.ndarray:
    return np.diag([sx, sy, 1.0]).astype(np.float64)


def apply_matrix(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Map Nx2 points through a 3x3 homogeneous matrix."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    homo = np.hstack([pts, np.ones((len(pts), 1))]) @ np.asarray(matrix, dtype=np.float64).T
    return homo[:, :2] / homo[:, 2:3]


def border_color(image: np.ndarray) -> tuple[int, ...] | int:
    """Median colour of the outermost pixels: a fill colour that looks like the page."""
    edges = np.concatenate(
        [
            image[0].reshape(-1, *image.shape[2:]),
            image[-1].reshape(-1, *image.shape[2:]),
            image[:, 0].reshape(-1, *image.shape[2:]),
            image[:, -1].reshape(-1, *image.shape[2:]),
        ]
    )
    med = np.median(edges, axis=0)
    if image.ndim == 2:
        return int(med)
    return tuple(int(v) for v in np.atleast_1d(med))


def shrink(gray: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """Downscale so the long side is at most ``long_side``; returns (image, scale)."""
    h, w = gray.shape[:2]
    scale = min(1.0, long_side / max(h, w))
    if scale >= 1.0:
        return gray, 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA), scale
