"""Boxes from the DB detector's probability map, and the perspective crop of one box.

Adapted from ``rapidocr`` 3.10 (``ch_ppocr_det/utils.py`` and ``utils/process_img.py``,
Apache-2.0). Importing those modules imports the whole ``rapidocr`` package (omegaconf,
requests, shapely, its model downloader): about half a second and tens of MB before the first
page. Only the models' files are used from that wheel; these few functions need cv2, numpy and
pyclipper.
"""

from __future__ import annotations

import numpy as np


class DBPostProcess:
    """Probability map -> quadrilaterals (``score_mode="fast"``, optional 2x2 dilation)."""

    def __init__(
        self,
        thresh: float = 0.3,
        box_thresh: float = 0.5,
        max_candidates: int = 1000,
        unclip_ratio: float = 1.6,
        use_dilation: bool = True,
    ) -> None:
        self.thresh = thresh
        self.box_thresh = box_thresh
        self.max_candidates = max_candidates
        self.unclip_ratio = unclip_ratio
        self.min_size = 3
        # a low-scoring rectangle is still kept when its region is a line this long (long side /
        # short side) detected at least this confidently (see ``leaning_line``)
        self.line_ratio = 10.0
        self.line_region_score = 0.75
        self.dilate = use_dilation

    def __call__(self, pred: np.ndarray, ori_shape: tuple[int, int]) -> np.ndarray:
        """``pred`` (1, 1, H, W) -> (N, 4, 2) float32 boxes in ``ori_shape`` (h, w) pixels."""
        import cv2

        src_h, src_w = ori_shape
        prob = pred[0, 0]
        mask = (prob > self.thresh).astype(np.uint8)
        if self.dilate:
            mask = cv2.dilate(mask, np.ones((2, 2), np.uint8))
        height, width = mask.shape
        contours, _ = cv2.findContours(mask * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        boxes = []
        for contour in contours[: self.max_candidates]:
            points, short = mini_box(contour)
            if short < self.min_size:
                continue
            if self.box_thresh > box_score(prob, points) and not self.leaning_line(
                prob, contour, points, short
            ):
                continue
            box, short = mini_box(self.unclip(points))
            if short < self.min_size + 2:
                continue
            box[:, 0] = np.clip(np.round(box[:, 0] / width * src_w), 0, src_w)
            box[:, 1] = np.clip(np.round(box[:, 1] / height * src_h), 0, src_h)
            box = clockwise(box.astype(np.int32).astype(np.float32))
            box[:, 0] = np.clip(box[:, 0], 0, src_w - 1)
            box[:, 1] = np.clip(box[:, 1], 0, src_h - 1)
            if (
                int(np.linalg.norm(box[0] - box[1])) <= 3
                or int(np.linalg.norm(box[0] - box[3])) <= 3
            ):
                continue
            boxes.append(box)
        if not boxes:
            return np.zeros((0, 4, 2), np.float32)
        return np.asarray(boxes, np.float32)

    def leaning_line(
        self, prob: np.ndarray, contour: np.ndarray, points: np.ndarray, short: float
    ) -> bool:
        """A long line whose rectangle leans off it: a drop cap (or a swash) at one end tilts the
        minimum-area rectangle, which then takes in background and scores under the box
        threshold, and the whole line was lost (an old book page: "FROM about 1380 ..." beside
        its two-line initial). Kept when the region itself is confidently text and the box is a
        line, not a blob. On 62 real scans (20 receipts, 20 forms, 22 book pages), 33 regions
        scored under the threshold while their region passed it: 31 specks, rules and marks under
        10x as long as high (region score 0.50-0.86), one row of asterisks at 39x scoring 0.63,
        and the lost line, 0.88 at 41x."""
        long = max(
            float(np.linalg.norm(points[0] - points[1])),
            float(np.linalg.norm(points[1] - points[2])),
        )
        if long < self.line_ratio * short:
            return False
        region = box_score(prob, contour.reshape(-1, 2).astype(np.float32))
        return region >= self.line_region_score

    def unclip(self, box: np.ndarray) -> np.ndarray:
        """The box grown outwards by area * ratio / perimeter (DB's shrink undone)."""
        import cv2
        import pyclipper

        contour = box.astype(np.float32).reshape(-1, 1, 2)
        distance = cv2.contourArea(contour) * self.unclip_ratio / cv2.arcLength(contour, True)
        offset = pyclipper.PyclipperOffset()
        offset.AddPath(box, pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
        return np.array(offset.Execute(distance)).reshape((-1, 1, 2))


def mini_box(contour: np.ndarray) -> tuple[np.ndarray, float]:
    """Minimum-area rectangle of a contour as 4 points (top-left first) and its short side."""
    import cv2

    rect = cv2.minAreaRect(contour.astype(np.float32) if contour.dtype != np.int32 else contour)
    points = sorted(cv2.boxPoints(rect), key=lambda p: p[0])
    i1, i4 = (0, 1) if points[1][1] > points[0][1] else (1, 0)
    i2, i3 = (2, 3) if points[3][1] > points[2][1] else (3, 2)
    return np.array([points[i1], points[i2], points[i3], points[i4]]), min(rect[1])


def box_score(prob: np.ndarray, box: np.ndarray) -> float:
    """Mean probability inside the box."""
    import cv2

    h, w = prob.shape[:2]
    box = box.copy()
    xmin = int(np.clip(np.floor(box[:, 0].min()), 0, w - 1))
    xmax = int(np.clip(np.ceil(box[:, 0].max()), 0, w - 1))
    ymin = int(np.clip(np.floor(box[:, 1].min()), 0, h - 1))
    ymax = int(np.clip(np.ceil(box[:, 1].max()), 0, h - 1))
    mask = np.zeros((ymax - ymin + 1, xmax - xmin + 1), dtype=np.uint8)
    box[:, 0] -= xmin
    box[:, 1] -= ymin
    cv2.fillPoly(mask, [box.reshape(-1, 2).astype(np.int32)], 1)
    return float(cv2.mean(prob[ymin : ymax + 1, xmin : xmax + 1], mask)[0])


def clockwise(pts: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    by_x = pts[np.argsort(pts[:, 0]), :]
    left, right = by_x[:2], by_x[2:]
    tl, bl = left[np.argsort(left[:, 1])]
    tr, br = right[np.argsort(right[:, 1])]
    return np.array([tl, tr, br, bl], dtype=np.float32)


def crop_box(img: np.ndarray, points: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """The quad warped to an upright rectangle ``scale`` x its size in ``img`` (a tiny line
    is cut out enlarged, so the warp's cubic interpolation works at sub-pixel positions
    instead of rounding a 7 px line to whole pixels); crops 1.5x taller than wide are
    turned 90°."""
    import cv2

    points = points.astype(np.float32)
    side_w = max(np.linalg.norm(points[0] - points[1]), np.linalg.norm(points[2] - points[3]))
    side_h = max(np.linalg.norm(points[0] - points[3]), np.linalg.norm(points[1] - points[2]))
    width, height = int(side_w * scale), int(side_h * scale)
    width, height = max(1, width), max(1, height)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    matrix = cv2.getPerspectiveTransform(points, target)
    out = cv2.warpPerspective(
        img, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
    if out.shape[0] / out.shape[1] >= 1.5:
        out = np.rot90(out)
    return out
