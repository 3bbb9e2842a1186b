from __future__ import annotations

from vlocr.vlm.loop import detect_loop


def test_repeated_phrase_is_cut_after_one_copy() -> None:
    text = "Total: 89.50\nThe merchant is FRESH MART." + " and the milk" * 30
    cut = detect_loop(text)
    assert cut is not None
    assert text[:cut] == "Total: 89.50\nThe merchant is FRESH MART. and the milk"


def test_single_character_loop() -> None:
    text = "答案是" + "哈" * 200
    cut = detect_loop(text)
    assert cut is not None and text[:cut] == "答案是哈"


def test_loop_ending_mid_span_is_detected() -> None:
    text = "Items:" + "12.00 " * 40 + "12."
    cut = detect_loop(text)
    assert cut is not None and text[:cut].startswith("Items:12.00")
    assert len(text[:cut]) < 20


def test_normal_text_and_receipt_dividers_are_not_loops() -> None:
    receipt = "FRESH MART\n" + "-" * 40 + "\nMilk 9.00\nBread 3.50\n" + "=" * 40 + "\nTOTAL 12.50\n"
    assert detect_loop(receipt) is None
    assert detect_loop("The total is 89.50 and the date is 2024-05-12.") is None
    assert detect_loop("ha " * 4) is None  # short repetition is allowed
    assert detect_loop("") is None


def test_whitespace_loop_is_removed_entirely() -> None:
    text = "done" + "\n" * 300
    cut = detect_loop(text)
    assert cut == 4
