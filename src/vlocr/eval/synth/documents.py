"""Deterministic synthetic documents with exact ground truth, for the benchmark and the tests.

Every document is drawn with real fonts (DejaVu, Noto Sans CJK) from a ``random.Random(seed)``,
so the same (kind, seed) always gives the same pixels and truth. Text is sized for a good OCR
engine to read at 1x (line height >= 20 px, margins, no overlapping lines): anything it misses
afterwards is the fault of a degradation or of the engine, not of the page.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vlocr.errors import InvalidOptionError
from vlocr.eval.data.canvas import Canvas, GtLine, quad_from_rect
from vlocr.eval.data.fonts import font
from vlocr.eval.synth.layouts import LAYOUT_KINDS
from vlocr.eval.synth.receipts_caps import receipt_caps_page

# ---- vocabularies -------------------------------------------------------------------------------

SHOPS = [
    "GREEN VALLEY MARKET",
    "SUNRISE GROCERY",
    "CORNER DELI & CAFE",
    "BLUE OCEAN FOODS",
    "MAPLE LEAF PHARMACY",
    "CITY HARDWARE",
]
STREETS = ["Oak", "Maple", "Elm", "Pine", "Cedar", "Lake", "Hill", "Park", "Main", "Washington"]
CITIES = [
    ("Springfield", "IL", "62704"),
    ("Austin", "TX", "78701"),
    ("Portland", "OR", "97205"),
    ("Denver", "CO", "80202"),
    ("Boston", "MA", "02108"),
]
ITEMS = [
    "Organic Milk 1L",
    "Whole Wheat Bread",
    "Free Range Eggs 12",
    "Bananas",
    "Greek Yogurt",
    "Cheddar Cheese",
    "Orange Juice 2L",
    "Chicken Breast",
    "Basmati Rice 5kg",
    "Olive Oil 500ml",
    "Paper Towels",
    "Coffee Beans",
    "Green Tea",
    "Dark Chocolate",
    "Tomato Sauce",
    "Spaghetti 500g",
    "Apples Gala",
    "Sparkling Water",
    "Dish Soap",
    "AA Batteries 4pk",
    "Toothpaste",
    "Peanut Butter",
    "Frozen Peas",
    "Salted Butter",
]
COMPANIES = [
    "Northwind Traders LLC",
    "Acme Office Supply Inc.",
    "Bright Path Consulting",
    "Globex Logistics Ltd.",
    "Summit Data Systems",
    "Riverside Print Co.",
]
SERVICES = [
    "Website maintenance",
    "Cloud hosting (monthly)",
    "Consulting hours",
    "Printer toner cartridge",
    "Office chairs",
    "Annual support plan",
    "Data migration",
    "Training workshop",
]
FIRST = ["John", "Maria", "David", "Sarah", "Wei", "Olivia", "James", "Linda", "Ahmed", "Emma"]
LAST = ["Smith", "Garcia", "Johnson", "Chen", "Miller", "Brown", "Wilson", "Taylor", "Khan", "Lee"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

ZH_SHOPS = ["华联超市（朝阳店）", "永辉生活超市", "家乐福便利店", "百佳超市（天河店）", "物美超市"]
ZH_ADDRESSES = [
    "北京市朝阳区建国路88号",
    "上海市浦东新区世纪大道100号",
    "广州市天河区体育西路191号",
    "深圳市南山区科技园南路16号",
    "杭州市西湖区文三路259号",
]
ZH_ITEMS = [
    "有机牛奶",
    "全麦面包",
    "新鲜鸡蛋",
    "香蕉",
    "酸奶",
    "大米五公斤",
    "花生油",
    "矿泉水",
    "苹果",
    "绿茶",
    "卫生纸",
    "洗洁精",
    "番茄酱",
    "速冻水饺",
    "食盐",
]
ZH_COMPANIES = [
    "北京星辰科技有限公司",
    "上海远航贸易有限公司",
    "广州华南物流有限公司",
    "深圳创新软件有限公司",
    "杭州绿源食品有限公司",
]
ZH_SERVICES = ["技术服务费", "软件开发费", "办公用品", "咨询服务费", "设备维护费", "培训费"]
ZH_NOTICES = [
    (
        "关于春节放假安排的通知",
        [
            "根据国家有关规定，结合公司实际情况，现将春节放假安排通知如下。",
            "放假时间为二月九日至二月十七日，共九天。",
            "二月十八日正常上班，请各部门提前做好工作安排。",
            "放假期间请关闭门窗和电源，注意防火防盗。",
            "如有紧急事务，请联系值班人员。",
        ],
    ),
    (
        "关于小区停水的通知",
        [
            "因市政管道维修，本小区将于本周六暂停供水。",
            "停水时间为上午八点至下午六点，请各位业主提前储水。",
            "给您带来的不便，敬请谅解。",
            "如有疑问，请联系物业服务中心。",
        ],
    ),
    (
        "图书馆开放时间调整公告",
        [
            "为更好地服务读者，图书馆自下月起调整开放时间。",
            "周一至周五上午九点至晚上九点开放。",
            "周六和周日上午十点至下午五点开放。",
            "法定节假日另行通知，请读者留意。",
        ],
    ),
]
MIXED_NOTICES = [
    (
        "停车场通知 PARKING NOTICE",
        [
            (
                "自{date_zh}起，地下停车场B2层进行维修。",
                "From {date_en}, level B2 of the car park is closed for repairs.",
            ),
            (
                "请车主将车辆停放在B1层或地面停车场。",
                "Please park on level B1 or in the surface lot.",
            ),
            ("给您带来不便，敬请谅解。", "We apologise for any inconvenience."),
        ],
    ),
    (
        "会议通知 MEETING NOTICE",
        [
            (
                "本周五{time}在三楼会议室召开项目评审会。",
                "The project review meeting is on Friday at {time} in Room 301.",
            ),
            ("请各位同事提前准备好汇报材料。", "Please bring your slides and the latest report."),
            (
                "如不能参加，请提前告知项目经理。",
                "If you cannot attend, tell the project manager in advance.",
            ),
        ],
    ),
]
SMALL_PRINT = [
    "All sales are final after 30 days. Returns require the original receipt and packaging.",
    "Prices include applicable taxes unless stated otherwise. Offers cannot be combined.",
    "Gift cards are not redeemable for cash except where required by law.",
    "Your personal data is processed in accordance with our privacy policy, available online.",
    "Warranty claims must be made within 12 months of purchase. Keep this document as proof.",
    "Service fees of 3.5% apply to payments made by credit card. Late payments accrue 1.5% per month.",
    "The company is not liable for delays caused by events beyond its reasonable control.",
    "Questions? Call our support line Monday to Friday, 9:00 AM to 5:00 PM, or email us.",
]


# ---- the document ---------------------------------------------------------------------------------


@dataclass
class Document:
    """A rendered page and its exact truth: every text line with its box, plus key fields."""

    image: np.ndarray
    lines: list[GtLine]
    fields: dict[str, str]
    kind: str
    lang: str
    doc_id: str
    meta: dict[str, Any] = field(default_factory=dict)
    reading_order: str = "rows"

    @property
    def text(self) -> str:
        """Row-order text: pieces on one row joined by a space, rows by newlines."""
        return rows_text(self.lines)

    @property
    def reading_text(self) -> str:
        """The text in the order a person reads it: row order for single-flow pages, the drawing
        order (column by column) for the multi-column layouts (``reading_order == "drawn"``)."""
        if self.reading_order == "drawn":
            return "\n".join(ln.text for ln in self.lines)
        return self.text


def rows_text(lines: Sequence[GtLine]) -> str:
    """Serialise boxed lines top-to-bottom, left-to-right (rows = boxes whose vertical centres
    fall inside each other's span)."""
    rows: list[list[GtLine]] = []
    spans: list[tuple[float, float]] = []
    for line in sorted(lines, key=lambda ln: (_centre_y(ln), min(p[0] for p in ln.box))):
        top, bottom = min(p[1] for p in line.box), max(p[1] for p in line.box)
        centre = (top + bottom) / 2
        if rows and spans[-1][0] <= centre <= spans[-1][1]:
            rows[-1].append(line)
            continue
        rows.append([line])
        spans.append((top, bottom))
    return "\n".join(
        " ".join(ln.text for ln in sorted(row, key=lambda ln: min(p[0] for p in ln.box)))
        for row in rows
    )


def _centre_y(line: GtLine) -> float:
    ys = [p[1] for p in line.box]
    return (min(ys) + max(ys)) / 2


# ---- small value generators ---------------------------------------------------------------------


def _date(rng: random.Random) -> tuple[int, int, int]:
    return rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28)


def _phone_us(rng: random.Random) -> str:
    return f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"


def _money(value: float) -> str:
    return f"{value:,.2f}"


# ---- document kinds -------------------------------------------------------------------------------


def _receipt(rng: random.Random, n_items: int | None = None) -> tuple[Canvas, dict[str, str], str]:
    style = rng.choice(["mono", "sans"])
    size = rng.choice([20, 21, 22])
    c = Canvas(rng.choice([560, 600, 640]), margin=36)
    shop = rng.choice(SHOPS)
    street = (
        f"{rng.randint(10, 9999)} {rng.choice(STREETS)} {rng.choice(['St', 'Ave', 'Rd', 'Blvd'])}"
    )
    city, state, zipc = rng.choice(CITIES)
    phone = _phone_us(rng)
    y, m, d = _date(rng)
    date = f"{m:02d}/{d:02d}/{y}" if rng.random() < 0.5 else f"{y}-{m:02d}-{d:02d}"
    time = f"{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    c.row([(shop, "c")], style + "-bold", size + 6)
    c.row([(street, "c")], style, size)
    c.row([(f"{city}, {state} {zipc}", "c")], style, size)
    c.row([(f"Tel: {phone}", "c")], style, size)
    c.rule(dashed=True)
    c.row([(f"Date: {date}", "l"), (f"Time: {time}", "r")], style, size)
    receipt_no = f"{rng.randint(1000, 9999)}-{rng.randint(100000, 999999)}"
    c.row([(f"Receipt No: {receipt_no}", "l")], style, size)
    c.rule(dashed=True)
    subtotal = 0.0
    for name in rng.sample(ITEMS, k=min(len(ITEMS), n_items or rng.randint(5, 9))):
        qty = rng.choice([1, 1, 1, 2, 3])
        unit = rng.randint(59, 1999) / 100
        amount = round(qty * unit, 2)
        subtotal += amount
        c.row([(name, "l"), (_money(amount), "r")], style, size)
        if qty > 1:
            c.row([(f"{qty} x {unit:.2f}", "l")], style, size, indent=24)
    subtotal = round(subtotal, 2)
    discount = round(subtotal * rng.choice([0.05, 0.1]), 2)
    rate = rng.choice([6.25, 7.0, 8.25, 8.875])
    tax = round((subtotal - discount) * rate / 100, 2)
    total = round(subtotal - discount + tax, 2)
    c.rule(dashed=True)
    c.row([("Subtotal", "l"), (_money(subtotal), "r")], style, size)
    c.row([("Member discount", "l"), ("-" + _money(discount), "r")], style, size)
    c.row([(f"Tax {rate:g}%", "l"), (_money(tax), "r")], style, size)
    c.row([("TOTAL", "l"), (_money(total), "r")], style + "-bold", size + 2)
    card = f"{rng.randint(0, 9999):04d}"
    c.row([(f"VISA **** **** **** {card}", "l")], style, size)
    c.row([(f"Auth code: {rng.randint(100000, 999999)}", "l")], style, size)
    c.space(10)
    c.row([("THANK YOU FOR SHOPPING WITH US!", "c")], style, size)
    fields = {
        "shop": shop,
        "phone": phone,
        "date": date,
        "time": time,
        "subtotal": _money(subtotal),
        "discount": _money(discount),
        "tax": _money(tax),
        "total": _money(total),
        "card": card,
    }
    return c, fields, "en"


def _receipt_zh(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    size = rng.choice([21, 22, 24])
    c = Canvas(rng.choice([560, 600]), margin=36)
    shop = rng.choice(ZH_SHOPS)
    address = rng.choice(ZH_ADDRESSES)
    phone = f"0{rng.randint(10, 29)}-{rng.randint(5000, 8999)}{rng.randint(1000, 9999)}"
    y, m, d = _date(rng)
    date = f"{y}-{m:02d}-{d:02d}"
    time = f"{rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}"
    c.row([(shop, "c")], "cjk-bold", size + 6)
    c.row([(f"地址：{address}", "l")], "cjk", size)
    c.row([(f"电话：{phone}", "l")], "cjk", size)
    c.row([(f"日期：{date} {time}", "l")], "cjk", size)
    c.rule(dashed=True)
    x_qty, x_amount = c.margin + 300, c.width - c.margin
    c.row([("商品", "l"), ("数量", x_qty), ("金额", "r")], "cjk", size)
    total = 0.0
    for name in rng.sample(ZH_ITEMS, k=rng.randint(5, 8)):
        qty = rng.choice([1, 1, 2, 3])
        amount = round(qty * rng.randint(150, 4999) / 100, 2)
        total += amount
        c.row([(name, "l"), (str(qty), x_qty + 10), (f"{amount:.2f}", "r")], "cjk", size)
    del x_amount
    total = round(total, 2)
    discount = round(total * 0.05, 2)
    paid = round(total - discount, 2)
    c.rule(dashed=True)
    c.row([("合计", "l"), (f"{total:.2f}", "r")], "cjk", size)
    c.row([("会员优惠", "l"), (f"-{discount:.2f}", "r")], "cjk", size)
    c.row([("实付", "l"), (f"{paid:.2f}", "r")], "cjk-bold", size + 2)
    c.row([(rng.choice(["微信支付", "支付宝", "银行卡"]), "l")], "cjk", size)
    c.space(8)
    c.row([("谢谢惠顾 欢迎再次光临", "c")], "cjk", size)
    return (
        c,
        {
            "shop": shop,
            "phone": phone,
            "date": date,
            "total": f"{total:.2f}",
            "paid": f"{paid:.2f}",
        },
        "zh",
    )


def _invoice(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    size = 20
    c = Canvas(1000, margin=50)
    seller, buyer = rng.sample(COMPANIES, 2)
    inv_no = f"INV-{rng.randint(2019, 2025)}-{rng.randint(1, 99999):05d}"
    y, m, d = _date(rng)
    date = f"{MONTHS[m - 1]} {d}, {y}"
    seller_tax = f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}"
    buyer_tax = f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}"
    c.row([("INVOICE", "l"), (f"Invoice No: {inv_no}", "r")], "sans-bold", 30, leading=1.4)
    c.row([(f"Date: {date}", "r")], "sans", size)
    c.rule()
    half = c.margin + 470
    c.row([("Seller", "l"), ("Bill to", half)], "sans-bold", size)
    c.row([(seller, "l"), (buyer, half)], "sans", size)
    c.row(
        [
            (f"{rng.randint(10, 999)} {rng.choice(STREETS)} Street", "l"),
            (f"{rng.randint(10, 999)} {rng.choice(STREETS)} Avenue", half),
        ],
        "sans",
        size,
    )
    c.row([(f"Tax ID: {seller_tax}", "l"), (f"Tax ID: {buyer_tax}", half)], "sans", size)
    c.space(12)
    cols = [c.margin, c.margin + 470, c.margin + 580]
    c.row(
        [("DESCRIPTION", cols[0]), ("QTY", cols[1]), ("UNIT PRICE", cols[2]), ("AMOUNT", "r")],
        "sans-bold",
        size,
    )
    c.rule(pad=4)
    subtotal = 0.0
    for name in rng.sample(SERVICES, k=rng.randint(3, 5)):
        qty = rng.randint(1, 12)
        unit = rng.randint(1500, 90000) / 100
        amount = round(qty * unit, 2)
        subtotal += amount
        c.row(
            [
                (name, cols[0]),
                (str(qty), cols[1] + 8),
                (_money(unit), cols[2]),
                (_money(amount), "r"),
            ],
            "sans",
            size,
        )
    subtotal = round(subtotal, 2)
    rate = rng.choice([5, 8, 10, 13])
    tax = round(subtotal * rate / 100, 2)
    total = round(subtotal + tax, 2)
    c.rule(pad=4)
    c.row([("Subtotal", cols[1]), (_money(subtotal), "r")], "sans", size)
    c.row([(f"Tax rate {rate}%", cols[1]), (_money(tax), "r")], "sans", size)
    c.row([("TOTAL DUE (USD)", cols[1]), (_money(total), "r")], "sans-bold", size + 2)
    c.space(14)
    c.row(
        [(f"Payment due within 30 days. Bank account: {rng.randint(10000000, 99999999)}", "l")],
        "sans",
        size - 2,
    )
    fields = {
        "seller": seller,
        "buyer": buyer,
        "invoice_no": inv_no,
        "date": date,
        "seller_tax_id": seller_tax,
        "buyer_tax_id": buyer_tax,
        "subtotal": _money(subtotal),
        "tax_rate": f"{rate}%",
        "tax": _money(tax),
        "total": _money(total),
    }
    return c, fields, "en"


def _invoice_zh(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    size = 22
    c = Canvas(960, margin=50)
    seller, buyer = rng.sample(ZH_COMPANIES, 2)
    inv_no = f"{rng.randint(10000000, 99999999)}"
    y, m, d = _date(rng)
    date = f"{y}年{m:02d}月{d:02d}日"
    seller_tax = f"91{rng.randint(110000, 449999)}MA{rng.randint(10, 99)}{rng.choice('ABCDEFGH')}{rng.randint(100, 999)}X"
    buyer_tax = f"91{rng.randint(110000, 449999)}MA{rng.randint(10, 99)}{rng.choice('JKLMNPQR')}{rng.randint(100, 999)}Y"
    c.row([("增值税普通发票", "c")], "cjk-bold", 32, leading=1.4)
    c.row([(f"发票号码：{inv_no}", "l"), (f"开票日期：{date}", "r")], "cjk", size)
    c.rule()
    c.row([(f"购买方：{buyer}", "l")], "cjk", size)
    c.row([(f"纳税人识别号：{buyer_tax}", "l")], "cjk", size)
    c.row([(f"销售方：{seller}", "l")], "cjk", size)
    c.row([(f"纳税人识别号：{seller_tax}", "l")], "cjk", size)
    c.rule()
    cols = [c.margin, c.margin + 330, c.margin + 450, c.margin + 640]
    rate = rng.choice([3, 6, 9, 13])
    c.row(
        [
            ("项目名称", cols[0]),
            ("数量", cols[1]),
            ("金额", cols[2]),
            ("税率", cols[3]),
            ("税额", "r"),
        ],
        "cjk-bold",
        size,
    )
    amount_sum = 0.0
    tax_sum = 0.0
    for name in rng.sample(ZH_SERVICES, k=rng.randint(2, 4)):
        amount = rng.randint(10000, 900000) / 100
        tax = round(amount * rate / 100, 2)
        amount_sum += amount
        tax_sum += tax
        c.row(
            [
                (name, cols[0]),
                (str(rng.randint(1, 9)), cols[1]),
                (f"{amount:.2f}", cols[2]),
                (f"{rate}%", cols[3]),
                (f"{tax:.2f}", "r"),
            ],
            "cjk",
            size,
        )
    amount_sum, tax_sum = round(amount_sum, 2), round(tax_sum, 2)
    total = round(amount_sum + tax_sum, 2)
    c.rule()
    c.row([("合计", "l"), (f"{amount_sum:.2f}", cols[2]), (f"{tax_sum:.2f}", "r")], "cjk", size)
    c.row([(f"价税合计（小写）：{total:.2f}元", "l")], "cjk-bold", size)
    fields = {
        "seller": seller,
        "buyer": buyer,
        "invoice_no": inv_no,
        "date": date,
        "seller_tax_id": seller_tax,
        "buyer_tax_id": buyer_tax,
        "amount": f"{amount_sum:.2f}",
        "tax": f"{tax_sum:.2f}",
        "total": f"{total:.2f}",
    }
    return c, fields, "zh"


def _form(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    size = 21
    c = Canvas(900, margin=50)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    y, m, d = _date(rng)
    values = {
        "Full name": f"{first} {last}",
        "Date of birth": f"{d:02d}/{m:02d}/{y - rng.randint(20, 60)}",
        "Phone": _phone_us(rng),
        "Email": f"{first.lower()}.{last.lower()}@example.com",
        "Address": f"{rng.randint(10, 999)} {rng.choice(STREETS)} Road, {rng.choice(CITIES)[0]}",
        "Account number": f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        "Membership": rng.choice(["GOLD", "SILVER", "STANDARD"]),
    }
    c.row([("MEMBERSHIP APPLICATION FORM", "c")], "sans-bold", 28, leading=1.5)
    c.row([("Please complete all fields in BLOCK CAPITALS where possible.", "l")], "serif", 18)
    c.space(10)
    x_value = c.margin + 250
    for label, value in values.items():
        top = c.y - 8
        c.draw.rectangle(
            [x_value - 10, top, c.width - c.margin, top + int(size * 1.55) + 6],
            outline=(120, 120, 120),
            width=2,
        )
        c.row([(f"{label}:", "l"), (value, x_value)], "sans", size, leading=1.55)
        c.space(16)
    c.space(6)
    c.row(
        [(f"Signature: {first[0]}. {last}", "l"), (f"Date: {m:02d}/{d:02d}/{y}", "r")],
        "serif",
        size,
    )
    fields = {
        "name": values["Full name"],
        "dob": values["Date of birth"],
        "phone": values["Phone"],
        "email": values["Email"],
        "account": values["Account number"],
    }
    return c, fields, "en"


def _toggle(c: Canvas, x: float, y: float, on: bool, color: tuple[int, int, int]) -> None:
    w, h = 52, 28
    fill = color if on else (200, 200, 205)
    c.draw.rounded_rectangle([x, y, x + w, y + h], radius=h // 2, fill=fill)
    knob_x = x + w - h + 3 if on else x + 3
    c.draw.ellipse([knob_x, y + 3, knob_x + h - 6, y + h - 3], fill=(255, 255, 255))


def _screenshot(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    mixed = rng.random() < 0.4
    accent = rng.choice([(0, 122, 255), (52, 168, 83), (98, 0, 238), (230, 81, 0)])
    bg = rng.choice([(242, 242, 247), (250, 250, 250)])
    c = Canvas(720, bg=bg, margin=32)
    style, bold = ("cjk", "cjk-bold") if mixed else ("sans", "sans-bold")
    clock = f"{rng.randint(1, 12)}:{rng.randint(0, 59):02d}"
    battery = rng.randint(12, 99)
    c.draw.rectangle([0, 0, c.width, 120], fill=accent)
    c.text(c.margin, 12, clock, "sans-bold", 20, fill=(255, 255, 255))
    c.text(
        c.width - c.margin - font("sans", 20).getlength(f"{battery}%"),
        12,
        f"{battery}%",
        "sans",
        20,
        fill=(255, 255, 255),
    )
    c.text(c.margin, 58, "设置 Settings" if mixed else "Settings", bold, 32, fill=(255, 255, 255))
    c.y = 150
    network = f"{rng.choice(['HomeNet', 'Office', 'CafeGuest', 'TP-LINK'])}-{rng.choice(['5G', '2.4G', rng.randint(100, 999)])}"
    used = rng.randint(20, 120) + rng.randint(0, 9) / 10
    rows = [
        ("无线局域网 Wi-Fi" if mixed else "Wi-Fi", f"Connected to {network}", True),
        ("蓝牙 Bluetooth" if mixed else "Bluetooth", "On" if rng.random() < 0.5 else "Off", None),
        ("飞行模式 Airplane mode" if mixed else "Airplane mode", "", False),
        (
            "电池 Battery" if mixed else "Battery",
            f"{battery}% - About {rng.randint(2, 14)} hr left",
            None,
        ),
        ("存储空间 Storage" if mixed else "Storage", f"{used:.1f} GB of 128 GB used", None),
        (
            "通知 Notifications" if mixed else "Notifications",
            f"{rng.randint(2, 40)} apps allowed",
            True,
        ),
        ("深色模式 Dark mode" if mixed else "Dark mode", "Automatic at sunset", rng.random() < 0.5),
    ]
    for title, subtitle, toggle in rows:
        top = c.y
        height = 84 if subtitle else 64
        c.draw.rounded_rectangle(
            [c.margin - 12, top, c.width - c.margin + 12, top + height - 8],
            radius=12,
            fill=(255, 255, 255),
        )
        c.y = top + 12
        c.row([(title, "l")], style, 22, leading=1.45)
        if subtitle:
            c.row([(subtitle, "l")], "sans", 18, fill=(110, 110, 118), leading=1.4)
        if toggle is not None:
            _toggle(c, c.width - c.margin - 56, top + (height - 8) / 2 - 14, toggle, accent)
        c.y = top + height
    fields = {
        "network": network,
        "battery": f"{battery}%",
        "storage": f"{used:.1f} GB",
        "clock": clock,
    }
    return c, fields, "mixed" if mixed else "en"


def _table(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    size = 20
    c = Canvas(940, margin=40)
    year = rng.randint(2019, 2025)
    c.row([(f"Quarterly Sales Report {year}", "l")], "sans-bold", 26, leading=1.6)
    header = ["Region", "Q1", "Q2", "Q3", "Q4", "Total"]
    regions = rng.sample(
        ["North", "South", "East", "West", "Central", "Online", "Export", "Retail"],
        k=rng.randint(4, 6),
    )
    widths = [220, 120, 120, 120, 120, 160]
    row_h = 40
    x_edges = [c.margin]
    for w in widths:
        x_edges.append(x_edges[-1] + w)
    top = c.y
    totals: dict[str, str] = {}
    grand = 0
    shade_every = rng.choice([2, 3])
    body: list[list[str]] = []
    for region in regions:
        quarters = [rng.randint(1000, 99999) for _ in range(4)]
        grand += sum(quarters)
        body.append([region] + [f"{q:,}" for q in quarters] + [f"{sum(quarters):,}"])
        totals[region] = f"{sum(quarters):,}"
    body.append(["TOTAL", "", "", "", "", f"{grand:,}"])
    grid = [header] + body
    for r, cells in enumerate(grid):
        y0 = top + r * row_h
        shade = r == 0 or (r % shade_every == 0) or r == len(grid) - 1
        if shade:
            grey = rng.randint(200, 225)
            c.draw.rectangle([x_edges[0], y0, x_edges[-1], y0 + row_h], fill=(grey, grey, grey))
        for i, text in enumerate(cells):
            if not text:
                continue
            style = "sans-bold" if r == 0 or r == len(grid) - 1 else "sans"
            fnt = font(style, size)
            x = x_edges[i] + 10 if i == 0 else x_edges[i + 1] - 10 - fnt.getlength(text)
            c.text(x, y0 + (row_h - size) / 2 - 2, text, style, size)
    for r in range(len(grid) + 1):
        c.draw.line(
            [(x_edges[0], top + r * row_h), (x_edges[-1], top + r * row_h)],
            fill=(60, 60, 60),
            width=1,
        )
    for x in x_edges:
        c.draw.line([(x, top), (x, top + len(grid) * row_h)], fill=(60, 60, 60), width=1)
    c.y = top + len(grid) * row_h + 20
    c.row([("Figures in USD. Source: internal sales ledger.", "l")], "sans", 18)
    fields = {
        "grand_total": f"{grand:,}",
        **{f"total_{k.lower()}": v for k, v in list(totals.items())[:2]},
    }
    return c, fields, "en"


def _notice_mixed(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    title, pairs = rng.choice(MIXED_NOTICES)
    y, m, d = _date(rng)
    values = {
        "date_zh": f"{y}年{m}月{d}日",
        "date_en": f"{MONTHS[m - 1]} {d}, {y}",
        "time": f"{rng.randint(9, 16)}:{rng.choice(['00', '30'])}",
    }
    c = Canvas(900, margin=50)
    c.row([(title, "c")], "cjk-bold", 30, leading=1.6)
    for zh, en in pairs:
        c.paragraph(zh.format(**values), "cjk", 22)
        c.paragraph(en.format(**values), "sans", 20)
        c.space(8)
    phone = f"021-{rng.randint(5000, 6999)} {rng.randint(1000, 9999)}"
    c.row([(f"联系电话 Tel: {phone}", "l")], "cjk", 22)
    c.row([(f"物业管理处 Property Office {y}-{m:02d}-{d:02d}", "r")], "cjk", 22)
    return c, {"phone": phone, "date": f"{y}-{m:02d}-{d:02d}"}, "mixed"


def _notice_zh(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    title, paras = rng.choice(ZH_NOTICES)
    c = Canvas(860, margin=50)
    c.row([(title, "c")], "cjk-bold", 30, leading=1.7)
    c.row([("各位同事、住户：", "l")], "cjk", 24)
    for para in paras:
        c.paragraph(para, "cjk", 24, indent=48 if rng.random() < 0.5 else 0)
    y, m, d = _date(rng)
    date = f"{y}年{m}月{d}日"
    c.space(10)
    c.row([("行政管理部", "r")], "cjk", 24)
    c.row([(date, "r")], "cjk", 24)
    return c, {"title": title, "date": date}, "zh"


def _small_print(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    c = Canvas(820, margin=40)
    c.row([("TERMS AND CONDITIONS", "l")], "sans-bold", 20, leading=1.6)
    size = rng.choice([15, 16])
    for para in rng.sample(SMALL_PRINT, k=len(SMALL_PRINT)):
        c.paragraph(para, rng.choice(["sans", "serif"]), size, leading=1.4)
        c.space(4)
    ref = f"Ref. {rng.randint(100, 999)}-{rng.randint(10000, 99999)}"
    c.row([(ref, "r")], "sans", size)
    return c, {"reference": ref}, "en"


KINDS: dict[str, Callable[[random.Random], tuple[Canvas, dict[str, str], str]]] = {
    "receipt": _receipt,
    "receipt_zh": _receipt_zh,
    "invoice": _invoice,
    "invoice_zh": _invoice_zh,
    "form": _form,
    "screenshot": _screenshot,
    "table": _table,
    "notice_mixed": _notice_mixed,
    "notice_zh": _notice_zh,
    "small_print": _small_print,
}


# Kinds outside the degradation grid: the long all-caps receipt (speed and receipt checks) and the
# layout pages (mixed text sizes, several columns), whose truth is in reading order.
EXTRA_KINDS: dict[str, Callable[[random.Random], tuple[Canvas, dict[str, str], str]]] = {
    "receipt_caps": receipt_caps_page,
    **LAYOUT_KINDS,
}
ALL_KINDS = {**KINDS, **EXTRA_KINDS}


def generate(kind: str, seed: int) -> Document:
    """Render one document of ``kind``; the same (kind, seed) always gives identical output."""
    if kind not in ALL_KINDS:
        raise InvalidOptionError(
            f"unknown document kind '{kind}'", f"choose one of: {', '.join(ALL_KINDS)}"
        )
    rng = random.Random(f"{kind}:{seed}")
    canvas, fields, lang = ALL_KINDS[kind](rng)
    image, lines = canvas.finish()
    return Document(
        image=image,
        lines=lines,
        fields=fields,
        kind=kind,
        lang=lang,
        doc_id=f"{kind}-{seed}",
        reading_order="drawn" if kind in LAYOUT_KINDS else "rows",
    )


def generate_set(count: int, seed: int = 0, kinds: Sequence[str] | None = None) -> list[Document]:
    """``count`` documents cycling through ``kinds`` (all kinds by default), seeds ``seed, seed+1, ...``."""
    names = list(kinds or KINDS)
    return [generate(names[i % len(names)], seed + i) for i in range(count)]


def long_receipt(seed: int, n_items: int = 26) -> Document:
    """A receipt-sized page (about 600 x 1800 px, 40-60 text lines) for the speed comparison."""
    rng = random.Random(f"long_receipt:{seed}")
    canvas, fields, lang = _receipt(rng, n_items=n_items)
    image, lines = canvas.finish()
    return Document(
        image=image,
        lines=lines,
        fields=fields,
        kind="receipt",
        lang=lang,
        doc_id=f"long_receipt-{seed}",
    )


def boxes_overlap(lines: Sequence[GtLine]) -> list[tuple[int, int]]:
    """Pairs of GT lines whose boxes intersect (the generator must produce none)."""
    rects = [
        (
            min(p[0] for p in ln.box),
            min(p[1] for p in ln.box),
            max(p[0] for p in ln.box),
            max(p[1] for p in ln.box),
        )
        for ln in lines
    ]
    bad = []
    for i in range(len(rects)):
        for j in range(i + 1, len(rects)):
            a, b = rects[i], rects[j]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                bad.append((i, j))
    return bad


__all__ = [
    "ALL_KINDS",
    "EXTRA_KINDS",
    "KINDS",
    "Document",
    "GtLine",
    "boxes_overlap",
    "generate",
    "generate_set",
    "long_receipt",
    "quad_from_rect",
    "rows_text",
]
