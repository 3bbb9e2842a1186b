"""vlocr's own ONNX Runtime pipeline over the bundled PP-OCR models.

detect (input scale chosen from the measured text height) -> crop -> optional 180° classifier
-> recognise in width-sorted batches -> CTC decode that keeps each character's column span, so
later steps can put spaces back where the letters actually sit.
"""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from vlocr.ocr._common import default_threads
from vlocr.ocr.dbpost import DBPostProcess, crop_box
from vlocr.ocr.linesplit import drop_repeated_pieces, split_at_wide_gaps
from vlocr.ocr.models import OnnxModel, model_path, open_model
from vlocr.ocr.rawline import CharSpan, RawLine
from vlocr.ocr.textsize import measure_text


@dataclass
class PipelineConfig:
    """Knobs of the pipeline; defaults are the measured best on 2 CPU cores (see compare.py).

    Measured on rendered receipts: the v4 and v6 detectors find the same boxes, v4 in about a
    third of the time; the v6 recogniser keeps spaces and reads Latin far better than v4 (word F1
    0.96 vs 0.46) and is as good on Chinese, so det=v4 + rec=v6. The 0/180 classifier only
    matters for upside-down lines and costs a pass over every crop, so it is off by default.
    """

    det_model: str = "v4"
    rec_model: str = "v6"
    use_cls: bool = False  # run the 0/180 degree line classifier on every line
    # turn whole pages that lie sideways (most boxes tall) or upside down (the 0/180 classifier's
    # vote over the widest lines); costs one classifier batch per page, a re-detect when turned
    auto_orient: bool = True
    orient_votes: int = 6  # one classifier batch
    orient_max_confidence: float = 0.9  # pages reading at a lower median confidence are checked
    threads: int = 0
    spinning: bool = False  # ONNX Runtime worker threads busy-wait between ops
    det_text_px: float = 12.0  # target glyph height in the detector input
    # text that one det_max_side input would leave shorter than this is detected in strips
    det_min_text_px: float = 10.0
    det_min_scale: float = 0.4
    det_max_scale: float = 2.5
    det_max_side: int = 2400  # one detector input's long side; a taller page goes in strips
    # a page too wide for one input at its text's scale is narrowed (not its text's height) at
    # most to this fraction of that scale
    det_min_squeeze: float = 0.6
    det_max_area: float = 12e6  # detector input pixels for one page, all strips together
    det_strip_overlap: int = 256  # detector-input rows that neighbouring strips share
    det_fallback_short_side: int = 736  # when no text height can be measured
    # a page with a small-text class (see textsize.py) is detected a second time at the small
    # text's scale when that is at least this much larger than the median text's
    det_second_scale_gain: float = 1.5
    det_thresh: float = 0.3
    box_thresh: float = 0.5
    unclip_ratio: float = 1.6
    # widen each box by this fraction of its height before cropping: tight v4 boxes otherwise
    # end on a final '.', which the recogniser then drops. Less on the left, where a wider crop
    # pulled in the edge of a neighbouring column ("x 7.52" -> "x7.52").
    crop_margin: float = 0.3
    crop_margin_left: float = 0.1
    rec_height: int = 48
    # lines shorter than this (box px) are cut out enlarged, at most 3x: on 12 SROIE receipts
    # shrunk to a 400 / 600 px long side, char errors 12.5% -> 11.4% (an enlarged crop resized
    # bilinearly to rec_height was worse: 13.4%)
    rec_crop_min_height: float = 24.0
    rec_crop_max_scale: float = 3.0
    rec_min_width: int = 96  # narrow crops are padded to this width (px at rec height)
    # longer crops are squeezed to this width / height: the recogniser's output is
    # steps x 18k classes of float32 per crop, so one 100000 px line would need gigabytes
    rec_max_ratio: float = 80.0
    # Each crop is recognised alone at its own width, the crops spread over ``threads`` Python
    # threads that share one single-threaded session. Against batches of 8 padded to their widest
    # crop on one session using every core (2 cores, the sample receipt): peak RSS of a fresh
    # `vlocr read` 394 -> 281 MB, its recognition 0.82x; warm, 0.89-0.97x (scripts/time_rec.py).
    rec_parallel: bool = True
    # blank columns after each crop (px at rec height). In batches every crop but the widest was
    # followed by blank; alone, with none, a letter-spaced book line lost its spacing (8 book
    # pages: CER 1.3% with 0 or 24 px, 1.2% with 48 or 96 px; receipts unchanged).
    rec_pad_right: int = 48
    # horizontal scale of crops at rec height: recognition cost grows with width. 0.85 kept word
    # F1 on receipts; 0.8 lost some (8 rendered receipts: F1 0.987 vs 0.990, CER 0.43% vs 0.26%)
    # for ~1% of time. (A 10 px detector target instead of 12 was faster too, but lost 4x CER
    # on perspective and shadowed photos in the benchmark.)
    rec_squeeze: float = 0.85
    min_confidence: float = 0.3
    # cut a box where its ink has a blank run wider than 1.5x the text height (two pieces of text
    # the detector joined across a gutter or a wide gap; see linesplit.py)
    split_wide_gaps: bool = True


class PpOcrPipeline:
    """Loads its ONNX sessions once; ``run`` is thread-safe (one image at a time)."""

    def __init__(self, config: PipelineConfig | None = None) -> None:
        self.config = cfg = config or PipelineConfig()
        threads = cfg.threads or default_threads()
        self.det: OnnxModel = open_model(model_path("det", cfg.det_model), threads, cfg.spinning)
        self.rec_workers = threads if cfg.rec_parallel else 1
        rec_threads = 1 if cfg.rec_parallel else threads
        self.rec: OnnxModel = open_model(
            model_path("rec", cfg.rec_model), rec_threads, cfg.spinning
        )
        self._rec_pool: ThreadPoolExecutor | None = None
        self.cls: OnnxModel | None = (
            open_model(model_path("cls", "v2"), threads, cfg.spinning)
            if cfg.use_cls or cfg.auto_orient
            else None
        )
        if not self.rec.characters:
            from vlocr.errors import EngineUnavailableError

            raise EngineUnavailableError(
                "the recognition model has no character list", "reinstall rapidocr"
            )
        self.alphabet = ["<blank>", *self.rec.characters, " "]
        self._db = DBPostProcess(
            thresh=cfg.det_thresh,
            box_thresh=cfg.box_thresh,
            max_candidates=1000,
            unclip_ratio=cfg.unclip_ratio,
            use_dilation=True,
        )
        self._lock = threading.Lock()
        self.last_scale: tuple[float, float | None] = (1.0, None)  # detector scale, text height
        self.last_turns = 0

    # ---- detection ------------------------------------------------------------------------

    def det_scale(self, image: np.ndarray) -> tuple[float, float | None, float | None]:
        """Scale for the detector input, the text height it was derived from, and on a page of
        mixed sizes a second, larger scale for its small text (else None)."""
        cfg = self.config
        h, w = image.shape[:2]
        sizes = measure_text(image)
        text_h = sizes.median
        if text_h is None:
            scale = cfg.det_fallback_short_side / max(1, min(h, w))
        else:
            scale = cfg.det_text_px / text_h
        scale = self._clamp_scale(scale, h, w)
        small_scale = None
        if sizes.small is not None:
            small_scale = self._clamp_scale(cfg.det_text_px / sizes.small, h, w)
            if small_scale < cfg.det_second_scale_gain * scale:
                small_scale = None
        return scale, text_h, small_scale

    def _clamp_scale(self, scale: float, h: int, w: int) -> float:
        """The text's scale within the configured bounds and, where text would be left under
        ``det_min_text_px`` in one ``det_max_side`` input (a dense page photographed at 12 MP),
        beyond it: the page is then detected in strips (narrowed where too wide) within
        ``det_max_area`` input pixels, never below the single-input scale."""
        cfg = self.config
        scale = min(max(scale, cfg.det_min_scale), cfg.det_max_scale)
        one_input = cfg.det_max_side / max(h, w)
        if scale <= one_input or cfg.det_text_px * one_input / scale >= cfg.det_min_text_px:
            return min(scale, one_input)
        strips = min(
            cfg.det_max_side / (cfg.det_min_squeeze * w), math.sqrt(cfg.det_max_area / (h * w))
        )
        return min(scale, max(one_input, strips))

    def detect_page(self, rgb: np.ndarray, scale: float, small_scale: float | None) -> np.ndarray:
        """Boxes at ``scale``; on a mixed-size page also at ``small_scale``, merged so each
        piece of text keeps the box of the scale that suits its size."""
        boxes = self.detect(rgb, scale)
        if small_scale is None:
            return boxes
        return merge_scales(boxes, self.detect(rgb, small_scale))

    def detect(self, rgb: np.ndarray, scale: float) -> np.ndarray:
        """Boxes of an RGB page at ``scale``: one detector input when the page fits
        ``det_max_side``, else horizontal strips that overlap by ``det_strip_overlap`` input
        rows, each box taken from the strip whose middle part holds its centre (so a line is
        never cut by a seam unless it is taller than half the overlap)."""
        cfg = self.config
        h, w = rgb.shape[:2]
        sx = min(scale, cfg.det_max_side / w)
        if h * scale <= cfg.det_max_side:
            return self.detect_one(rgb, sx, scale)
        strip = int(cfg.det_max_side / scale)
        overlap = min(strip // 2, int(cfg.det_strip_overlap / scale))
        starts = list(range(0, h - strip, strip - overlap)) + [h - strip]
        found = []
        for k, y0 in enumerate(starts):
            top = 0.0 if k == 0 else (y0 + starts[k - 1] + strip) / 2
            bottom = float(h) if k == len(starts) - 1 else (starts[k + 1] + y0 + strip) / 2
            boxes = self.detect_one(rgb[y0 : y0 + strip], sx, scale)
            if len(boxes) == 0:
                continue
            boxes[:, :, 1] += y0
            centre = boxes[:, :, 1].mean(axis=1)
            found.append(boxes[(centre >= top) & (centre < bottom)])
        return (
            np.concatenate(found).astype(np.float32) if found else np.zeros((0, 4, 2), np.float32)
        )

    def detect_one(self, rgb: np.ndarray, sx: float, sy: float) -> np.ndarray:
        """Boxes of an RGB page scaled by ``sx`` across and ``sy`` down in one detector input
        (the models take BGR: only the scaled copy is turned, not the page)."""
        import cv2

        h, w = rgb.shape[:2]
        pad_top = 0
        # very flat images (a single line) confuse the detector: pad them vertically like
        # rapidocr, to 1/4 of their width. The padding is added after scaling down, so a
        # 100000 x 1 px strip costs a 2400 x 600 detector input, not a 25000 x 100000 canvas.
        if h < 32 / sy or w / h > 8:
            pad_top = max(0, (max(int(w / 8), 30) * 2 - h) // 2)
        full_h = h + 2 * pad_top
        rw = max(32, int(round(w * sx / 32)) * 32)
        rh = max(32, int(round(full_h * sy / 32)) * 32)
        sy = rh / full_h
        content_h = min(rh, max(1, int(round(h * sy))))
        top = min(rh - content_h, int(round(pad_top * sy)))
        small = np.ascontiguousarray(
            cv2.resize(
                rgb,
                (rw, content_h),
                interpolation=cv2.INTER_AREA if max(sx, sy) < 1 else cv2.INTER_LINEAR,
            )[:, :, ::-1]
        )
        if content_h < rh:
            fill = [int(v) for v in np.median(small.reshape(-1, 3), axis=0)]
            small = cv2.copyMakeBorder(
                small, top, rh - content_h - top, 0, 0, cv2.BORDER_CONSTANT, value=fill
            )
        x = (small.astype(np.float32) * (2 / 255.0) - 1.0).transpose(2, 0, 1)[None]
        pred = self.det(np.ascontiguousarray(x))
        boxes = self._db(pred, (full_h, w))
        if len(boxes) == 0 or not pad_top:
            return boxes
        boxes[:, :, 1] = np.clip(boxes[:, :, 1] - top / sy, 0, h - 1)
        return boxes

    # ---- cropping + classification ----------------------------------------------------------

    def crop(self, rgb: np.ndarray, box: np.ndarray) -> np.ndarray:
        """The box cut out of an RGB page, upright, in the models' BGR order; a line shorter
        than ``rec_crop_min_height`` is cut out enlarged (at most ``rec_crop_max_scale`` x)."""
        scale = 1.0
        short = min(box_len(box, 0), box_len(box, 1))
        if self.config.rec_crop_min_height and 0 < short < self.config.rec_crop_min_height:
            scale = min(self.config.rec_crop_max_scale, self.config.rec_crop_min_height / short)
        return np.ascontiguousarray(crop_box(rgb, box, scale)[:, :, ::-1])

    def upside_down_probs(self, crops: list[np.ndarray]) -> np.ndarray:
        """The 0/180 classifier's probability that each crop is upside down."""
        import cv2

        assert self.cls is not None
        out = np.zeros(len(crops), np.float32)
        for beg in range(0, len(crops), 6):
            batch = []
            for img in crops[beg : beg + 6]:
                h, w = img.shape[:2]
                rw = min(192, int(math.ceil(48 * w / h)))
                pad = np.zeros((3, 48, 192), np.float32)
                pad[:, :, :rw] = (
                    cv2.resize(img, (rw, 48)).astype(np.float32) * (2 / 255.0) - 1.0
                ).transpose(2, 0, 1)
                batch.append(pad)
            probs = self.cls(np.stack(batch))
            out[beg : beg + len(batch)] = [float(p[1]) for p in probs]
        return out

    def upside_down(self, rgb: np.ndarray, boxes: np.ndarray) -> bool:
        """The 0/180 classifier's vote over the widest lines (one batch): is the page upside down?"""
        wide = [b for b in boxes if box_len(b, 0) >= 2 * box_len(b, 1)]
        wide.sort(key=lambda b: -box_len(b, 0))
        crops = [self.crop(rgb, b) for b in wide[: self.config.orient_votes]]
        if len(crops) < 3:
            return False
        probs = self.upside_down_probs(crops)
        flipped, upright = int((probs > 0.9).sum()), int((probs < 0.1).sum())
        return flipped >= 3 and flipped > 2 * upright

    def _crops(
        self, rgb: np.ndarray, boxes: np.ndarray
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        cfg = self.config
        crop_boxes = [widen(b, cfg.crop_margin_left, cfg.crop_margin, rgb.shape[1]) for b in boxes]
        return crop_boxes, [self.crop(rgb, b) for b in crop_boxes]

    def classify(self, crops: list[np.ndarray]) -> list[np.ndarray]:
        """Rotate crops the 0/180 classifier is sure are upside down."""
        import cv2

        probs = self.upside_down_probs(crops)
        return [
            cv2.rotate(c, cv2.ROTATE_180) if p > 0.9 else c
            for c, p in zip(crops, probs, strict=True)
        ]

    # ---- recognition ------------------------------------------------------------------------

    def recognize_crops(self, crops: list[np.ndarray]) -> list[tuple[str, float, list[CharSpan]]]:
        """Text, confidence and character spans of each crop, in the order given."""
        if self.rec_workers <= 1 or len(crops) <= 1:
            return [self.recognize_crop(c) for c in crops]
        if self._rec_pool is None:
            self._rec_pool = ThreadPoolExecutor(self.rec_workers, thread_name_prefix="vlocr-rec")
        # widest first, so the last crops to finish are short ones and the threads end together
        order = sorted(
            range(len(crops)), key=lambda i: -crops[i].shape[1] / max(1, crops[i].shape[0])
        )
        done = self._rec_pool.map(self.recognize_crop, [crops[i] for i in order])
        results: list[tuple[str, float, list[CharSpan]]] = [("", 0.0, [])] * len(crops)
        for i, result in zip(order, done, strict=True):
            results[i] = result
        return results

    def recognize_crop(self, crop: np.ndarray) -> tuple[str, float, list[CharSpan]]:
        """One crop at the recogniser's height and its own (squeezed) width: no padding to a
        batch's widest line."""
        import cv2

        cfg = self.config
        hh = cfg.rec_height
        ratio = min(cfg.rec_max_ratio, cfg.rec_squeeze * crop.shape[1] / max(1, crop.shape[0]))
        rw = max(1, int(math.ceil(hh * ratio)))
        pad_w = max(cfg.rec_min_width, rw + cfg.rec_pad_right)
        batch = np.zeros((1, 3, hh, pad_w), np.float32)
        resized = cv2.resize(crop, (rw, hh))
        batch[0, :, :, :rw] = (resized.astype(np.float32) * (2 / 255.0) - 1.0).transpose(2, 0, 1)
        pred = self.rec(batch)[0]
        col_px = pad_w / pred.shape[0]
        return self._decode(pred, col_px * crop.shape[1] / rw)

    def _decode(self, pred: np.ndarray, col_px: float) -> tuple[str, float, list[CharSpan]]:
        """Greedy CTC decode that keeps, for every emitted character, its column run."""
        ids = pred.argmax(axis=1)
        probs = pred.max(axis=1)
        chars: list[CharSpan] = []
        t, steps = 0, len(ids)
        while t < steps:
            k = int(ids[t])
            end = t
            while end + 1 < steps and ids[end + 1] == k:
                end += 1
            if k != 0 and k < len(self.alphabet):
                chars.append(
                    CharSpan(
                        self.alphabet[k],
                        t * col_px,
                        (end + 1) * col_px,
                        float(probs[t : end + 1].max()),
                    )
                )
            t = end + 1
        text = "".join(c.char for c in chars)
        conf = float(np.mean([c.prob for c in chars])) if chars else 0.0
        return text, conf, chars

    # ---- whole page -------------------------------------------------------------------------

    def run(self, image: np.ndarray) -> tuple[list[RawLine], dict[str, float]]:
        """RGB uint8 image -> raw lines (detector order) and per-stage timings in ms.

        Line boxes are in the upright frame the text was read in; ``last_turns`` says how many
        clockwise quarter turns of the input that frame is (see :func:`unturn`)."""
        import cv2

        timings: dict[str, float] = {}
        with self._lock:
            t0 = time.perf_counter()
            if image.ndim == 2:
                image = np.repeat(image[:, :, None], 3, axis=2)
            image = image[:, :, :3]
            # the page stays RGB (a BGR copy of a 35 MP scan was 104 MB more for the whole read)
            page = np.ascontiguousarray(image)
            scale, text_h, small_scale = self.det_scale(image)
            self.last_scale = (scale, text_h)
            boxes = self.detect_page(page, scale, small_scale)
            cfg = self.config
            turns = 0
            if cfg.auto_orient and len(boxes) >= 3 and is_sideways(boxes):
                page = cv2.rotate(page, cv2.ROTATE_90_CLOCKWISE)
                boxes = self.detect_page(page, scale, small_scale)
                turns = 1
            crop_boxes, crops = self._crops(page, boxes)
            t1 = time.perf_counter()
            timings["det"] = (t1 - t0) * 1000
            if cfg.use_cls and crops:
                crops = self.classify(crops)
            t2 = time.perf_counter()
            timings["cls"] = (t2 - t1) * 1000
            recs = self.recognize_crops(crops) if crops else []
            timings["rec"] = (time.perf_counter() - t2) * 1000
            # Upright text reads at a median confidence of ~1.0, upside-down text at <= 0.81 (8
            # rendered kinds), so the 0/180 vote only runs on pages that read poorly.
            confs = [r[1] for r in recs]
            if (
                cfg.auto_orient
                and self.cls is not None
                and len(confs) >= 3
                and float(np.median(confs)) < cfg.orient_max_confidence
                and self.upside_down(page, boxes)
            ):
                t3 = time.perf_counter()
                page = cv2.rotate(page, cv2.ROTATE_180)
                boxes = self.detect_page(page, scale, small_scale)
                crop_boxes, crops = self._crops(page, boxes)
                recs = self.recognize_crops(crops) if crops else []
                turns += 2
                timings["reread"] = (time.perf_counter() - t3) * 1000
            self.last_turns = turns
        lines: list[RawLine] = []
        pieces: set[int] = set()  # indexes of lines split off a wider box
        for box, cbox, crop, (text, conf, chars) in zip(
            boxes, crop_boxes, crops, recs, strict=True
        ):
            if not text.strip() or conf < self.config.min_confidence:
                continue
            ink, text_h = ink_profile(crop)
            line = RawLine(text, conf, box, cbox, crop.shape[1], crop.shape[0], chars, ink, text_h)
            parts = split_at_wide_gaps(line) if self.config.split_wide_gaps else [line]
            if len(parts) > 1:
                pieces.update(range(len(lines), len(lines) + len(parts)))
            lines.extend(parts)
        return (drop_repeated_pieces(lines, pieces) if pieces else lines), timings


def merge_scales(coarse: np.ndarray, fine: np.ndarray) -> np.ndarray:
    """Boxes of one page detected at two scales, merged. A coarse box holding two or more much
    smaller fine boxes was a blob over several lines of small text: the fine boxes replace it.
    Other coarse boxes (big text, which the fine scale may split) stay, and fine boxes whose
    centre lies inside one are dropped."""
    if len(fine) == 0:
        return coarse
    if len(coarse) == 0:
        return fine
    f_centre = fine.mean(axis=1)
    f_height = np.array([box_len(b, 1) for b in fine])
    keep = []
    for box in coarse:
        x0, y0 = box.min(axis=0)
        x1, y1 = box.max(axis=0)
        inside = (
            (f_centre[:, 0] >= x0)
            & (f_centre[:, 0] <= x1)
            & (f_centre[:, 1] >= y0)
            & (f_centre[:, 1] <= y1)
        )
        small = inside & (f_height < 0.6 * box_len(box, 1))
        if small.sum() < 2:
            keep.append(box)
    kept = np.asarray(keep, np.float32).reshape(-1, 4, 2)
    if len(kept) == 0:
        return fine
    lo, hi = kept.min(axis=1), kept.max(axis=1)
    covered = (
        (f_centre[:, None, 0] >= lo[None, :, 0])
        & (f_centre[:, None, 0] <= hi[None, :, 0])
        & (f_centre[:, None, 1] >= lo[None, :, 1])
        & (f_centre[:, None, 1] <= hi[None, :, 1])
    ).any(axis=1)
    return np.concatenate([kept, fine[~covered]]).astype(np.float32)


def widen(box: np.ndarray, left: float, right: float, image_width: int) -> np.ndarray:
    """The quad stretched along its baseline by ``left`` / ``right`` x its height."""
    box = box.astype(np.float32).copy()
    along = box[1] - box[0]
    length = float(np.linalg.norm(along))
    height = float(np.linalg.norm(box[3] - box[0]))
    if length < 1 or height >= 1.5 * length:
        return box
    unit = along / length * height
    box[[0, 3]] -= unit * left
    box[[1, 2]] += unit * right
    box[:, 0] = np.clip(box[:, 0], 0, image_width - 1)
    return box


def ink_profile(crop: np.ndarray) -> tuple[np.ndarray, float]:
    """Dark pixels per column of a text crop (Otsu) and the height of its inked band, for
    measuring gaps between letters relative to the text size."""
    import cv2

    from vlocr.ocr.spacing import text_height

    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    _, mask = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if mask.mean() > 0.5:
        mask = 1 - mask
    return mask.sum(axis=0).astype(np.int32), text_height(mask.sum(axis=1))


def box_len(box: np.ndarray, axis: int) -> float:
    """Length of a quad's top edge (axis 0) or left edge (axis 1)."""
    return float(np.linalg.norm(box[1] - box[0]) if axis == 0 else np.linalg.norm(box[3] - box[0]))


def is_sideways(boxes: np.ndarray) -> bool:
    """Most elongated text boxes stand upright: the page lies on its side."""
    tall = wide = 0
    for b in boxes:
        w, h = box_len(b, 0), box_len(b, 1)
        if h >= 2 * w:
            tall += 1
        elif w >= 2 * h:
            wide += 1
    return tall >= 3 and tall > 2 * wide


def unturn(points: np.ndarray, turns: int, width: int, height: int) -> np.ndarray:
    """Map points from an image turned ``turns`` x 90 degrees clockwise back onto the original
    ``width`` x ``height`` image."""
    pts = np.asarray(points, np.float32).copy()
    x, y = pts[..., 0].copy(), pts[..., 1].copy()
    turns %= 4
    if turns == 1:
        pts[..., 0], pts[..., 1] = y, height - x
    elif turns == 2:
        pts[..., 0], pts[..., 1] = width - x, height - y
    elif turns == 3:
        pts[..., 0], pts[..., 1] = width - y, x
    return pts
