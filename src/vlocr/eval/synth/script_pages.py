"""Rendered document pages in every script vlocr reads (Latin, Chinese simplified and
traditional, Japanese, Korean), for the script bench and the orientation/spacing tests.

Each page is a short document as such documents are printed: a title, dates, an address, a
phone number, prices and a line of Latin text (``Exit 3``) among the native script, so a
reader must handle mixed scripts. Pages are rendered with Noto Sans CJK (the face of the
collection that matches the language, so Han glyphs take the local forms) or DejaVu Sans.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from vlocr.errors import EngineUnavailableError

NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
NOTO_CJK_SERIF = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEJAVU_SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"

#: language -> face index inside the Noto CJK collections (JP, KR, SC, TC order of the .ttc)
_FACE = {"ja": 0, "ko": 1, "zh": 2, "zh-hant": 3}

PAGE_TEXT: dict[str, list[str]] = {
    "en": [
        "INVOICE No. 2024-0815",
        "Opening hours 09:00 - 18:00",
        "Address: 221B Baker Street, London",
        "Phone +44 20 7946 0958",
        "Coffee 2 x 4.50 = 9.00",
        "Total amount GBP 12.50",
        "Please leave the building by Exit 3",
        "Thank you for your visit.",
    ],
    "ko": [
        "영수증 번호 2024-0815",
        "영업시간 09:00 - 18:00",
        "주소: 서울특별시 중구 세종대로 110",
        "전화 02-1234-5678",
        "아메리카노 2잔 9,000원",
        "합계 금액 12,500원",
        "Exit 3 출구 방향으로 나가세요",
        "감사합니다. 다시 방문해 주세요.",
    ],
    "ja": [
        "領収書 No. 2024-0815",
        "営業時間 9:00〜18:00",
        "東京都千代田区丸の内1-9-1",
        "電話 03-1234-5678",
        "コーヒー 2点 ¥900",
        "合計金額 ¥1,250",
        "出口 Exit 3 はこちらです",
        "ありがとうございました。",
    ],
    "zh": [
        "发票号码 2024-0815",
        "营业时间 09:00-18:00",
        "地址：北京市朝阳区建国路88号",
        "电话 010-1234-5678",
        "咖啡 2杯 ¥36.00",
        "合计金额 ¥125.50",
        "请从 Exit 3 出口离开",
        "谢谢惠顾，欢迎再次光临。",
    ],
    "zh-hant": [
        "發票號碼 2024-0815",
        "營業時間 09:00-18:00",
        "地址：臺北市中正區重慶南路一段122號",
        "電話 02-2311-3731",
        "咖啡 2杯 NT$120",
        "合計金額 NT$350",
        "請從 Exit 3 出口離開",
        "謝謝惠顧，歡迎再次光臨。",
    ],
}

SCRIPT_NAMES = {
    "en": "Latin",
    "ko": "Korean (Hangul)",
    "ja": "Japanese (kana + Han)",
    "zh": "Chinese simplified",
    "zh-hant": "Chinese traditional",
}


@dataclass(frozen=True)
class ScriptPage:
    image: np.ndarray  # RGB uint8, upright
    text: str  # the truth, one line per printed line
    lang: str  # the --lang code a user would pass
    name: str


@functools.cache
def _font(lang: str, size: int, serif: bool = False) -> ImageFont.FreeTypeFont:
    if lang in _FACE:
        path = NOTO_CJK_SERIF if serif else NOTO_CJK
        if not Path(path).exists():
            raise EngineUnavailableError(
                f"font {path} is missing", "install fonts-noto-cjk (apt-get install fonts-noto-cjk)"
            )
        return ImageFont.truetype(path, size, index=_FACE[lang])
    path = DEJAVU_SERIF if serif else DEJAVU
    if not Path(path).exists():
        raise EngineUnavailableError(
            f"font {path} is missing",
            "install fonts-dejavu-core (apt-get install fonts-dejavu-core)",
        )
    return ImageFont.truetype(path, size)


def render_page(
    lang: str,
    lines: list[str] | None = None,
    size: int = 30,
    width: int = 1000,
    serif: bool = False,
) -> ScriptPage:
    """One upright page of ``lines`` (default: the language's sample document) in black on white."""
    lines = list(PAGE_TEXT[lang] if lines is None else lines)
    fnt = _font(lang, size, serif)
    leading = int(round(size * 1.7))
    margin = 50
    height = 2 * margin + leading * len(lines)
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * leading), line, font=fnt, fill=(20, 20, 20))
    name = f"{lang}-{'serif' if serif else 'sans'}"
    return ScriptPage(np.asarray(img), "\n".join(lines), lang, name)


def rotate_page(image: np.ndarray, degrees: int) -> np.ndarray:
    """The page turned clockwise by ``degrees`` (0, 90, 180, 270), as a scanner or camera does."""
    return np.ascontiguousarray(np.rot90(image, -(degrees // 90) % 4))
