"""One table as a GitHub pipe table and as HTML: header row, escaped pipes, spans."""

from __future__ import annotations

from vlocr.export.tables import table_html, table_markdown
from vlocr.results import Table, TableCell


def _table() -> Table:
    cells = [
        TableCell(row=0, col=0, text="Region", row_span=2),
        TableCell(row=0, col=1, text="Sales | 2023", col_span=2),
        TableCell(row=1, col=1, text="H1"),
        TableCell(row=1, col=2, text="H2"),
        TableCell(row=2, col=0, text="North <NE>"),
        TableCell(row=2, col=1, text="12.5"),
        TableCell(row=2, col=2, text="13.1"),
    ]
    return Table(kind="ruled", n_rows=3, n_cols=3, header_rows=2, cells=cells)


def test_markdown_is_a_pipe_table_with_escaped_pipes() -> None:
    assert table_markdown(_table()).splitlines() == [
        "| Region | Sales \\| 2023 |  |",
        "| --- | --- | --- |",
        "|  | H1 | H2 |",
        "| North <NE> | 12.5 | 13.1 |",
    ]


def test_markdown_without_a_header_row_gets_an_empty_one() -> None:
    table = Table(
        kind="items",
        n_rows=2,
        n_cols=2,
        cells=[
            TableCell(row=0, col=0, text="Sourdough Bread"),
            TableCell(row=0, col=1, text="3.49"),
            TableCell(row=1, col=0, text="Butter\nCroissant"),
            TableCell(row=1, col=1, text="2.10"),
        ],
    )
    assert table_markdown(table).splitlines() == [
        "|  |  |",
        "| --- | --- |",
        "| Sourdough Bread | 3.49 |",
        "| Butter Croissant | 2.10 |",
    ]
    assert table_markdown(Table()) == ""


def test_html_keeps_spans_and_escapes_text() -> None:
    html = table_html(_table())
    assert '<th rowspan="2">Region</th><th colspan="2">Sales | 2023</th>' in html
    assert "<tr><th>H1</th><th>H2</th></tr>" in html  # the covered cell is not repeated
    assert "<tbody>\n<tr><td>North &lt;NE&gt;</td><td>12.5</td><td>13.1</td></tr>" in html
    assert html.count("<tr>") == 3
