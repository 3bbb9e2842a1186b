"""Turn any decoded PIL image or numpy array into the one pixel layout later stages accept.

That layout is RGB ``uint8`` (H, W, 3), C-contiguous. Alpha is composited on white (documents are
printed on white; black would hide dark text), 16-bit data is scaled, not truncated.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from vlocr.errors import InvalidImageError

_WHITE = 255


def pil_to_rgb(image: Image.Image) -> np.ndarray:
    """Convert a loaded PIL image of any mode to an RGB ``uint8`` array."""
    mode = image.mode
    if mode == "RGB":
        return _contiguous(np.asarray(image, dtype=np.uint8))
    if mode == "P" or mode == "PA":
        has_alpha = mode == "PA" or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
        return pil_to_rgb(image)
    if mode in ("RGBA", "RGBa", "LA", "La"):
        rgba = np.asarray(image.convert("RGBA"), dtype=np.uint8)
        return _composite_on_white(rgba[..., :3], rgba[..., 3])
    if mode.startswith("I;16") or mode == "I":
        return _gray_to_rgb(_scale_16bit(np.asarray(image), sixteen_bit=mode != "I"))
    if mode == "F":
        return _gray_to_rgb(_scale_float(np.asarray(image, dtype=np.float32)))
    if mode in ("1", "L"):
        return _gray_to_rgb(np.asarray(image.convert("L"), dtype=np.uint8))
    return _contiguous(np.asarray(image.convert("RGB"), dtype=np.uint8))


def array_to_rgb(array: np.ndarray, *, source: str | None = None) -> np.ndarray:
    """Convert a gray (H, W), (H, W, 1), gray+alpha (H, W, 2), RGB or RGBA array to RGB ``uint8``.

    Channel order is taken as RGB (not OpenCV's BGR). Accepted dtypes: uint8, uint16 (scaled by
    1/257), bool, floats (0..1 when the maximum is at most 1, else 0..255) and other integers
    whose values fit 0..65535.
    """
    arr = np.asarray(array)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (2, 3, 4)):
        raise InvalidImageError(
            f"array of shape {tuple(arr.shape)} is not an image",
            "pass (H, W) gray, (H, W, 3) RGB or (H, W, 4) RGBA",
            source=source,
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InvalidImageError(
            f"array of shape {tuple(arr.shape)} has no pixels",
            "pass a non-empty image",
            source=source,
        )
    arr8 = _to_uint8(arr, source=source)
    if arr8.ndim == 2:
        return _gray_to_rgb(arr8)
    channels = arr8.shape[2]
    if channels == 2:
        return _composite_on_white(np.repeat(arr8[..., :1], 3, axis=2), arr8[..., 1])
    if channels == 4:
        return _composite_on_white(arr8[..., :3], arr8[..., 3])
    return np.array(arr8, dtype=np.uint8, order="C", copy=True)


def _to_uint8(arr: np.ndarray, *, source: str | None) -> np.ndarray:
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype == np.bool_:
        return arr.astype(np.uint8) * 255
    if arr.dtype == np.uint16:
        return _scale_16bit(arr, sixteen_bit=True)
    if np.issubdtype(arr.dtype, np.floating):
        return _scale_float(arr)
    if np.issubdtype(arr.dtype, np.integer):
        lo, hi = int(arr.min()), int(arr.max())
        if lo >= 0 and hi <= 65535:
            return _scale_16bit(arr, sixteen_bit=False)
        raise InvalidImageError(
            f"{arr.dtype} array has values {lo}..{hi}, outside 0..65535",
            "pass uint8 or uint16 pixel values",
            source=source,
        )
    raise InvalidImageError(
        f"array of dtype {arr.dtype} is not an image",
        "pass uint8 or uint16 pixel values",
        source=source,
    )


def _scale_16bit(arr: np.ndarray, *, sixteen_bit: bool) -> np.ndarray:
    """Map 16-bit samples to 8 bits; for untyped 32-bit ints, keep 0..255 data as it is."""
    wide = arr.astype(np.int64)
    if not sixteen_bit and wide.size and int(wide.max()) <= 255:
        return np.clip(wide, 0, 255).astype(np.uint8)
    wide = np.clip(wide, 0, 65535)
    return ((wide * 255 + 32767) // 65535).astype(np.uint8)


def _scale_float(arr: np.ndarray) -> np.ndarray:
    data = np.nan_to_num(arr.astype(np.float64), nan=0.0, posinf=255.0, neginf=0.0)
    if data.size and float(data.max()) <= 1.0:
        data = data * 255.0
    return np.clip(np.rint(data), 0, 255).astype(np.uint8)


def _gray_to_rgb(gray: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(gray[..., None], 3, axis=2))


def _composite_on_white(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    a = alpha.astype(np.uint16)[..., None]
    out = (rgb.astype(np.uint16) * a + _WHITE * (255 - a) + 127) // 255
    return np.ascontiguousarray(out.astype(np.uint8))


def _contiguous(arr: np.ndarray) -> np.ndarray:
    return (
        np.ascontiguousarray(arr) if arr.flags.c_contiguous and arr.flags.writeable else arr.copy()
    )
