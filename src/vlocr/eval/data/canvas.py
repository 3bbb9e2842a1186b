"""A small drawing surface that records the exact text and box of everything it writes.

The synthetic generator lays documents out row by row on a ``Canvas``; each ``text`` call
returns and stores a ground-truth line, so the truth can never drift from the pixels.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from vlocr.eval.data.fonts import font

Quad = list[tuple[float, float]]
Color = tuple[int, int, int]
INK: Color = (24, 24, 24)


class GtLine(NamedTuple):
    """One ground-truth text line: its exact string and a quad (4 points, clockwise from top-left)."""

    text: str
    box: Quad


def quad_from_rect(x0: float, y0: float, x1: float, y1: float) -> Quad:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3400 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x2FFFF
    )


def wrap(text: str, fnt: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width``: at spaces for Latin words, between
    any two characters for CJK runs (the way Chinese typesetting breaks)."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if is_cjk(ch):
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        elif ch == " ":
            if word:
                tokens.append(word)
            tokens.append(" ")
            word = ""
        else:
            word += ch
    if word:
        tokens.append(word)
    lines: list[str] = []
    current = ""
    for tok in tokens:
        trial = current + tok
        if current and fnt.getlength(trial.rstrip()) > max_width:
            lines.append(current.strip())
            current = "" if tok == " " else tok
        else:
            current = trial
    if current.strip():
        lines.append(current.strip())
    return lines


class Canvas:
    """A white (or coloured) page with a writing cursor ``y`` that moves down row by row."""

    def __init__(
        self, width: int, *, bg: Color = (255, 255, 255), margin: int = 40, max_height: int = 4000
    ):
        self.width = width
        self.margin = margin
        self.image = Image.new("RGB", (width, max_height), bg)
        self.draw = ImageDraw.Draw(self.image)
        self.y = margin
        self.lines: list[GtLine] = []

    @property
    def inner_width(self) -> int:
        return self.width - 2 * self.margin

    def text(
        self,
        x: float,
        y: float,
        text: str,
        style: str,
        size: int,
        fill: Color = INK,
        record: bool = True,
    ) -> GtLine:
        """Draw ``text`` with its top-left at (x, y); record and return its ink box."""
        fnt = font(style, size)
        self.draw.text((x, y), text, font=fnt, fill=fill)
        x0, y0, x1, y1 = self.draw.textbbox((x, y), text, font=fnt)
        line = GtLine(text, quad_from_rect(x0 - 1, y0 - 1, x1 + 1, y1 + 1))
        if record:
            self.lines.append(line)
        return line

    def row(
        self,
        parts: list[tuple[str, str | float]],
        style: str,
        size: int,
        *,
        fill: Color = INK,
        leading: float = 1.55,
        indent: float = 0,
    ) -> None:
        """Write one row of text pieces; each piece is aligned ``l``, ``c``, ``r`` or placed at an x."""
        fnt = font(style, size)
        for text, where in parts:
            if not text:
                continue
            width = fnt.getlength(text)
            if where == "l":
                x = self.margin + indent
            elif where == "r":
                x = self.width - self.margin - width
            elif where == "c":
                x = (self.width - width) / 2
            else:
                x = float(where)
            self.text(x, self.y, text, style, size, fill)
        self.y += int(round(size * leading))

    def paragraph(
        self,
        text: str,
        style: str,
        size: int,
        *,
        fill: Color = INK,
        leading: float = 1.5,
        indent: float = 0,
    ) -> None:
        for line in wrap(text, font(style, size), self.inner_width - indent):
            self.row([(line, "l")], style, size, fill=fill, leading=leading, indent=indent)

    def rule(
        self, *, dashed: bool = False, color: Color = (90, 90, 90), pad: int = 8, width: int = 2
    ) -> None:
        """A horizontal separator (drawn, not typed, so it is no text to read)."""
        y = self.y + pad
        x0, x1 = self.margin, self.width - self.margin
        if dashed:
            for x in range(x0, x1, 14):
                self.draw.line([(x, y), (min(x + 8, x1), y)], fill=color, width=width)
        else:
            self.draw.line([(x0, y), (x1, y)], fill=color, width=width)
        self.y += 2 * pad + width

    def space(self, px: int) -> None:
        self.y += px

    def finish(self) -> tuple[np.ndarray, list[GtLine]]:
        height = min(self.image.height, self.y + self.margin)
        return np.asarray(self.image.crop((0, 0, self.width, height)).convert("RGB")).copy(), list(
            self.lines
        )
