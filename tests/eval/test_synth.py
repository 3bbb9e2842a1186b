"""The generator: deterministic, readable layout, exact truth."""

from __future__ import annotations

import numpy as np
import pytest

from vlocr.eval.data.canvas import is_cjk
from vlocr.eval.synth import KINDS, boxes_overlap, generate, generate_set, long_receipt, rows_text


def test_same_seed_same_bytes_and_truth() -> None:
    a, b = generate("receipt", 7), generate("receipt", 7)
    assert a.image.tobytes() == b.image.tobytes()
    assert a.lines == b.lines and a.fields == b.fields
    c = generate("receipt", 8)
    assert c.image.tobytes() != a.image.tobytes() or c.lines != a.lines


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_is_readable_and_consistent(kind: str) -> None:
    doc = generate(kind, 3)
    h, w, ch = doc.image.shape
    assert ch == 3 and doc.image.dtype == np.uint8
    assert doc.lines, "a document without text"
    assert boxes_overlap(doc.lines) == []
    for line in doc.lines:
        x0, y0 = min(p[0] for p in line.box), min(p[1] for p in line.box)
        x1, y1 = max(p[0] for p in line.box), max(p[1] for p in line.box)
        assert x0 >= 5 and x1 <= w - 5 and y0 >= 5 and y1 <= h - 5, (
            f"{line.text!r} touches the edge"
        )
        assert line.text == line.text.strip() and "  " not in line.text
        # the ink under the box is darker than the page around it: the text was really drawn
        crop = doc.image[int(y0) : int(y1), int(x0) : int(x1)]
        assert crop.min() < 140
    # rows are at least ~20 px apart (small print uses 15-16 px type on a 21 px pitch)
    tops = sorted({round(min(p[1] for p in ln.box)) for ln in doc.lines})
    centres = sorted({round(sum(p[1] for p in ln.box) / 4) for ln in doc.lines})
    gaps = [b - a for a, b in zip(centres, centres[1:], strict=False) if b - a > 3]
    assert min(gaps) >= 19, (kind, gaps)
    assert tops
    # every field value is printed somewhere on the page
    for name, value in doc.fields.items():
        assert value in rows_text(doc.lines) or value in " ".join(ln.text for ln in doc.lines), (
            name,
            value,
        )


def test_languages() -> None:
    zh = generate("notice_zh", 1)
    assert zh.lang == "zh" and all(any(is_cjk(c) for c in ln.text) for ln in zh.lines)
    mixed = generate("notice_mixed", 1)
    text = mixed.text
    assert (
        mixed.lang == "mixed"
        and any(is_cjk(c) for c in text)
        and any(c.isascii() and c.isalpha() for c in text)
    )
    receipt = generate("receipt", 1)
    assert receipt.lang == "en"
    assert any(ln.text.isupper() for ln in receipt.lines)  # ALL CAPS lines
    assert "**** **** ****" in receipt.text  # masked card number
    assert receipt.fields["time"].count(":") == 2


def test_generate_set_cycles_kinds_and_long_receipt_size() -> None:
    docs = generate_set(12, seed=5)
    assert [d.kind for d in docs[: len(KINDS)]] == list(KINDS)
    assert len({d.doc_id for d in docs}) == 12
    r = long_receipt(0)
    h, w = r.image.shape[:2]
    assert 500 <= w <= 700 and 1400 <= h <= 2000
    assert 40 <= r.text.count("\n") + 1 <= 60


def test_rows_text_joins_pieces_of_a_row_left_to_right() -> None:
    doc = generate("receipt", 2)
    first_item = next(t for t in doc.text.splitlines() if t.startswith("Subtotal"))
    assert first_item == f"Subtotal {doc.fields['subtotal']}"


def _ink_height(image: np.ndarray, box: list[tuple[float, float]]) -> int:
    x0, x1 = int(min(p[0] for p in box)), int(max(p[0] for p in box))
    y0, y1 = int(min(p[1] for p in box)), int(max(p[1] for p in box))
    rows = np.where((image[y0 : y1 + 1, x0 : x1 + 1].min(axis=2) < 128).any(axis=1))[0]
    return int(rows.max() - rows.min() + 1)


def test_mixed_size_page_has_a_big_headline_over_dense_small_body() -> None:
    for kind in ("newspaper_zh", "newspaper_en"):
        doc = generate(kind, 0)
        assert _ink_height(doc.image, doc.lines[0].box) >= 40, "the headline"
        assert doc.lines[0].text == doc.fields["headline"]
        body = [_ink_height(doc.image, ln.box) for ln in doc.lines[2:]]
        assert len(body) > 150 and 8 <= np.median(body) <= 10, (kind, np.median(body))
        assert boxes_overlap(doc.lines) == []


def test_columns_page_truth_is_in_reading_order_not_row_order() -> None:
    doc = generate("columns_en", 1)
    width = doc.image.shape[1]
    body = doc.lines[1:-2]  # title, caption and page number off
    in_first = [min(p[0] for p in ln.box) < width / 3 for ln in body]
    # reading order: every line of the first column comes before any line of another column
    n_first = sum(in_first)
    assert 5 < n_first < len(body) and all(in_first[:n_first])
    assert doc.reading_text != doc.text and sorted(doc.reading_text.split()) == sorted(
        doc.text.split()
    )


def test_caps_receipt_is_long_upper_case_and_boxed() -> None:
    doc = generate("receipt_caps", 3)
    rows = doc.text.splitlines()
    assert 40 <= len(rows) <= 70 and boxes_overlap(doc.lines) == []
    letters = [c for c in doc.text if c.isalpha()]
    assert all(c.isupper() for c in letters)
    assert f"TOTAL AMOUNT (RM) {doc.fields['total']}" in rows
