"""Synthetic page layouts for the engine's tests: a newspaper-like page with a big headline over
dense 8-10 px body text, and two/three-column pages with header, caption and footer.

Each returns the RGB page and its text lines in the order a person reads them."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from vlocr.eval.data.fonts import cjk_font_file

ZH_SENTENCES = [
    "市政府今天召开新闻发布会介绍今年城市建设的主要进展",
    "新建的地铁线路将在年底前开通运营方便沿线居民出行",
    "今年全市共完成老旧小区改造一百二十个惠及居民四万户",
    "教育部门表示将继续扩大优质学校的招生规模和覆盖范围",
    "气象台预计本周末将有一次明显降温过程请市民注意保暖",
    "图书馆延长了开放时间并增加了自习座位和电子阅览设备",
    "农业专家建议农户根据天气变化及时调整播种和灌溉计划",
    "医院开设了夜间门诊以缓解白天就诊人数过多的压力问题",
    "本市公园绿地面积继续增加市民休闲健身的去处越来越多",
    "交通部门提醒假期出行高峰期间请合理安排行程避开拥堵",
]
EN_SENTENCES = [
    "The council met on Tuesday to discuss the new budget for roads and schools",
    "Residents of the north district asked for more frequent buses in the evening",
    "A new public library opened downtown with longer hours on the weekend",
    "Farmers expect a good harvest after the mild and rainy spring this year",
    "The museum will show a collection of old maps from the harbour archives",
    "Local teams played their final match of the season in front of a full stadium",
    "Officials said the bridge repairs should be finished before the winter",
    "Volunteers planted three hundred trees along the river path on Sunday",
]


def _font(size: int, cjk: bool) -> ImageFont.FreeTypeFont:
    if cjk:
        path, index = cjk_font_file()
        return ImageFont.truetype(path, size, index=index)
    return ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int, cjk: bool) -> list[str]:
    """Greedy wrap: by characters for Chinese, by words for English."""
    units = list(text) if cjk else text.split(" ")
    sep = "" if cjk else " "
    lines, cur = [], ""
    for unit in units:
        trial = cur + sep + unit if cur else unit
        if font.getlength(trial) <= width:
            cur = trial
        else:
            lines.append(cur)
            cur = unit
    if cur:
        lines.append(cur)
    return lines


def columns_page(
    columns: int = 2,
    *,
    cjk: bool = False,
    body_px: int = 20,
    width: int = 1400,
    height: int = 1000,
    seed: int = 0,
    headline: str | None = None,
    headline_px: int = 40,
    footer: str | None = "Page 3 - City News",
) -> tuple[np.ndarray, list[str]]:
    """A page: centred headline, ``columns`` columns of body text, a centred footer. Returns the
    page and its lines in reading order (headline, column 1 top-down, column 2, ..., footer)."""
    rng = random.Random(seed)
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    margin, gutter = 40, 40
    order: list[str] = []
    y = margin
    if headline is None:
        headline = "城市新闻周刊" if cjk else "CITY NEWS WEEKLY"
    big = _font(headline_px, cjk)
    hw = big.getlength(headline)
    draw.text(((width - hw) / 2, y), headline, font=big, fill=(0, 0, 0))
    order.append(headline)
    y += int(headline_px * 1.8)
    body = _font(body_px, cjk)
    col_w = (width - 2 * margin - (columns - 1) * gutter) // columns
    bottom = height - margin - (3 * body_px if footer else 0)
    pool = ZH_SENTENCES if cjk else EN_SENTENCES
    for c in range(columns):
        x = margin + c * (col_w + gutter)
        cy = y
        while True:
            text = pool[rng.randrange(len(pool))]
            lines = _wrap(text, body, col_w, cjk)
            if cy + len(lines) * int(body_px * 1.5) > bottom:
                break
            for line in lines:
                draw.text((x, cy), line, font=body, fill=(0, 0, 0))
                order.append(line)
                cy += int(body_px * 1.5)
            cy += body_px // 2
    if footer:
        small = _font(max(10, body_px - 4), False)
        fw = small.getlength(footer)
        draw.text(((width - fw) / 2, height - margin - body_px), footer, font=small, fill=(0, 0, 0))
        order.append(footer)
    return np.asarray(page), order


def mixed_size_page(
    seed: int = 0,
    *,
    line_pitch: float = 1.6,
    blur: float = 0.0,
    ink_spread: int = 0,
    body: str = "zh,en,zh",
    headlines: int = 2,
    body_px: int = 10,
) -> tuple[np.ndarray, list[str]]:
    """A 992 x 1419 newspaper-like page: Chinese and English headlines about 60 px tall over
    three columns of dense Chinese and English body text set at 10-11 px (glyphs 8-10 px),
    ``line_pitch`` x the font size apart; ``blur`` (Gaussian radius) and ``ink_spread`` (a
    k x k minimum filter: strokes grow and neighbouring characters touch) imitate a print scan.
    ``body`` names each column's language."""
    rng = random.Random(seed)
    width, height = 992, 1419
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    order: list[str] = []
    y = 30
    heads = [
        ("城市新闻头版", True, 64),
        ("Morning Herald", False, 48),
        ("新地铁线路年底开通", True, 56),
        ("Harbour Bridge Reopens", False, 44),
    ]
    for text, cjk, px in heads[:headlines]:
        font = _font(px, cjk)
        draw.text(((width - font.getlength(text)) / 2, y), text, font=font, fill=(0, 0, 0))
        order.append(text)
        y += int(px * 1.5)
    langs = body.split(",")
    columns, margin, gutter = len(langs), 30, 24
    col_w = (width - 2 * margin - (columns - 1) * gutter) // columns
    for c in range(columns):
        x = margin + c * (col_w + gutter)
        cy = y
        cjk = langs[c] == "zh"
        px = body_px + 1 if cjk else body_px
        font = _font(px, cjk)
        pool = ZH_SENTENCES if cjk else EN_SENTENCES
        while cy < height - 40:
            for line in _wrap(pool[rng.randrange(len(pool))], font, col_w, cjk):
                if cy >= height - 40:
                    break
                draw.text((x, cy), line, font=font, fill=(0, 0, 0))
                order.append(line)
                cy += max(px + 1, int(round(px * line_pitch)))
    if ink_spread:
        import cv2

        spread = np.ones((ink_spread, ink_spread), np.uint8)
        page = Image.fromarray(cv2.erode(np.asarray(page), spread))
    if blur:
        page = page.filter(ImageFilter.GaussianBlur(blur))
    return np.asarray(page), order
