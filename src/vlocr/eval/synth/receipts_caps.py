"""Long all-caps till receipts (Malaysian style, like SROIE): 40-60 rows, amounts, dates, times,
phone, tax and card numbers, in a monospaced or proportional font at 17-22 px.

They are denser and longer than the ``receipt`` kind and are what the speed comparison and the
receipt accuracy checks read; the layout goes through ``Canvas`` so every row has its box.
"""

from __future__ import annotations

import random

from vlocr.eval.data.canvas import Canvas

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
    rows.append(("QTY DESCRIPTION", "AMOUNT"))
    total = 0.0
    for _ in range(rng.randint(10, 20)):
        qty = rng.randint(1, 5)
        unit = _amount(rng, 0.8, 25.0)
        amt = round(qty * unit, 2)
        total += amt
        rows.append((f"{qty} X {rng.choice(_ITEMS)}", f"{amt:.2f}"))
        if rng.random() < 0.5:
            rows.append((f"@ RM {unit:.2f} EACH", "@"))
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


def receipt_caps_page(rng: random.Random) -> tuple[Canvas, dict[str, str], str]:
    style = rng.choice(["mono", "sans", "mono-bold"])
    size = rng.randint(17, 22)
    rows = receipt_rows(rng)
    c = Canvas(600, margin=rng.randint(24, 40), bg=(rng.randint(235, 252),) * 3)
    c.space(10)
    leading = rng.uniform(1.45, 1.7)
    for left, right in rows:
        if right == "@":  # a unit-price row, indented under its item
            c.row([(left, "l")], style, size, leading=leading, indent=32)
        else:
            c.row([(left, "l"), (right, "r")], style, size, leading=leading)
    total = next((r for left, r in rows if left == "TOTAL AMOUNT (RM)"), "")
    return c, {"shop": rows[0][0], "total": total}, "en"
