"""The layout bench's pieces: region matching, and pages composed from the real dev scans
whose regions and reading text are known."""

from __future__ import annotations

import re

from vlocr.eval.structure.layout_bench import iou, match_regions
from vlocr.eval.synth.composed import COMPOSED_KINDS, book_paragraphs, composed_pages


def test_iou_and_one_to_one_matching() -> None:
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (5, 0, 15, 10)) == 50 / 150
    truth = [("text", (0, 0, 100, 100)), ("heading", (0, 120, 100, 140))]
    # right box, wrong class; a second prediction on the same region does not count twice
    pred = [("text", (2, 2, 100, 98)), ("text", (0, 0, 95, 100)), ("text", (0, 120, 100, 140))]
    assert match_regions(truth, pred) == 1


def test_book_paragraphs_carry_their_transcript(dev_data) -> None:  # type: ignore[no-untyped-def]
    paragraphs = book_paragraphs(dev_data)
    assert len(paragraphs) >= 20
    for para in paragraphs:
        assert para.text and para.image.height >= 30
        # rows of about 50 px at 300 dpi: a paragraph of n lines is about n x 60 px tall
        words = len(para.text.split())
        assert para.image.height < 80 * (words / 6 + 2), para.source


def test_composed_pages_have_known_regions(dev_data) -> None:  # type: ignore[no-untyped-def]
    pages = composed_pages(dev_data, seed=3)
    assert [p.name for p in pages] == list(COMPOSED_KINDS)
    for page in pages:
        h, w = page.image.shape[:2]
        kinds = [r.kind for r in page.regions]
        assert kinds[0] == "header" and "page_number" in kinds and "title" in kinds
        if "figure" in kinds:
            assert kinds[kinds.index("figure") + 1] == "caption"
        for r in page.regions:
            assert 0 <= r.box[0] < r.box[2] <= w and 0 <= r.box[1] < r.box[3] <= h
        text = page.reading_text
        assert text and (re.search(r"[\u4e00-\u9fff]", text) if page.lang == "zh" else True)
    # the same seed draws the same pages
    again = composed_pages(dev_data, seed=3)
    assert all((a.image == b.image).all() for a, b in zip(pages, again, strict=True))
