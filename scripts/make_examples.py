"""Render the bundled example images (and their true text) into examples/.

Deterministic: fixed fonts, fixed seeds, no clock. Run ``python scripts/make_examples.py`` after
changing anything here and commit the outputs. Fonts: DejaVu (Latin) and Noto Sans CJK (Chinese).
"""

from __future__ import annotations

import argparse
import io
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
MAX_BYTES = 300 * 1024


def cjk_font_path() -> Path:
    """Find a Noto Sans CJK SC font via fontconfig, falling back to the Debian location."""
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file", "family"], capture_output=True, text=True, check=True
        ).stdout
        for line in sorted(out.splitlines()):
            if "Sans CJK" in line and "Regular" in line:
                return Path(line.split(":")[0])
        for line in sorted(out.splitlines()):
            if "CJK" in line:
                return Path(line.split(":")[0])
    except (OSError, subprocess.CalledProcessError):
        pass
    return Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(DEJAVU / name), size)


def cjk(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = cjk_font_path()
    if bold:
        bold_path = path.with_name(path.name.replace("Regular", "Bold"))
        path = bold_path if bold_path.exists() else path
    return ImageFont.truetype(str(path), size, index=2)  # index 2 = SC (Simplified Chinese)


@dataclass
class Example:
    name: str
    image: Image.Image
    lines: list[str]
    fmt: str


# ----------------------------------------------------------------------------------- receipt


RECEIPT_ITEMS = [
    ("Whole Milk 1L", 2, 1.89),
    ("Sourdough Bread", 1, 3.49),
    ("Free Range Eggs 12", 1, 4.25),
    ("Bananas 1.2kg", 1, 1.56),
    ("Cheddar Cheese 400g", 1, 5.99),
    ("Orange Juice 2L", 1, 3.75),
    ("Pasta Penne 500g", 3, 1.15),
    ("Tomato Sauce", 2, 2.30),
    ("Coffee Beans 250g", 1, 7.80),
    ("Dish Soap", 1, 2.95),
]


def receipt_lines() -> tuple[list[str], list[tuple[str, str]]]:
    """Return the true text lines and (left, right) column pairs used to draw them."""
    rows: list[tuple[str, str]] = [
        ("C:GREENLEAF MARKET", ""),
        ("C:128 Harbour Street, Portsmouth", ""),
        ("C:Tel: 023 9284 5510", ""),
        ("C:VAT No. GB 284 5519 02", ""),
        ("RULE", ""),
        ("Date: 14/03/2024", "Time: 18:42"),
        ("Till: 03", "Receipt: 004187"),
        ("Cashier: Emma", ""),
        ("RULE", ""),
    ]
    subtotal = 0.0
    for name, qty, price in RECEIPT_ITEMS:
        total = round(qty * price, 2)
        subtotal += total
        if qty == 1:
            rows.append((name, f"{total:.2f}"))
        else:
            rows.append((name, ""))
            rows.append((f"  {qty} x {price:.2f}", f"{total:.2f}"))
    subtotal = round(subtotal, 2)
    discount = round(subtotal * 0.05, 2)
    after = round(subtotal - discount, 2)
    vat = round(after * 0.2 / 1.2, 2)
    rows += [
        ("RULE", ""),
        ("Subtotal", f"{subtotal:.2f}"),
        ("Member Discount 5%", f"-{discount:.2f}"),
        ("BOLD:TOTAL", f"{after:.2f}"),
        ("VAT 20% incl.", f"{vat:.2f}"),
        ("RULE", ""),
        ("Visa Debit **** 4821", f"{after:.2f}"),
        ("Auth Code: 731945", ""),
        ("Items: " + str(sum(q for _, q, _ in RECEIPT_ITEMS)), ""),
        ("RULE", ""),
        ("C:Thank you for shopping!", ""),
        ("C:Returns within 30 days", ""),
    ]
    lines = []
    for left, right in rows:
        if left == "RULE":
            continue
        text = left.split(":", 1)[1] if left.startswith(("C:", "BOLD:")) else left
        lines.append(f"{text.strip()} {right}".strip() if right else text.strip())
    return lines, rows


def make_receipt() -> Example:
    lines, rows = receipt_lines()
    paper_w, margin, line_h = 620, 30, 40
    regular, bold, big = (
        font("DejaVuSansMono.ttf", 27),
        font("DejaVuSansMono-Bold.ttf", 28),
        font("DejaVuSansMono-Bold.ttf", 34),
    )
    paper_h = margin * 2 + line_h * len(rows) + 24
    paper = Image.new("L", (paper_w, paper_h), 250)
    draw = ImageDraw.Draw(paper)
    y = margin
    for index, (left, right) in enumerate(rows):
        if left == "RULE":
            draw.text((paper_w // 2, y + line_h // 2), "-" * 34, font=regular, fill=70, anchor="mm")
        elif left.startswith("C:"):
            face = big if index == 0 else regular
            draw.text((paper_w // 2, y + line_h // 2), left[2:], font=face, fill=25, anchor="mm")
            if index == 0:
                y += 8
        else:
            face = bold if left.startswith("BOLD:") else regular
            text = left.split(":", 1)[1] if left.startswith("BOLD:") else left
            draw.text((margin, y + line_h // 2), text, font=face, fill=25, anchor="lm")
            if right:
                draw.text(
                    (paper_w - margin, y + line_h // 2), right, font=face, fill=25, anchor="rm"
                )
        y += line_h
    paper = paper.filter(ImageFilter.GaussianBlur(0.5))

    rng = np.random.default_rng(20240314)
    canvas_w, canvas_h = 700, paper_h + 80
    yy, xx = np.mgrid[0:canvas_h, 0:canvas_w].astype(np.float32)
    table = (
        150 + 28 * (xx / canvas_w) + 14 * (yy / canvas_h) + rng.normal(0, 3, (canvas_h, canvas_w))
    )
    background = Image.fromarray(np.clip(table, 0, 255).astype(np.uint8)).convert("RGB")
    paper_rgb = Image.merge(
        "RGB", [paper, paper.point(lambda v: v * 0.995), paper.point(lambda v: v * 0.975)]
    )
    rotated = paper_rgb.rotate(1.4, resample=Image.BICUBIC, expand=True, fillcolor=(0, 0, 0))
    mask = Image.new("L", paper_rgb.size, 255).rotate(1.4, resample=Image.BICUBIC, expand=True)
    shadow = mask.filter(ImageFilter.GaussianBlur(6)).point(lambda v: v * 0.35)
    offset = ((canvas_w - rotated.width) // 2, (canvas_h - rotated.height) // 2)
    background.paste((60, 60, 60), (offset[0] + 5, offset[1] + 6), shadow)
    background.paste(rotated, offset, mask)
    arr = np.asarray(background).astype(np.float32)
    light = 1.0 - 0.12 * (xx / canvas_w) - 0.06 * ((yy / canvas_h) - 0.5) ** 2
    arr = arr * light[..., None] + rng.normal(0, 2.0, arr.shape)
    return Example("receipt", Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), lines, "jpg")


# -------------------------------------------------------------------------------- screenshot


SETTINGS = [
    ("Wi-Fi", "HomeNet-5G"),
    ("Bluetooth", "On"),
    ("Airplane Mode", "Off"),
    ("Mobile Data", "4G LTE"),
    ("Battery", "76%"),
    ("Display Brightness", "60%"),
    ("Do Not Disturb", "Off"),
    ("Storage", "48.2 GB of 128 GB used"),
    ("Software Update", "Version 14.2.1"),
]


def make_screenshot() -> Example:
    width, row_h = 720, 76
    height = 170 + row_h * len(SETTINGS) + 90
    image = Image.new("RGB", (width, height), (242, 242, 247))
    draw = ImageDraw.Draw(image)
    small, body, title = (
        font("DejaVuSans.ttf", 22),
        font("DejaVuSans.ttf", 26),
        font("DejaVuSans-Bold.ttf", 40),
    )
    lines = ["9:41", "76%", "Settings"]
    draw.text((28, 30), "9:41", font=small, fill=(0, 0, 0), anchor="lm")
    draw.text((width - 84, 30), "76%", font=small, fill=(0, 0, 0), anchor="rm")
    draw.rounded_rectangle((width - 74, 20, width - 30, 40), radius=4, outline=(0, 0, 0), width=2)
    draw.rectangle((width - 71, 23, width - 71 + 31, 37), fill=(0, 0, 0))
    draw.text((28, 100), "Settings", font=title, fill=(0, 0, 0), anchor="lm")
    top = 150
    draw.rounded_rectangle(
        (20, top, width - 20, top + row_h * len(SETTINGS)), radius=14, fill=(255, 255, 255)
    )
    colours = [
        (0, 122, 255),
        (0, 122, 255),
        (255, 149, 0),
        (52, 199, 89),
        (52, 199, 89),
        (0, 122, 255),
        (88, 86, 214),
        (142, 142, 147),
        (142, 142, 147),
    ]
    for index, (label, value) in enumerate(SETTINGS):
        y = top + row_h * index + row_h // 2
        draw.rounded_rectangle((40, y - 18, 76, y + 18), radius=8, fill=colours[index])
        draw.text((96, y), label, font=body, fill=(0, 0, 0), anchor="lm")
        if value in ("On", "Off"):
            on = value == "On"
            x1 = width - 48
            draw.rounded_rectangle(
                (x1 - 76, y - 23, x1, y + 23),
                radius=23,
                fill=(52, 199, 89) if on else (214, 214, 220),
            )
            knob = x1 - 23 if on else x1 - 53
            draw.ellipse((knob - 20, y - 20, knob + 20, y + 20), fill=(255, 255, 255))
            draw.text((x1 - 110, y), value, font=body, fill=(120, 120, 128), anchor="rm")
        else:
            draw.text((width - 66, y), value, font=body, fill=(120, 120, 128), anchor="rm")
            draw.line(
                (width - 48, y - 8, width - 41, y, width - 48, y + 8), fill=(199, 199, 204), width=3
            )
        if index < len(SETTINGS) - 1:
            draw.line(
                (96, y + row_h // 2, width - 20, y + row_h // 2), fill=(220, 220, 225), width=1
            )
        lines.append(f"{label} {value}")
    footer = "Last backup: today at 08:15"
    draw.text((width // 2, height - 45), footer, font=small, fill=(110, 110, 118), anchor="mm")
    lines.append(footer)
    return Example("screenshot", image, lines, "png")


# ----------------------------------------------------------------------------------- notice


NOTICE_LINES = [
    ("title", "停水通知 Water Supply Notice"),
    ("body", "尊敬的住户：因管道维修，本楼将暂停供水。"),
    ("body", "Dear residents: water will be shut off for pipe repairs."),
    ("body", "时间：2024年6月18日 09:00 - 15:00"),
    ("body", "Time: 18 June 2024, 09:00 - 15:00"),
    ("body", "范围：A栋、B栋 1-12层"),
    ("body", "Area: Buildings A and B, floors 1-12"),
    ("body", "请提前储水，给您带来不便，敬请谅解。"),
    ("body", "Please store water in advance. Sorry for the inconvenience."),
    ("body", "咨询电话 Hotline: 0755-8866 2301"),
    ("sign", "物业服务中心 Property Management Office"),
    ("sign", "2024年6月15日"),
]


def make_notice() -> Example:
    width = 900
    title_zh, body_zh = cjk(40, bold=True), cjk(27)
    height = 120 + 60 * (len(NOTICE_LINES) - 1) + 60
    image = Image.new("RGB", (width, height), (255, 253, 246))
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, width - 12, height - 12), outline=(180, 30, 30), width=4)
    y = 64
    for kind, text in NOTICE_LINES:
        if kind == "title":
            draw.text((width // 2, y), text, font=title_zh, fill=(180, 30, 30), anchor="mm")
            y += 84
        elif kind == "sign":
            draw.text((width - 50, y), text, font=body_zh, fill=(20, 20, 20), anchor="rm")
            y += 54
        else:
            draw.text((50, y), text, font=body_zh, fill=(20, 20, 20), anchor="lm")
            y += 54
    return Example("notice_zh_en", image, [text for _, text in NOTICE_LINES], "png")


# ------------------------------------------------------------------------------------ output


def encode(example: Example) -> bytes:
    buffer = io.BytesIO()
    if example.fmt == "jpg":
        example.image.save(buffer, "JPEG", quality=82, optimize=True)
    else:
        example.image.convert("P", palette=Image.ADAPTIVE, colors=64).save(
            buffer, "PNG", optimize=True
        )
    data = buffer.getvalue()
    if len(data) > MAX_BYTES:
        raise SystemExit(f"{example.name}: {len(data)} bytes, over {MAX_BYTES}")
    return data


def build_all() -> list[Example]:
    return [make_receipt(), make_screenshot(), make_notice()]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "examples"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for example in build_all():
        data = encode(example)
        (args.out / f"{example.name}.{example.fmt}").write_bytes(data)
        (args.out / f"{example.name}.txt").write_text(
            "\n".join(example.lines) + "\n", encoding="utf-8"
        )
        print(
            f"{example.name}.{example.fmt}: {example.image.width}x{example.image.height}, {len(data) / 1024:.0f} KB, {len(example.lines)} lines"
        )


if __name__ == "__main__":
    main()
