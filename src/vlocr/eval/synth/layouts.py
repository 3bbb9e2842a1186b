"""Pages whose layout is the test: mixed text sizes and several columns with a known reading order.

- ``newspaper_zh`` / ``newspaper_en``: a big headline (48-64 px) and a sub-headline over dense
  body text 8-10 px high in three or four columns, like a newspaper page. A detector scale chosen
  from one text-height estimate sees the headline and shrinks the body away; these pages measure
  exactly that.
- ``columns_en`` / ``columns_zh``: a title across the page, two or three columns of paragraphs at
  normal size, a caption and a footer. Rows-left-to-right order interleaves the columns; the
  truth's reading order (``Document.reading_text``) is column by column.

Text is drawn in reading order, so the canvas's recorded line order is the reading order.
"""

from __future__ import annotations

import random

from vlocr.eval.data.canvas import Canvas, wrap
from vlocr.eval.data.fonts import font

_EN_WORDS_TEXT = (
    "the city council said on monday that a new bridge across the river would open next "
    "spring after three years of work local shops expect more visitors while residents worry "
    "about traffic and noise in the old town the mayor promised quiet streets and better "
    "buses engineers tested the steel frame in cold weather and found it strong enough for "
    "heavy trucks a school near the park will get a safer crossing and wider paths for "
    "bicycles farmers market prices rose slightly this week as rain delayed the harvest of "
    "apples and potatoes in the northern valleys the library extends its opening hours during "
    "exams and offers free classes for older readers who want to learn computers"
)
EN_WORDS = _EN_WORDS_TEXT.split()
_ZH_PHRASES_TEXT = (
    "本市 今年 经济 发展 稳中有进 居民 收入 持续 增长 城市 交通 建设 加快 推进 地铁 新线 预计 年底 开通 运营 沿线 社区 商业 配套 逐步 完善 教育 部门 表示 "
    "将 进一步 扩大 优质 资源 覆盖 范围 农村 学校 办学 条件 明显 改善 医疗 服务 水平 不断 提高 基层 卫生院 增加 专家 门诊 生态 环境 保护 成效 显著 空气 "
    "质量 优良 天数 比例 上升 河道 治理 工程 全面 完成 文化 活动 丰富 多彩 图书馆 博物馆 免费 开放 市民 游客 踊跃 参观"
)
ZH_PHRASES = _ZH_PHRASES_TEXT.split()


def _sentence_en(rng: random.Random, n: int) -> str:
    start = rng.randrange(len(EN_WORDS))
    words = [EN_WORDS[(start + i) % len(EN_WORDS)] for i in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _sentence_zh(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ZH_PHRASES) for _ in range(n)) + "。"


def _column(
    c: Canvas,
    x0: float,
    width: float,
    y0: float,
    y_max: float,
    text: str,
    style: str,
    size: int,
    leading: float,
) -> tuple[float, str]:
    """Wrap ``text`` into the column from ``y0`` down to ``y_max``; return the next y and the
    text that did not fit (it continues in the next column, as in print)."""
    fnt = font(style, size)
    lines: list[str] = []
    for line in wrap(text, fnt, width):
        # no line starts with closing punctuation (as in CJK typesetting): it hangs at the end
        # of the line before, so no truth line is a lone, faint full stop
        while lines and line and line[0] in "。，、；：？！）.,;:":
            lines[-1] += line[0]
            line = line[1:].lstrip()
        if line:
            lines.append(line)
    y = y0
    step = round(size * leading)
    used = 0
    for line in lines:
        if y + step > y_max:
            break
        c.text(x0, y, line, style, size)
        y += step
        used += 1
    rest = " ".join(lines[used:]) if style != "cjk" else "".join(lines[used:])
    return y, rest


def _columns(
    c: Canvas,
    top: float,
    bottom: float,
    n_cols: int,
    paragraphs: list[str],
    style: str,
    size: int,
    leading: float = 1.35,
    gutter: int = 24,
) -> None:
    """Flow ``paragraphs`` through ``n_cols`` columns between ``top`` and ``bottom``."""
    col_w = (c.inner_width - gutter * (n_cols - 1)) / n_cols
    queue = list(paragraphs)
    for col in range(n_cols):
        x0 = c.margin + col * (col_w + gutter)
        y = top
        while queue and y + size * leading < bottom:
            y, rest = _column(c, x0, col_w, y, bottom, queue[0], style, size, leading)
            if rest:
                queue[0] = rest
                break
            queue.pop(0)
            y += round(size * 0.6)  # paragraph gap
        if col < n_cols - 1:
            xg = x0 + col_w + gutter / 2
            c.draw.line([(xg, top), (xg, bottom)], fill=(150, 150, 150), width=1)
    c.y = int(bottom)


def _newspaper(rng: random.Random, zh: bool) -> tuple[Canvas, dict[str, str], str]:
    c = Canvas(1000, margin=32, max_height=1500)
    bold, body = ("cjk-bold", "cjk") if zh else ("serif-bold", "serif")
    headline = (
        rng.choice(["城市新桥明年春天通车", "地铁新线年底开通运营", "全市空气质量持续改善"])
        if zh
        else rng.choice(
            ["NEW BRIDGE OPENS IN SPRING", "CITY PLANS QUIET STREETS", "MARKET PRICES RISE"]
        )
    )
    sub = (
        rng.choice(["沿线社区商业配套逐步完善", "教育部门将扩大优质资源覆盖范围"])
        if zh
        else rng.choice(
            ["Council expects more visitors to the old town", "Schools get safer crossings"]
        )
    )
    size_head = rng.choice([52, 56, 60])
    c.row([(headline, "c")], bold, size_head, leading=1.35)
    c.row([(sub, "c")], bold, rng.choice([24, 28]), leading=1.6)
    c.rule(pad=6)
    body_size = rng.choice([9, 10])  # ink 8-10 px high (ascender to descender for Latin)
    make = _sentence_zh if zh else _sentence_en
    paragraphs = [
        " ".join(make(rng, rng.randint(6, 12)) for _ in range(rng.randint(2, 4)))
        if not zh
        else "".join(make(rng, rng.randint(6, 12)) for _ in range(rng.randint(2, 4)))
        for _ in range(120)
    ]
    _columns(c, c.y, c.y + rng.choice([900, 1000]), rng.choice([3, 4]), paragraphs, body, body_size)
    return c, {"headline": headline}, "zh" if zh else "en"


def _columns_page(rng: random.Random, zh: bool) -> tuple[Canvas, dict[str, str], str]:
    c = Canvas(rng.choice([900, 1000]), margin=40, max_height=2000)
    bold, body = ("cjk-bold", "cjk") if zh else ("sans-bold", "serif")
    title = (
        rng.choice(["关于城市交通发展的调查报告", "社区教育资源调查"])
        if zh
        else rng.choice(["A Survey of City Transport", "Notes on Community Libraries"])
    )
    c.row([(title, "c")], bold, 30, leading=1.7)
    size = rng.choice([18, 20]) if zh else rng.choice([17, 19])
    make = _sentence_zh if zh else _sentence_en
    joiner = "" if zh else " "
    paragraphs = [
        joiner.join(make(rng, rng.randint(5, 10)) for _ in range(rng.randint(2, 3)))
        for _ in range(12)
    ]
    n_cols = rng.choice([2, 3])
    _columns(c, c.y, c.y + rng.choice([700, 800]), n_cols, paragraphs, body, size, leading=1.45)
    c.space(16)
    caption = "图1 各区公交线路数量" if zh else "Figure 1: Bus routes per district"
    c.row([(caption, "c")], body, size - 2)
    page_no = str(rng.randint(2, 99))
    c.rule(pad=6)
    c.row([(page_no, "c")], body, size - 4)
    return c, {"title": title, "page": page_no}, "zh" if zh else "en"


def _newspaper_zh(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    return _newspaper(rng, zh=True)


def _newspaper_en(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    return _newspaper(rng, zh=False)


def _columns_zh(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    return _columns_page(rng, zh=True)


def _columns_en(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    return _columns_page(rng, zh=False)


LAYOUT_KINDS = {
    "newspaper_zh": _newspaper_zh,
    "newspaper_en": _newspaper_en,
    "columns_zh": _columns_zh,
    "columns_en": _columns_en,
}
