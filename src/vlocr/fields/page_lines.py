"""OCR lines as printed rows: the unit that field rules reason about ("TOTAL ........ 11.80").

A row keeps which OCR lines it holds, so every value found in it can point back to its lines
and boxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vlocr.ocr.layout import group_rows
from vlocr.results import FieldEvidence, OcrLine, Quad


@dataclass
class Piece:
    """One OCR line inside a row, with its offset in the row text."""

    index: int
    line: OcrLine
    start: int
    end: int


@dataclass
class Row:
    index: int
    pieces: list[Piece]
    text: str
    left: float
    top: float
    right: float
    bottom: float

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def centre_x(self) -> float:
        return (self.left + self.right) / 2

    def pieces_in(self, start: int, end: int) -> list[Piece]:
        """The pieces that a character span of the row text overlaps."""
        return [p for p in self.pieces if p.start < end and start < p.end] or self.pieces[-1:]


@dataclass
class PageLines:
    """The OCR lines of one page, in rows, plus the page size the rows live in."""

    lines: list[OcrLine]
    rows: list[Row] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0

    @classmethod
    def build(cls, lines: list[OcrLine], width: float = 0, height: float = 0) -> PageLines:
        index = {id(ln): i for i, ln in enumerate(lines)}
        rows: list[Row] = []
        for row_lines in group_rows(list(lines)):
            pieces: list[Piece] = []
            text = ""
            for ln in row_lines:
                if text:
                    text += " "
                start = len(text)
                text += ln.text.strip()
                pieces.append(Piece(index[id(ln)], ln, start, len(text)))
            boxes = [ln.bbox for ln in row_lines]
            rows.append(
                Row(
                    len(rows),
                    pieces,
                    text,
                    min(b[0] for b in boxes),
                    min(b[1] for b in boxes),
                    max(b[2] for b in boxes),
                    max(b[3] for b in boxes),
                )
            )
        xs = [b for ln in lines for b in (ln.bbox[0], ln.bbox[2])]
        ys = [b for ln in lines for b in (ln.bbox[1], ln.bbox[3])]
        return cls(
            list(lines),
            rows,
            float(width or (max(xs) if xs else 0)),
            float(height or (max(ys) if ys else 0)),
        )

    def evidence(
        self,
        pieces: list[Piece],
        value: str | float | None,
        text: str,
        confidence: float,
        rule: str,
    ) -> FieldEvidence:
        """Evidence for a value read from ``pieces``: their union box and line indexes."""
        idx = sorted({p.index for p in pieces})
        ocr_conf = min((self.lines[i].confidence for i in idx), default=1.0)
        return FieldEvidence(
            value=value,
            text=text,
            box=union_box([self.lines[i].box for i in idx]),
            lines=idx,
            confidence=round(max(0.0, min(1.0, confidence * (0.5 + 0.5 * ocr_conf))), 3),
            rule=rule,
        )


def union_box(boxes: list[Quad]) -> Quad | None:
    """The axis-aligned quad around ``boxes`` (clockwise from top-left)."""
    if not boxes:
        return None
    xs = [p[0] for b in boxes for p in b]
    ys = [p[1] for b in boxes for p in b]
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
