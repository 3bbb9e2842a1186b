"""Real-looking document pages composed from the real dev scans, with known regions and order.

Paragraphs are cut out of the old-book scans (``dev-data/oldbooks``) together with their
transcript paragraph: the scan's text rows are found by projection, a row indented past the
margin starts a paragraph, and a page is used only when its count of paragraph starts matches
its transcript's paragraphs, so every cut-out carries its exact text. Receipts and forms
(``sroie-train``, ``funsd-train``) become framed figures. Headlines, headers, captions, lists,
side notes and page numbers are rendered (DejaVu / Noto CJK), so their text is exact too. Chinese
pages are rendered whole (there are no Chinese scans in the dev data) around real figure scans.

Each ``ComposedPage`` lists its regions in reading order: header, title, ... , page number; a
side note comes after the last block beside it; a figure's own text is not part of the reading
text. Nothing is copied into the repo: pages are built at bench time from ``../shared/dev-data``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from vlocr.eval.data.canvas import wrap
from vlocr.eval.data.fonts import font
from vlocr.eval.synth.layouts import _sentence_zh

Rect = tuple[float, float, float, float]


@dataclass
class TruthRegion:
    kind: (
        str  # title | heading | paragraph | list | figure | caption | header | footer | page_number
    )
    box: Rect
    text: str = ""
    level: int | None = None


@dataclass
class ComposedPage:
    name: str
    lang: str
    image: np.ndarray
    regions: list[TruthRegion] = field(default_factory=list)

    @property
    def reading_text(self) -> str:
        """The page's text in reading order, one region a line; figures' own text left out."""
        return "\n".join(r.text for r in self.regions if r.kind != "figure" and r.text)


@dataclass
class BookParagraph:
    image: Image.Image  # grayscale crop of the paragraph's rows
    text: str
    source: str


def _rows(ink: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Text rows of a binarised page: (top, bottom, left, right) where the row's ink is."""
    prof = ink.sum(axis=1)
    rows = []
    start = None
    for y, v in enumerate([*prof.tolist(), 0]):
        if v > 2 and start is None:
            start = y
        elif v <= 2 and start is not None:
            if y - start >= 8:
                xs = np.nonzero(ink[start:y].sum(axis=0) > 0)[0]
                rows.append((start, y, int(xs.min()), int(xs.max())))
            start = None
    return rows


def _plain_text(rows: list[tuple[int, int, int, int]]) -> bool:
    """Every row the body's height, every gap the body's gap, every row starting at the margin
    or one indent in: a page of plain paragraphs, whose starts are its indented rows."""
    heights = [r[1] - r[0] for r in rows]
    gaps = [b[0] - a[1] for a, b in zip(rows, rows[1:], strict=False)]
    h, g = float(np.median(heights)), float(np.median(gaps))
    margin = float(np.median([r[2] for r in rows]))
    return (
        all(0.7 * h <= x <= 1.3 * h for x in heights[:-1])
        and 0.4 * h <= heights[-1] <= 1.3 * h
        and all(x <= g + 0.5 * h for x in gaps)
        and all(-10 <= r[2] - margin < 150 for r in rows)
    )


def book_paragraphs(data_dir: str | Path) -> list[BookParagraph]:
    """Every paragraph of the old-book scans whose start can be found by indentation."""
    out: list[BookParagraph] = []
    for png in sorted(Path(data_dir, "oldbooks").glob("*.png")):
        transcript = [t.strip() for t in png.with_suffix(".txt").read_text("utf-8").splitlines()]
        paras = [t for t in transcript if t]
        if len(paras) < 3:
            continue
        paras = paras[1:]  # the running header
        if paras and paras[-1].isdigit():
            paras = paras[:-1]  # the page number
        gray = np.asarray(Image.open(png).convert("L"))
        rows = _rows(gray < 128)
        if len(rows) < 4:
            continue
        rows = rows[1:]  # header row
        if rows[-1][3] - rows[-1][2] < 150:
            rows = rows[:-1]  # page number row
        if not _plain_text(rows):
            continue  # footnotes, figures, verse or a table: not a page of plain paragraphs
        margin = int(np.median([r[2] for r in rows]))
        right = int(np.percentile([r[3] for r in rows], 90))
        starts = [k for k, r in enumerate(rows) if 25 < r[2] - margin < 150]
        if not starts or starts[0] != 0:
            starts = [0, *starts]
        if len(starts) != len(paras):
            continue
        bounds = [*starts, len(rows)]
        for k, text in enumerate(paras):
            first, last = rows[bounds[k]], rows[bounds[k + 1] - 1]
            box = (margin - 8, first[0] - 6, right + 8, last[1] + 6)
            out.append(BookParagraph(Image.fromarray(gray).crop(box), text, png.stem))
    return out


@cache
def _paragraphs(data_dir: str) -> list[BookParagraph]:
    return book_paragraphs(data_dir)


class _Page:
    """A white page that records each region as it is placed."""

    def __init__(self, width: int, height: int) -> None:
        self.image = Image.new("L", (width, height), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.regions: list[TruthRegion] = []
        self.width, self.height = width, height

    def text(
        self,
        x: float,
        y: float,
        lines: list[str],
        style: str,
        size: int,
        kind: str,
        *,
        leading: float = 1.4,
        level: int | None = None,
        joiner: str = " ",
        align: str = "l",
        width: float = 0,
        indent: float = 0,
    ) -> float:
        fnt = font(style, size)
        boxes = []
        for k, line in enumerate(lines):
            lx = x + (indent if k == 0 else 0)
            if align == "c":
                lx = x + (width - fnt.getlength(line)) / 2
            elif align == "r":
                lx = x + width - fnt.getlength(line)
            self.draw.text((lx, y), line, font=fnt, fill=20)
            boxes.append(self.draw.textbbox((lx, y), line, font=fnt))
            y += size * leading
        rect = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        self.regions.append(TruthRegion(kind, rect, joiner.join(lines), level))
        return y

    def paragraph_text(
        self, x: float, y: float, width: float, text: str, style: str, size: int, kind: str
    ) -> float:
        lines = wrap(text, font(style, size), width)
        joiner = "" if style.startswith("cjk") else " "
        return self.text(x, y, lines, style, size, kind, joiner=joiner)

    def book(self, x: float, y: float, para: BookParagraph, width: float) -> float:
        scale = width / para.image.width
        img = para.image.resize(
            (round(para.image.width * scale), round(para.image.height * scale)),
            Image.Resampling.LANCZOS,
        )
        self.image.paste(img, (round(x), round(y)))
        self.regions.append(
            TruthRegion("paragraph", (x, y, x + img.width, y + img.height), para.text)
        )
        return y + img.height

    def figure(self, x: float, y: float, scan: Image.Image, width: float) -> float:
        scale = width / scan.width
        img = scan.convert("L").resize(
            (round(width), round(scan.height * scale)), Image.Resampling.LANCZOS
        )
        self.image.paste(img, (round(x), round(y)))
        x1, y1 = x + img.width, y + img.height
        self.draw.rectangle((x - 4, y - 4, x1 + 4, y1 + 4), outline=30, width=3)
        self.regions.append(TruthRegion("figure", (x - 4, y - 4, x1 + 4, y1 + 4)))
        return y1 + 4

    def chart(self, x: float, y: float, width: float, height: float, rng: random.Random) -> float:
        self.draw.line((x, y + height, x + width, y + height), fill=30, width=3)
        self.draw.line((x, y, x, y + height), fill=30, width=3)
        n = rng.randint(4, 7)
        bar = width / (2 * n + 1)
        for k in range(n):
            h = rng.uniform(0.2, 0.95) * height
            bx = x + bar * (2 * k + 1)
            self.draw.rectangle(
                (bx, y + height - h, bx + bar, y + height), fill=rng.choice([60, 110, 160])
            )
        self.regions.append(TruthRegion("figure", (x - 2, y, x + width, y + height + 2)))
        return y + height + 2

    def finish(self) -> np.ndarray:
        return np.asarray(self.image.convert("RGB")).copy()


def _scan(data_dir: Path, rng: random.Random) -> Image.Image:
    """The top of a receipt or a form scan (a figure with text inside it)."""
    if rng.random() < 0.5:
        path = rng.choice(sorted(Path(data_dir, "sroie-train", "img").glob("*.jpg")))
        img = Image.open(path)
        return img.crop((0, 0, img.width, min(img.height, int(img.width * 0.9))))
    path = rng.choice(sorted(Path(data_dir, "funsd-train", "images").glob("*.png")))
    img = Image.open(path)
    return img.crop((0, 0, img.width, int(img.height * 0.55)))


HEADLINES = [
    "The Merchant of the Old Market",
    "Letters from a River Town",
    "Travellers on the Northern Road",
    "A Season of Storms and Harvests",
]
SUBHEADS = [
    "What the archive tells us about trade and daily life",
    "Stories gathered from old books, receipts and forms",
]
CAPTIONS = [
    "Figure {n}: A receipt kept with the papers",
    "Figure {n}: A form from the same archive",
    "Figure {n}: Sales by month in the old market",
]
NOTES = [
    "Side note: the text is taken from a printed book of the period.",
    "Note: spelling follows the original edition.",
]
ITEMS = [
    "Bread, flour and salt for the week",
    "Lamp oil and candles for the shop",
    "Cloth from the river traders",
    "Letters to be carried north",
]


def _en_header(p: _Page, rng: random.Random, margin: int) -> float:
    y = p.text(margin, 40, ["THE ARCHIVE REVIEW"], "sans", 22, "header")
    p.draw.line((margin, y + 4, p.width - margin, y + 4), fill=80, width=2)
    return y + 30


def _page_number(p: _Page, rng: random.Random, y: float, zh: bool = False) -> None:
    n = rng.randint(2, 240)
    text = f"— {n} —" if zh else str(n)
    p.text(0, y, [text], "sans", 22, "page_number", align="c", width=p.width)


def _fill_column(
    p: _Page,
    x: float,
    y: float,
    width: float,
    bottom: float,
    queue: list[BookParagraph],
    gap: float = 24,
) -> float:
    while queue:
        para = queue[0]
        height = para.image.height * width / para.image.width
        if y + height > bottom:
            break
        y = p.book(x, y, queue.pop(0), width) + gap
    return y


def en_two_columns(data_dir: Path, rng: random.Random) -> ComposedPage:
    """Header, a two-size headline, two columns of book paragraphs, a framed scan with its
    caption in the right column, and a page number."""
    W, H, M, G = 1700, 2300, 100, 60
    p = _Page(W, H)
    y = _en_header(p, rng, M)
    y = p.text(M, y, [rng.choice(HEADLINES)], "serif-bold", 64, "title", level=1) + 10
    y = p.text(M, y, [rng.choice(SUBHEADS)], "serif", 46, "heading", level=2) + 30
    col = (W - 2 * M - G) / 2
    queue = rng.sample(_paragraphs(str(data_dir)), 12)
    _fill_column(p, M, y, col, H - 160, queue)
    fy = p.figure(M + col + G + 40, y + 4, _scan(data_dir, rng), col - 80) + 16
    cap = rng.choice(CAPTIONS).format(n=1)
    fy = p.paragraph_text(M + col + G, fy, col, cap, "sans", 24, "caption") + 30
    _fill_column(p, M + col + G, fy, col, H - 160, queue)
    _page_number(p, rng, H - 90)
    return ComposedPage("en_two_columns", "en", p.finish(), p.regions)


def en_mixed(data_dir: Path, rng: random.Random) -> ComposedPage:
    """Two columns, then a full-width chart with its caption, then two columns again, a side
    note in the right margin, header and page number."""
    W, H, M, G, SIDE = 1900, 2400, 90, 60, 260
    p = _Page(W, H)
    y = _en_header(p, rng, M)
    y = p.text(M, y, [rng.choice(HEADLINES)], "serif-bold", 56, "title", level=1) + 30
    col = (W - 2 * M - G - SIDE) / 2
    queue = rng.sample(_paragraphs(str(data_dir)), 14)
    mid = y + 700
    _fill_column(p, M, y, col, mid, queue)
    _fill_column(p, M + col + G, y, col, mid, queue)
    p.paragraph_text(
        W - M - SIDE + 40, y + 40, SIDE - 40, rng.choice(NOTES), "sans", 20, "paragraph"
    )
    note = p.regions.pop()
    y = max(r.box[3] for r in p.regions) + 40
    y = p.chart(M + 200, y, 2 * col + G - 400, 360, rng) + 16
    cap = CAPTIONS[2].format(n=2)
    y = p.text(M, y, [cap], "sans", 24, "caption", align="c", width=2 * col + G) + 30
    _fill_column(p, M, y, col, H - 160, queue)
    _fill_column(p, M + col + G, y, col, H - 160, queue)
    # the note goes after the last block beside it, in reading order
    at = max(
        k for k, r in enumerate(p.regions) if r.box[1] < note.box[3] and r.box[3] > note.box[1]
    )
    p.regions.insert(at + 1, note)
    _page_number(p, rng, H - 90)
    return ComposedPage("en_mixed", "en", p.finish(), p.regions)


def en_three_columns_list(data_dir: Path, rng: random.Random) -> ComposedPage:
    """Title over three columns; a bulleted list and a framed scan with caption in the middle
    column; page number."""
    W, H, M, G = 2000, 2300, 90, 50
    p = _Page(W, H)
    y = _en_header(p, rng, M)
    y = p.text(M, y, [rng.choice(HEADLINES)], "serif-bold", 60, "title", level=1) + 30
    col = (W - 2 * M - 2 * G) / 3
    queue = rng.sample(_paragraphs(str(data_dir)), 16)
    _fill_column(p, M, y, col, H - 160, queue)
    x2 = M + col + G
    y2 = p.text(x2, y, ["Goods bought for the shop"], "sans-bold", 34, "heading", level=2) + 12
    items = rng.sample(ITEMS, 3)
    y2 = p.text(x2, y2, [f"• {t}" for t in items], "sans", 24, "list", leading=1.6, joiner="\n")
    y2 = p.figure(x2 + 20, y2 + 30, _scan(data_dir, rng), col - 40) + 16
    y2 = p.paragraph_text(x2, y2, col, CAPTIONS[0].format(n=1), "sans", 24, "caption") + 30
    _fill_column(p, x2, y2, col, H - 160, queue)
    _fill_column(p, M + 2 * (col + G), y, col, H - 160, queue)
    _page_number(p, rng, H - 90)
    return ComposedPage("en_three_columns_list", "en", p.finish(), p.regions)


ZH_HEADLINES = ["老城区改造工程全面启动", "地铁新线年底开通运营", "图书馆延长开放时间"]
ZH_CAPTIONS = ["图{n} 一张保存在档案中的收据", "图{n} 各月市场销售额"]


def _zh_paragraph(rng: random.Random) -> str:
    return "".join(_sentence_zh(rng, rng.randint(6, 10)) for _ in range(rng.randint(2, 3)))


def _zh_column(
    p: _Page, x: float, y: float, width: float, bottom: float, rng: random.Random
) -> float:
    while True:
        text = _zh_paragraph(rng)
        lines = wrap(text, font("cjk", 26), width - 52)  # the first line indented two characters
        if y + len(lines) * 26 * 1.5 > bottom:
            return y
        y = p.text(x, y, lines, "cjk", 26, "paragraph", leading=1.5, joiner="", indent=52) + 22


def zh_two_columns(data_dir: Path, rng: random.Random) -> ComposedPage:
    """Chinese: header, headline and sub-headline, two columns, a receipt scan with caption in
    the left column, a numbered list, a page number."""
    W, H, M, G = 1600, 2200, 100, 60
    p = _Page(W, H)
    y = p.text(M, 40, ["城市日报 · 第三版"], "cjk", 22, "header")
    p.draw.line((M, y + 4, W - M, y + 4), fill=80, width=2)
    y += 30
    y = (
        p.text(
            0, y, [rng.choice(ZH_HEADLINES)], "cjk-bold", 64, "title", level=1, align="c", width=W
        )
        + 10
    )
    y = (
        p.text(
            0, y, ["沿线社区商业配套逐步完善"], "cjk", 36, "heading", level=2, align="c", width=W
        )
        + 40
    )
    col = (W - 2 * M - G) / 2
    fy = p.figure(M + 30, y, _scan(data_dir, rng), col - 60) + 16
    fy = (
        p.text(M, fy, [ZH_CAPTIONS[0].format(n=1)], "cjk", 24, "caption", align="c", width=col) + 30
    )
    _zh_column(p, M, fy, col, H - 160, rng)
    x2 = M + col + G
    y2 = _zh_column(p, x2, y, col, y + 900, rng)
    items = ["1. 增加公交线路", "2. 延长开放时间", "3. 改善步行环境"]
    y2 = p.text(x2, y2, items, "cjk", 26, "list", leading=1.6, joiner="\n") + 30
    _zh_column(p, x2, y2, col, H - 160, rng)
    _page_number(p, rng, H - 90, zh=True)
    return ComposedPage("zh_two_columns", "zh", p.finish(), p.regions)


def zh_three_columns(data_dir: Path, rng: random.Random) -> ComposedPage:
    """Chinese: headline over three columns, a full-width chart with caption between two
    sections of three columns, page number."""
    W, H, M, G = 1800, 2200, 90, 50
    p = _Page(W, H)
    y = p.text(M, 40, ["城市日报 · 第五版"], "cjk", 22, "header")
    p.draw.line((M, y + 4, W - M, y + 4), fill=80, width=2)
    y += 30
    y = p.text(M, y, [rng.choice(ZH_HEADLINES)], "cjk-bold", 60, "title", level=1) + 30
    col = (W - 2 * M - 2 * G) / 3
    mid = y + 650
    for k in range(3):
        _zh_column(p, M + k * (col + G), y, col, mid, rng)
    y = max(r.box[3] for r in p.regions) + 40
    y = p.chart(M + 300, y, W - 2 * M - 600, 320, rng) + 16
    y = p.text(0, y, [ZH_CAPTIONS[1].format(n=2)], "cjk", 24, "caption", align="c", width=W) + 30
    for k in range(3):
        _zh_column(p, M + k * (col + G), y, col, H - 160, rng)
    _page_number(p, rng, H - 90, zh=True)
    return ComposedPage("zh_three_columns", "zh", p.finish(), p.regions)


def en_spanning_figure(data_dir: Path, rng: random.Random) -> ComposedPage:
    """Three columns of unequal length under a figure that spans the right two of them (its
    caption beneath); a header row with the journal's name left and the page number right."""
    W, H, M, G = 2000, 2400, 90, 50
    p = _Page(W, H)
    p.text(M, 40, ["THE ARCHIVE REVIEW"], "sans", 22, "header")
    p.text(
        W - M - 200,
        40,
        [f"Page {rng.randint(2, 99)}"],
        "sans",
        22,
        "page_number",
        align="r",
        width=200,
    )
    p.draw.line((M, 76, W - M, 76), fill=80, width=2)
    y = p.text(M, 110, [rng.choice(HEADLINES)], "serif-bold", 60, "title", level=1) + 30
    col = (W - 2 * M - 2 * G) / 3
    queue = rng.sample(_paragraphs(str(data_dir)), 18)
    _fill_column(p, M, y, col, H - 300, queue)
    x2 = M + col + G
    fy = p.figure(x2 + 60, y + 4, _scan(data_dir, rng), 2 * col + G - 120) + 16
    cap = CAPTIONS[1].format(n=3)
    fy = p.text(x2, fy, [cap], "sans", 24, "caption", align="c", width=2 * col + G) + 30
    _fill_column(p, x2, fy, col, H - 160, queue)
    _fill_column(p, x2 + col + G, fy, col, H - 400, queue)
    return ComposedPage("en_spanning_figure", "en", p.finish(), p.regions)


def zh_intro_side_note(data_dir: Path, rng: random.Random) -> ComposedPage:
    """Chinese: a headline, a one-column lead paragraph across the page, then two columns with a
    side note in the right margin; header and page number."""
    W, H, M, G, SIDE = 1800, 2200, 90, 60, 240
    p = _Page(W, H)
    y = p.text(M, 40, ["城市日报 · 第七版"], "cjk", 22, "header")
    p.draw.line((M, y + 4, W - M, y + 4), fill=80, width=2)
    y = p.text(M, y + 40, [rng.choice(ZH_HEADLINES)], "cjk-bold", 60, "title", level=1) + 30
    inner = W - 2 * M - SIDE
    lead = _zh_paragraph(rng)
    lines = wrap(lead, font("cjk", 30), inner - 60)
    y = p.text(M, y, lines, "cjk", 30, "paragraph", leading=1.5, joiner="", indent=60) + 40
    col = (inner - G) / 2
    top = y
    _zh_column(p, M, top, col, H - 160, rng)
    _zh_column(p, M + col + G, top, col, H - 160, rng)
    note = TruthRegion("paragraph", (0, 0, 0, 0))
    y_note = top + 300
    note_lines = wrap("旁注：本版数据来自市统计局的年度报告。", font("cjk", 20), SIDE - 50)
    p.text(W - M - SIDE + 50, y_note, note_lines, "cjk", 20, "paragraph", joiner="")
    note = p.regions.pop()
    at = max(
        k for k, r in enumerate(p.regions) if r.box[1] < note.box[3] and r.box[3] > note.box[1]
    )
    p.regions.insert(at + 1, note)
    _page_number(p, rng, H - 90, zh=True)
    return ComposedPage("zh_intro_side_note", "zh", p.finish(), p.regions)


COMPOSED_KINDS = {
    "en_two_columns": en_two_columns,
    "en_mixed": en_mixed,
    "en_three_columns_list": en_three_columns_list,
    "zh_two_columns": zh_two_columns,
    "zh_three_columns": zh_three_columns,
    "en_spanning_figure": en_spanning_figure,
    "zh_intro_side_note": zh_intro_side_note,
}


def composed_pages(
    data_dir: str | Path = "../shared/dev-data", seed: int = 0, per_kind: int = 1
) -> list[ComposedPage]:
    """``per_kind`` pages of each composition, reproducible from ``seed``."""
    data_dir = Path(data_dir)
    pages = []
    for k in range(per_kind):
        for name, make in COMPOSED_KINDS.items():
            page = make(data_dir, random.Random(f"{seed}-{k}-{name}"))
            if per_kind > 1:
                page.name = f"{name}-{k + 1}"
            pages.append(page)
    return pages
