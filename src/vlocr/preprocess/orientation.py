"""Which way up a page is, in any script: two independent readers of text must agree.

Glyph-box geometry (``geometry.upright_score``: Latin letters share a baseline) says nothing
reliable about Hangul, Han or kana: syllable blocks and square characters line up at the top
as well as at the bottom, and a clean upright Korean page scored as upside down. So ``auto``
decides the page's quarter turn from two signals that were trained on many scripts:

1. the PP-OCR text-line classifier bundled with vlocr (the one the ``rapidocr`` engine turns
   pages with): the detector's boxes tell a sideways page (most boxes tall), and the 0/180
   classifier votes over the widest lines;
2. Tesseract's orientation and script detection (``--psm 0``, ``osd.traineddata``).

The page is turned only when the classifier's vote is decisive and Tesseract's OSD reports the
same turn (without Tesseract, when the classifier's vote is unanimous), or, on a page whose
detector boxes stand upright (sideways) while the classifier cannot tell 90 from 270, when OSD
says 90 or 270. Any other disagreement, too few lines, or OSD failing leaves the page as it is: a wrong turn costs the whole page, a missed
one is no worse than not preprocessing. The classifier runs first and OSD only when it asks for
a turn, so an upright page costs one detector pass and one classifier batch.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: classifier probabilities beyond these count as a vote for upside down / upright
FLIP_PROB = 0.9
UPRIGHT_PROB = 0.1
VOTES = 6  # the widest lines that vote (one classifier batch)
MIN_VOTES = 3
#: OSD is not asked about pages larger than this (long side, pixels): it is shrunk first
OSD_MAX_SIDE = 2000


@dataclass(frozen=True)
class Orientation:
    """``turns``: counter-clockwise quarter turns that make the page upright (0: leave it);
    ``reason``: what the signals said, for the preprocessing trace."""

    turns: int
    reason: str


@dataclass(frozen=True)
class ClassifierVote:
    clockwise: int | None  # clockwise quarter turns the classifier would apply; None: no vote
    sure: bool  # unanimous among the decisive votes
    detail: str
    sideways: bool = False  # most detector boxes stand upright (the page lies on its side)


def classifier_vote(image: np.ndarray) -> ClassifierVote:
    """The PP-OCR detector and 0/180 line classifier on ``image`` (RGB or gray uint8)."""
    import cv2

    from vlocr.ocr.ppocr_pipeline import box_len, is_sideways

    pipe = _pipeline()
    rgb = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    rgb = np.ascontiguousarray(rgb[:, :, :3])
    scale, _, small_scale = pipe.det_scale(rgb)
    boxes = pipe.detect_page(rgb, scale, small_scale)
    if len(boxes) < MIN_VOTES:
        return ClassifierVote(None, False, f"{len(boxes)} text lines found, too few to judge")
    turns = 0
    if is_sideways(boxes):
        rgb = cv2.rotate(rgb, cv2.ROTATE_90_CLOCKWISE)
        boxes = pipe.detect_page(rgb, scale, small_scale)
        turns = 1
    wide = sorted(
        (b for b in boxes if box_len(b, 0) >= 2 * box_len(b, 1)), key=lambda b: -box_len(b, 0)
    )[:VOTES]
    side = bool(turns)
    if len(wide) < MIN_VOTES:
        return ClassifierVote(None, False, f"{len(wide)} wide text lines, too few to judge", side)
    probs = pipe.upside_down_probs([pipe.crop(rgb, b) for b in wide])
    flipped, upright = int((probs > FLIP_PROB).sum()), int((probs < UPRIGHT_PROB).sum())
    detail = f"{flipped} of {len(wide)} lines upside down, {upright} upright" + (
        ", page sideways" if side else ""
    )
    if flipped >= MIN_VOTES and flipped > 2 * upright:
        return ClassifierVote(turns + 2, upright == 0, detail, side)
    if upright >= MIN_VOTES and upright > 2 * flipped:
        return ClassifierVote(turns, flipped == 0, detail, side)
    return ClassifierVote(None, False, detail + ": undecided", side)


@functools.cache
def _pipeline():  # type: ignore[no-untyped-def]
    """The default engine's pipeline (its models are loaded once per process and shared)."""
    from vlocr.ocr.registry import get_engine

    return get_engine("rapidocr").pipeline  # type: ignore[attr-defined]


def osd_clockwise(image: np.ndarray) -> tuple[int | None, str]:
    """Tesseract OSD's clockwise quarter turns that make ``image`` upright, or None when
    Tesseract, its ``osd`` pack or enough text is missing."""
    import cv2

    from vlocr.ocr.tesseract import available_languages

    if "osd" not in available_languages():
        return None, "Tesseract OSD is not installed"
    import pytesseract

    h, w = image.shape[:2]
    if max(h, w) > OSD_MAX_SIDE:
        s = OSD_MAX_SIDE / max(h, w)
        image = cv2.resize(image, (int(w * s), int(h * s)), interpolation=cv2.INTER_AREA)
    try:
        osd = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT)
    except (pytesseract.TesseractError, OSError, ValueError) as exc:
        return None, f"Tesseract OSD gave no answer ({str(exc).strip()[:60]})"
    rotate = int(osd.get("rotate", 0)) % 360
    detail = (
        f"Tesseract OSD: turn {rotate} deg clockwise (confidence "
        f"{float(osd.get('orientation_conf', 0)):.1f}, script {osd.get('script', '?')})"
    )
    return rotate // 90, detail


def detect(
    image: np.ndarray,
    classifier: Callable[[np.ndarray], ClassifierVote] = classifier_vote,
    osd: Callable[[np.ndarray], tuple[int | None, str]] = osd_clockwise,
) -> Orientation:
    """Decide the page's turn from the classifier and OSD (see the module docstring)."""
    vote = classifier(image)
    if vote.clockwise is None and vote.sideways:
        # the boxes say sideways, the classifier cannot say which way: OSD picks 90 or 270 (a
        # page left on its side is lost anyway, so only a sideways answer is taken)
        osd_cw, osd_detail = osd(image)
        if osd_cw in (1, 3):
            return Orientation(
                (4 - osd_cw) % 4, f"line detector: page sideways ({vote.detail}); {osd_detail}"
            )
        return Orientation(0, f"left as is: line classifier {vote.detail}; {osd_detail}")
    if vote.clockwise is None:
        return Orientation(0, f"left as is: line classifier {vote.detail}")
    if vote.clockwise == 0:
        return Orientation(0, f"upright: line classifier {vote.detail}")
    cw = vote.clockwise
    osd_cw, osd_detail = osd(image)
    said = f"line classifier: turn {90 * cw} deg clockwise ({vote.detail})"
    if osd_cw is None:
        if vote.sure:
            return Orientation((4 - cw) % 4, f"{said}, unanimous; {osd_detail}")
        return Orientation(0, f"left as is: {said}, not unanimous; {osd_detail}")
    if osd_cw != cw:
        return Orientation(0, f"left as is: {said}, but {osd_detail}")
    return Orientation((4 - cw) % 4, f"{said}; {osd_detail} agrees")
