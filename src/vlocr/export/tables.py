"""One table as Markdown or HTML (JSON is the ``Table`` model itself: ``table.model_dump()``).

Markdown is a GitHub pipe table: the table's header rows (or an empty header when it has none,
since a pipe table must start with one) and a row per grid row. Pipe tables cannot merge cells,
so a spanned cell's text stands in its first grid position and the positions it covers stay
empty; HTML keeps ``rowspan`` / ``colspan``.
"""

from __future__ import annotations

import html

from vlocr.results import Table, TableCell


def _grid(table: Table) -> list[list[TableCell | None]]:
    """``grid[r][c]``: the cell that starts there, ``None`` where a span covers it or it is
    empty."""
    grid: list[list[TableCell | None]] = [[None] * table.n_cols for _ in range(table.n_rows)]
    for cell in table.cells:
        if cell.row < table.n_rows and cell.col < table.n_cols:
            grid[cell.row][cell.col] = cell
    return grid


def _md_text(text: str) -> str:
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def table_markdown(table: Table) -> str:
    """The table as a GitHub pipe table (ends with a newline; empty for an empty table)."""
    if table.n_rows == 0 or table.n_cols == 0:
        return ""
    grid = _grid(table)
    rows = [[_md_text(c.text) if c else "" for c in row] for row in grid]
    # a pipe table has one header row: the first header row, the others lead the body
    header, body = (rows[0], rows[1:]) if table.header_rows else ([""] * table.n_cols, rows)

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    out = [line(header), "| " + " | ".join(["---"] * table.n_cols) + " |"]
    out += [line(r) for r in body]
    return "\n".join(out) + "\n"


def table_html(table: Table) -> str:
    """The table as an HTML ``<table>`` with ``<thead>`` for the header rows and ``rowspan`` /
    ``colspan`` for merged cells."""
    covered: set[tuple[int, int]] = set()
    for cell in table.cells:
        for r in range(cell.row, cell.row + cell.row_span):
            for c in range(cell.col, cell.col + cell.col_span):
                if (r, c) != (cell.row, cell.col):
                    covered.add((r, c))
    grid = _grid(table)
    parts = [f'<table class="vlocr-table" data-kind="{html.escape(table.kind)}">']

    def row_html(r: int, tag: str) -> str:
        cells = []
        for c in range(table.n_cols):
            if (r, c) in covered:
                continue
            cell = grid[r][c]
            attrs = ""
            if cell is not None and cell.row_span > 1:
                attrs += f' rowspan="{cell.row_span}"'
            if cell is not None and cell.col_span > 1:
                attrs += f' colspan="{cell.col_span}"'
            text = html.escape(cell.text) if cell is not None else ""
            cells.append(f"<{tag}{attrs}>{text}</{tag}>")
        return "<tr>" + "".join(cells) + "</tr>"

    head = min(table.header_rows, table.n_rows)
    if head:
        parts.append("<thead>")
        parts += [row_html(r, "th") for r in range(head)]
        parts.append("</thead>")
    parts.append("<tbody>")
    parts += [row_html(r, "td") for r in range(head, table.n_rows)]
    parts.append("</tbody>")
    parts.append("</table>")
    return "\n".join(parts) + "\n"
