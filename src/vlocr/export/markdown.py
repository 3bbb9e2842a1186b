"""The page as a Markdown document, the way docling and Marker give it: headings as ``#``,
paragraphs joined across line breaks (hyphenation undone), lists as lists, tables as tables,
figures as a marker, in reading order; page headers, footers and page numbers left out.

A run of rows that is not running text (a receipt's ``Sourdough Bread 3.49``, a form's label
and answer) keeps each visual row on one line, with a hard line break. The layout comes from
``page.blocks``; a page without blocks is analysed here (without the image, so no figures).
The table of OCR lines with confidences is ``vlocr.render.to_line_table`` (``--format lines``).
"""

from __future__ import annotations

import re

from vlocr.results import PageResult, ReadResult, Table

LEFT_OUT = {"header", "footer", "page_number"}
_BULLET = re.compile(r"^\s*[•·▪●○◦■□\-–—*>]\s*")
_NUMBER = re.compile(r"^\s*\(?(\d{1,2})[.)、]\s*")


def _escape(text: str) -> str:
    """Keep a line that starts like Markdown syntax from being read as it."""
    text = text.replace("\\", "\\\\")
    numbered = re.match(r"^\s*(\d+)([.)])(\s)", text)
    if numbered:  # "1\. text": a digit cannot be escaped, the dot can
        return numbered.group(1) + "\\" + text[numbered.end(1) :].lstrip()
    if re.match(r"^\s*(#|>|[-+*]\s)", text):
        return "\\" + text.lstrip()
    return text


def _table_fallback(table: Table) -> str:
    """A pipe table from the cells, for when the tables module is not there."""
    n_rows = max(table.n_rows, max((c.row + c.row_span for c in table.cells), default=0))
    n_cols = max(table.n_cols, max((c.col + c.col_span for c in table.cells), default=0))
    if not n_rows or not n_cols:
        return ""
    grid = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    for cell in table.cells:
        grid[cell.row][cell.col] = cell.text.replace("|", "\\|").replace("\n", " ")
    rows = ["| " + " | ".join(row) + " |" for row in grid]
    rows.insert(1, "|" + " --- |" * n_cols)
    return "\n".join(rows)


def render_table(table: Table) -> str:
    try:
        from vlocr.export.tables import table_markdown  # type: ignore[attr-defined]
    except ImportError:
        return _table_fallback(table)
    return str(table_markdown(table))


def _list(text: str) -> str:
    out = []
    for item in text.split("\n"):
        number = _NUMBER.match(item)
        if number:
            out.append(f"{number.group(1)}. {item[number.end() :].strip()}")
        else:
            out.append("- " + _BULLET.sub("", item, count=1).strip())
    return "\n".join(out)


def page_document(page: PageResult) -> str:
    """One page's Markdown body (no page label)."""
    if page.error is not None:
        hint = f" ({page.error.hint})" if page.error.hint else ""
        return f"> **Error:** {page.error.message}{hint}\n"
    if not page.lines:
        return page.text.strip() + "\n" if page.text.strip() else ""
    if not page.blocks:
        from vlocr.layout.order import analyse_layout

        analyse_layout(page)
    parts: list[str] = []
    for block in page.blocks:
        if block.kind in LEFT_OUT:
            continue
        text = block.text.strip()
        if block.kind == "table" and block.table is not None and block.table < len(page.tables):
            parts.append(render_table(page.tables[block.table]))
        elif block.kind == "figure":
            parts.append("<!-- figure -->")
        elif block.kind in ("title", "heading") and text:
            parts.append("#" * max(1, min(6, block.level or 2)) + " " + " ".join(text.split()))
        elif block.kind == "list" and text:
            parts.append(_list(text))
        elif block.kind == "caption" and text:
            parts.append(f"*{_escape(text)}*")
        elif block.kind == "text" and text:
            parts.append("  \n".join(_escape(row) for row in text.split("\n")))
        elif text:
            parts.append(_escape(" ".join(text.split("\n"))))
    return "\n\n".join(parts) + "\n" if parts else ""


def to_document(result: ReadResult) -> str:
    """All pages; with several, each starts with an HTML comment naming it and a rule between."""
    if len(result.pages) == 1:
        return page_document(result.pages[0])
    chunks = [f"<!-- {page.label} -->\n\n" + page_document(page) for page in result.pages]
    return "\n---\n\n".join(chunks)
