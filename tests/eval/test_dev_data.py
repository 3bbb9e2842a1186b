"""The three development sets load in the formats ``vlocr bench --data`` reads, as page kinds
with the right scoring (SROIE case-insensitive)."""

from __future__ import annotations

from pathlib import Path

from vlocr.eval.data.loaders import load_folder
from vlocr.eval.reading.model import BenchOptions
from vlocr.eval.reading.runner import user_items


def test_sroie_receipts_load_with_boxes_and_keys(dev_data: Path) -> None:
    samples = load_folder(dev_data / "sroie-train", "sroie", limit=2)
    assert len(samples) == 2
    for s in samples:
        assert s.kind == "sroie" and s.image.ndim == 3 and min(s.image.shape[:2]) > 300
        assert len(s.lines) > 10 and all(len(ln.box) == 4 for ln in s.lines)
        assert {"company", "total"} <= set(s.fields)
        # the truth is upper case where the print is: the reason for case-insensitive scores
        letters = [c for c in s.text if c.isalpha()]
        assert sum(c.isupper() for c in letters) > 0.8 * len(letters)


def test_funsd_forms_load_words_and_links(dev_data: Path) -> None:
    [form] = load_folder(dev_data / "funsd-train", "funsd", limit=1)
    assert form.kind == "funsd" and len(form.lines) > 10
    assert all(len(ln.box) == 4 for ln in form.lines)
    assert form.fields, "question -> answer links become key fields"


def test_book_pages_load_as_plain_transcripts(dev_data: Path) -> None:
    [page] = load_folder(dev_data / "oldbooks", "txt", limit=1)
    assert page.lang == "en" and len(page.text) > 500
    assert page.image.shape[0] > 1000


def test_items_of_several_folders_get_page_kinds_and_case_rule(dev_data: Path) -> None:
    options = BenchOptions(
        data=[
            str(dev_data / "sroie-train"),
            str(dev_data / "funsd-train"),
            str(dev_data / "oldbooks"),
        ],
        data_format=["sroie", "funsd", "txt"],
        data_limit=1,
        synthetic=False,
    )
    items = user_items(options)
    assert [(i.kind, i.casefold) for i in items] == [
        ("receipt", True),
        ("form", False),
        ("page", False),
    ]
    assert items[0].item_id.startswith("sroie:sroie-train/")
    # book pages keep the transcript's order for the order CER; boxed truth uses row order
    assert items[2].page_text == items[2].text and items[0].page_text is None


def test_case_rule_can_be_forced(dev_data: Path) -> None:
    def folds(case: str) -> list[bool]:
        options = BenchOptions(
            data=[str(dev_data / "sroie-train"), str(dev_data / "oldbooks")],
            data_format=["sroie", "txt"],
            data_limit=1,
            case=case,
        )
        return [i.casefold for i in user_items(options)]

    assert folds("auto") == [True, False]
    assert folds("keep") == [False, False]
    assert folds("ignore") == [True, True]
