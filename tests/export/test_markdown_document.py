"""Document Markdown: a receipt keeps each visual row on one line; the line table stays
available as ``to_line_table`` (``--format lines``)."""

from __future__ import annotations

from vlocr import render
from vlocr.export.markdown import page_document, render_table
from vlocr.results import OcrLine, PageResult, ReadResult, Table, TableCell


def _line(text: str, x0: float, y0: float, x1: float, y1: float) -> OcrLine:
    return OcrLine(text=text, box=[(x0, y0), (x1, y0), (x1, y1), (x0, y1)], confidence=0.95)


def receipt() -> PageResult:
    """A till receipt as the detector returns it: item and price are separate lines."""
    rows = [
        ("GREEN GROCER", None),
        ("Sourdough Bread", "3.49"),
        ("Fresh Milk 2L", "6.50"),
        ("Apples 1kg", "4.20"),
        ("TOTAL", "14.19"),
        ("THANK YOU", None),
    ]
    lines = []
    for k, (name, price) in enumerate(rows):
        y = 30 + k * 40
        lines.append(_line(name, 30, y, 30 + 14 * len(name), y + 26))
        if price:
            lines.append(_line(price, 330, y, 330 + 14 * len(price), y + 26))
    return PageResult(source="r.png", width=420, height=300, lines=lines)


def test_receipt_rows_stay_on_one_line() -> None:
    md = page_document(receipt())
    rows = [row.rstrip() for row in md.splitlines()]
    for expected in ("Sourdough Bread 3.49", "Fresh Milk 2L 6.50", "TOTAL 14.19"):
        assert expected in rows
    assert "GREEN GROCER" in md and "THANK YOU" in md  # a receipt's top and bottom are content
    assert "| # | text | confidence |" not in md


def test_line_table_is_still_there() -> None:
    result = ReadResult(pages=[receipt()])
    table = render.to_line_table(result)
    assert "| # | text | confidence |" in table and "| 2 | Sourdough Bread | 0.95 |" in table
    assert render.to_markdown(result) == page_document(result.pages[0])


def test_a_table_renders_as_a_pipe_table() -> None:
    table = Table(
        n_rows=2,
        n_cols=2,
        cells=[
            TableCell(row=0, col=0, text="Item"),
            TableCell(row=0, col=1, text="Price"),
            TableCell(row=1, col=0, text="Bread"),
            TableCell(row=1, col=1, text="3.49"),
        ],
    )
    md = render_table(table)
    assert "Item" in md and "Bread" in md and "3.49" in md
    assert md.count("|") >= 6 and "---" in md


def test_error_and_text_only_pages() -> None:
    from vlocr.results import ErrorInfo

    bad = PageResult(source="x", error=ErrorInfo(type="t", code="c", message="cannot read"))
    assert "cannot read" in page_document(bad)
    vlm = PageResult(source="y", text="# A heading\n\nbody")
    assert page_document(vlm) == "# A heading\n\nbody\n"


def test_text_that_looks_like_markdown_syntax_is_escaped() -> None:
    from vlocr.export.markdown import _escape

    assert _escape("- TAX INVOICE -") == "\\- TAX INVOICE -"
    assert _escape("1. Apples") == "1\\. Apples"  # a digit cannot be escaped, the dot can
    assert _escape("# 12 main st") == "\\# 12 main st"
    assert _escape("3.49 total") == "3.49 total"
