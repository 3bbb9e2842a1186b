"""Rendered test documents with known text, for OCR comparisons and engine tests.

Receipts are ~600 px wide, 40-60 lines, all caps, with amounts, dates, times, phone, tax and
card numbers; Chinese documents use Noto CJK. Everything is drawn with PIL from fonts installed
on the machine (DejaVu, Noto CJK), then lightly degraded (blur + JPEG), so nothing is downloaded.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts",
)
LATIN_FONTS = (
    "DejaVuSansMono.ttf",
    "DejaVuSans.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSansMono-Bold.ttf",
)
CJK_FONTS = ("NotoSansCJK-Regular.ttc", "NotoSerifCJK-Regular.ttc")


@dataclass
class Sample:
    """One rendered document: RGB uint8 pixels and the text lines drawn on it (top to bottom)."""

    name: str
    kind: str  # "receipt" | "chinese"
    image: np.ndarray
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def find_font(name: str) -> Path | None:
    for root in FONT_DIRS:
        hits = list(Path(root).rglob(name)) if Path(root).exists() else []
        if hits:
            return hits[0]
    return None


@lru_cache(maxsize=32)
def load_font(name: str, size: int):  # noqa: ANN201 - PIL type
    from PIL import ImageFont

    path = find_font(name)
    if path is None:
        raise FileNotFoundError(f"font {name} is not installed")
    return ImageFont.truetype(str(path), size)


def render_line(
    text: str, *, font: str = "DejaVuSans.ttf", size: int = 28, pad: int = 16
) -> np.ndarray:
    """One line of dark text on white, for engine tests."""
    from PIL import Image, ImageDraw

    f = load_font(font, size)
    x0, y0, x1, y1 = f.getbbox(text)
    img = Image.new("RGB", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), "white")
    ImageDraw.Draw(img).text((pad - x0, pad - y0), text, fill=(20, 20, 20), font=f)
    return np.asarray(img)


def degrade(
    image: np.ndarray, rng: random.Random, *, blur: float = 0.6, quality: int = 70
) -> np.ndarray:
    """Slight blur, a little paper noise and JPEG, like a phone scan."""
    from PIL import Image, ImageFilter

    img = Image.fromarray(image)
    if blur > 0:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(img).astype(np.int16)
    noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, 4, arr.shape[:2])[..., None]
    arr = np.clip(arr + noise, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


# ---- receipt content -----------------------------------------------------------------------

_STORES = [
    "GERBANG ALAF RESTAURANTS SDN BHD",
    "SOLO OIL TRADING",
    "BOB HARDWARE SUPPLY",
    "KEDAI RUNCIT AH LEONG",
    "MR. DIY (M) SDN BHD",
    "99 SPEEDMART S/B",
    "FAMILYMART KL SENTRAL",
    "TOTAL OIL STATION 101",
]
_STREETS = [
    "JALAN SS21/39",
    "LOT 101, JALAN 1/2",
    "NO. 15, JALAN BUNGA RAYA",
    "LEVEL 1, WISMA IOI",
    "JALAN OLD KLANG ROAD",
]
_CITIES = [
    "47400 PETALING JAYA, SELANGOR",
    "50450 KUALA LUMPUR",
    "81100 JOHOR BAHRU",
    "10050 GEORGE TOWN, PENANG",
]
_ITEMS = [
    "NASI LEMAK AYAM",
    "TEH O ICE",
    "MILO DINOSAUR",
    "ROTI CANAI",
    "OIL FILTER 10W-40",
    "SOLO BATTERY AA",
    "BIG MAC MEAL",
    "FILLET O FISH",
    "COLA LARGE",
    "LED BULB 10W",
    "SCREW 8X1 INCH",
    "BOB CAT TAPE",
    "MEE GORENG",
    "KOPI O KOSONG",
    "BREAD LOAF 400G",
    "EGGS GRADE B 10S",
    "SUGAR 1KG",
    "SOAP BAR 3S",
    "MINERAL WATER 1.5L",
    "INSTANT NOODLE 5S",
    "CHICKEN WINGS",
    "FRENCH FRIES L",
    "ICED LEMON TEA",
]
_FOOTERS = [
    "THANK YOU. PLEASE COME AGAIN.",
    "GOODS SOLD ARE NOT REFUNDABLE",
    "KEEP THIS RECEIPT FOR EXCHANGE",
    "OPEN DAILY 8AM TO 10PM",
    "CUSTOMER COPY",
]


def _amount(rng: random.Random, lo: float = 0.5, hi: float = 60.0) -> float:
    return round(rng.uniform(lo, hi) * 20) / 20


def receipt_rows(rng: random.Random) -> list[tuple[str, str]]:
    """(left text, right-aligned text) rows of one receipt."""
    rows: list[tuple[str, str]] = []
    rows.append((rng.choice(_STORES), ""))
    rows.append((f"CO. REG NO. {rng.randint(100000, 999999)}-{rng.choice('ABKTUVWX')}", ""))
    rows.append((f"{rng.choice(_STREETS)}, {rng.choice(['SS 2', 'TAMAN OUG', 'BANDAR BARU'])}", ""))
    rows.append((rng.choice(_CITIES), ""))
    rows.append(
        (f"TEL NO.: 0{rng.randint(3, 9)}-{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}", "")
    )
    rows.append((f"GST ID NO: 00{rng.randint(1000000000, 9999999999)}", ""))
    rows.append(("TAX INVOICE", ""))
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2018, 2019, 2023])
    rows.append(
        (
            f"DATE: {day:02d}/{month:02d}/{year}",
            f"TIME: {rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
        )
    )
    rows.append((f"INVOICE NO: CS{rng.randint(10000000, 99999999)}", f"TABLE {rng.randint(1, 40)}"))
    rows.append(
        (
            f"CASHIER: {rng.choice(['SITI', 'AH KOW', 'RAJ', 'MEI LING', 'OMAR'])}",
            f"POS {rng.randint(1, 9):02d}",
        )
    )
    rows.append(("QTY  DESCRIPTION", "AMOUNT"))
    total = 0.0
    for _ in range(rng.randint(10, 20)):
        qty = rng.randint(1, 5)
        unit = _amount(rng, 0.8, 25.0)
        amt = round(qty * unit, 2)
        total += amt
        rows.append((f"{qty} X {rng.choice(_ITEMS)}", f"{amt:.2f}"))
        if rng.random() < 0.5:
            rows.append((f"    @ RM {unit:.2f} EACH", ""))
    tax = round(total * 0.06, 2)
    rows.append(("SUBTOTAL", f"{total:.2f}"))
    rows.append(("SST 6%", f"{tax:.2f}"))
    rows.append(("ROUNDING", "0.00"))
    rows.append(("TOTAL AMOUNT (RM)", f"{total + tax:.2f}"))
    paid = float(int(total + tax) + rng.choice([1, 5, 10]))
    rows.append(("CASH", f"RM{paid:.2f}"))
    rows.append(("CHANGE", f"RM{paid - total - tax:.2f}"))
    rows.append(
        (f"VISA **** **** **** {rng.randint(1000, 9999)}", f"APPR {rng.randint(100000, 999999)}")
    )
    rows.append(
        (
            f"CARD NO: 4{rng.randint(100, 999)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
            "",
        )
    )
    rows.append((f"ITEMS: {rng.randint(10, 30)}", f"QTY: {rng.randint(10, 40)}"))
    for footer in rng.sample(_FOOTERS, 3):
        rows.append((footer, ""))
    while len(rows) < 40:
        rows.append((f"{rng.choice(_ITEMS)}", f"{_amount(rng):.2f}"))
    return rows


def render_receipt(rng: random.Random, name: str = "receipt") -> Sample:
    from PIL import Image, ImageDraw

    font_name = rng.choice(LATIN_FONTS)
    size = rng.randint(17, 22)
    font = load_font(font_name, size)
    rows = receipt_rows(rng)
    line_h = int(size * rng.uniform(1.45, 1.7))
    width = 600
    height = max(1800, 60 + line_h * len(rows) + 60)
    img = Image.new("RGB", (width, height), (rng.randint(235, 252),) * 3)
    draw = ImageDraw.Draw(img)
    y = 50
    lines: list[str] = []
    margin = rng.randint(24, 40)
    for left, right in rows:
        if left:
            draw.text((margin, y), left, fill=(25, 25, 25), font=font)
        if right:
            w = draw.textlength(right, font=font)
            draw.text((width - margin - w, y), right, fill=(25, 25, 25), font=font)
        lines.append(" ".join(part.strip() for part in (left, right) if part.strip()))
        y += line_h
    return Sample(name, "receipt", degrade(np.asarray(img), rng), lines)


_ZH_LINES = [
    "北京市朝阳区建国路88号",
    "增值税普通发票",
    "购买方名称：上海明远科技有限公司",
    "纳税人识别号：91310115MA1H8X2K3L",
    "开票日期：2019年01月15日",
    "货物或应税劳务名称",
    "办公用品一批",
    "数量：12 单价：35.50",
    "金额合计：人民币四百二十六元整",
    "价税合计（小写）：426.00",
    "收款人：王小明 复核：李华",
    "销售方：深圳市海天贸易有限公司",
    "地址：广东省深圳市南山区科技园",
    "电话：0755-86123456",
    "开户行及账号：招商银行深圳分行",
    "备注：请妥善保管本发票",
    "感谢您的惠顾，欢迎再次光临",
    "会员卡号：6225 8801 2345 6789",
    "本次消费积分：128分",
    "营业时间：早上九点至晚上十点",
]


def render_chinese(rng: random.Random, name: str = "chinese") -> Sample:
    from PIL import Image, ImageDraw

    font = load_font(rng.choice(CJK_FONTS), rng.randint(22, 28))
    chosen = rng.sample(_ZH_LINES, 14)
    line_h = int(font.size * 1.7)
    img = Image.new("RGB", (760, 80 + line_h * len(chosen)), (248, 248, 246))
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(chosen):
        draw.text((40, 40 + i * line_h), text, fill=(20, 20, 20), font=font)
    return Sample(name, "chinese", degrade(np.asarray(img), rng), chosen)


def make_samples(n_receipts: int = 8, n_chinese: int = 3, seed: int = 7) -> list[Sample]:
    rng = random.Random(seed)
    out = [render_receipt(rng, f"receipt-{i:02d}") for i in range(n_receipts)]
    out += [render_chinese(rng, f"chinese-{i:02d}") for i in range(n_chinese)]
    return out
