"""service/hybrid.py without an engine: which pictures are read and where their lines go."""

from __future__ import annotations

import numpy as np

from vlocr.io.page import Page
from vlocr.results import OcrLine
from vlocr.service.hybrid import merge_in_reading_order, pictures_to_read


def _line(text: str, box: tuple[float, float, float, float], engine: str | None) -> OcrLine:
    x0, y0, x1, y1 = box
    return OcrLine(
        text=text, box=[(x0, y0), (x1, y0), (x1, y1), (x0, y1)], confidence=1.0, engine=engine
    )


def test_a_picture_the_layer_already_writes_on_is_not_read_again() -> None:
    """A scanned page made searchable: its picture is covered by layer text."""
    layer = [
        _line(f"line {i} of the scanned text", (10, 10 + 30 * i, 500, 35 + 30 * i), "pdf-text")
        for i in range(5)
    ]
    page = Page(
        image=np.zeros((400, 600, 3), np.uint8), source="s.pdf", pictures=[(0, 0, 600, 400)]
    )
    assert pictures_to_read(page, layer) == []
    photo = Page(image=page.image, source="s.pdf", pictures=[(0, 200, 300, 400)])
    assert pictures_to_read(photo, layer) == [(0.0, 200.0, 300.0, 400.0)]


def test_pictures_outside_the_region_are_left_out() -> None:
    page = Page(
        image=np.zeros((400, 600, 3), np.uint8),
        source="s.pdf",
        pictures=[(0, 0, 100, 100), (300, 300, 500, 400)],
    )
    assert pictures_to_read(page, [], region=(250, 250, 100, 100)) == [(300.0, 300.0, 350.0, 350.0)]


def test_a_picture_block_goes_between_the_text_above_and_below_it() -> None:
    above = _line("Heading", (10, 10, 200, 30), "pdf-text")
    below = _line("Footer", (10, 500, 200, 520), "pdf-text")
    receipt = [
        _line("SHOP", (20, 100, 100, 120), "rapidocr"),
        _line("TOTAL 5.00", (20, 400, 150, 420), "rapidocr"),
    ]
    merged = merge_in_reading_order([above, below], [((15, 90, 300, 450), receipt)])
    assert [ln.text for ln in merged] == ["Heading", "SHOP", "TOTAL 5.00", "Footer"]
    # A picture below all the text comes last.
    merged = merge_in_reading_order([above], [((15, 90, 300, 450), receipt)])
    assert [ln.text for ln in merged] == ["Heading", "SHOP", "TOTAL 5.00"]
