"""Phone photos of documents: vlocr against plain PP-OCRv6 small, page by page, order-free.

`make` writes the photo stand-ins; `read` OCRs them with one reader (whatever `vlocr` is on
PYTHONPATH) and caches the text per page; `compare` prints char F1 (bag of characters, so
reading order does not count) per set and the pages where the readers differ most.

    PY=.venv/bin/python; OUT=/tmp/photobench
    $PY scripts/photo_bench.py make ../shared/dev-data $OUT
    for r in peer none auto; do
      PYTHONPATH=src nice -n 10 $PY scripts/photo_bench.py read $OUT $r --reader $r; done
    $PY scripts/photo_bench.py compare $OUT peer none auto

Readers: `peer` = the `rapidocr` 3.10 wheel's own `RapidOCR()` with its defaults and bundled
PP-OCRv6 small models (vlocr's `rapidocr-v6` engine, no preprocessing); `none` / `auto` = vlocr's
`rapidocr` engine with that preprocessing. `--config det_model=v6` etc. override
`PipelineConfig` fields of vlocr's pipeline (for ablations; labels are free text).

Sets (fixed recipes and seeds, so two checkouts read the same pixels), every page a 12 MP
phone-photo stand-in (`photo_pages.shoot`: page ~3,200 px tall on a desk in perspective,
uneven light and a shadow, focus blur, JPEG 85) unless said otherwise:
- `docs`: rendered A4 documents (title, headings, paragraphs, a footnote) in Chinese
  simplified and traditional, Japanese, Korean and English, Noto CJK / DejaVu;
- `books`: 4 dev book pages; `receipts`: 4 dev SROIE receipts;
- `hard`: documents and book pages shot harder: the page small in a wide frame (a third of
  it), turned 90 degrees, a colour cast (warm lamp), a moire pattern, a page curled like an
  open book, a dark desk filling the margins.
Write OUT outside the repository: the book pages and receipts are the dataset's.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

PARAGRAPHS = {
    "zh": [
        "城市公共交通年度报告",
        "一、总体情况",
        "二〇二三年全市公共交通客运量达到十二亿人次，比上年增长百分之八点五。地铁线路新开通两条，"
        "运营里程增加四十六公里，全市公交专用道总长度超过三百公里。市民平均通勤时间比去年缩短四分钟。",
        "二、服务质量",
        "全年共收到乘客意见两千一百余件，其中表扬信四百三十件。高峰时段列车平均间隔缩短到两分三十秒，"
        "准点率保持在百分之九十九以上。夜间公交线路增加到五十八条，覆盖主要医院、车站和商业区。",
        "三、下一步工作",
        "继续推进无障碍设施改造，在所有地铁站配置电梯和盲道；试点按里程计价的月票，"
        "鼓励错峰出行；完善数据开放平台，向社会公布实时到站信息和客流数据。",
        "注：本报告数据截至二〇二三年十二月三十一日，部分数据为初步统计结果。",
    ],
    "zh-hant": [
        "社區圖書館活動通知",
        "親愛的讀者：",
        "本館將於十月十五日至十一月三十日舉辦秋季閱讀月活動，內容包括作家講座、親子故事時間、"
        "舊書交換市集以及數位資源使用教學。所有活動均免費參加，部分場次需要事先報名。",
        "報名方式：請於服務台填寫報名表，或撥打電話０２－２３４５－６７８９。每場講座名額為八十人，"
        "額滿為止。兒童活動請由家長陪同，並請準時入場。",
        "開放時間：週二至週六上午九點至晚上九點，週日上午九點至下午五點，週一及國定假日休館。",
        "備註：活動內容如有變更，以本館網站公告為準。",
    ],
    "ja": [
        "会議のお知らせ",
        "関係者各位",
        "下記のとおり、来年度の事業計画についての会議を開催いたします。ご多忙のところ恐縮ですが、"
        "ご出席くださいますようお願い申し上げます。資料は当日会場にてお配りします。",
        "日時：十一月二十日（水）午後二時から四時まで",
        "場所：本社ビル五階　第三会議室",
        "議題：一、今年度の実績報告　二、来年度の予算案について　三、新しい研修制度の導入",
        "なお、ご欠席の場合は十一月十五日までに総務部の山田までご連絡ください。",
        "以上",
    ],
    "ko": [
        "주민 안내문",
        "아파트 승강기 정기 점검 안내",
        "입주민 여러분께 알려 드립니다. 안전한 승강기 이용을 위하여 다음과 같이 정기 점검을 "
        "실시합니다. 점검 시간 동안에는 승강기 운행이 중단되오니 계단을 이용해 주시기 바랍니다.",
        "점검 일시: 2024년 3월 12일 오전 10시부터 오후 3시까지",
        "점검 대상: 101동부터 105동까지 모든 승강기",
        "문의 사항은 관리사무소 전화 031-123-4567로 연락해 주십시오. 협조해 주셔서 감사합니다.",
    ],
    "en": [
        "Quarterly Maintenance Report",
        "1. Summary",
        "During the third quarter the facilities team completed 214 work orders, of which 37 were "
        "urgent repairs. The average response time for urgent requests fell from 5.2 hours to 3.8 "
        "hours. Two boilers in building C were replaced ahead of the heating season.",
        "2. Costs",
        "Spending on parts and contractors reached $48,650, which is 6% below the budget of $51,700. "
        "Most of the savings came from bulk orders of filters and light fittings placed in July.",
        "3. Next steps",
        "Inspect the fire doors on every floor, renew the lift service contract before 30 November, "
        "and publish the winter schedule for snow clearing on the intranet.",
        "Note: figures are provisional until the annual audit is complete.",
    ],
}
A4 = (1240, 1754)  # 150 dpi
VERTICAL = [("ja", 26), ("zh-hant", 24), ("zh", 30)]
# dense pages: (language, body text px at 150 dpi, columns, photo long side after the app)
DENSE = [
    ("zh", 16, 2, 2000),
    ("ja", 16, 2, 1600),
    ("en", 15, 2, 2000),
    ("zh-hant", 18, 1, 1600),
    ("zh", 14, 3, 4000),
    ("en", 13, 3, 1600),
    ("ja", 20, 1, 1280),
    ("zh", 18, 2, 1280),
]


def _wrap(text: str, font, width: int) -> list[str]:
    """Lines of ``text`` that fit ``width`` px: at spaces for Latin/Hangul, anywhere for Han."""
    cjk = not any(c == " " for c in text) or any("\u3040" <= c <= "\u9fff" for c in text)
    units = list(text) if cjk else text.split(" ")
    sep = "" if cjk else " "
    lines, cur = [], ""
    for u in units:
        trial = cur + sep + u if cur else u
        if cur and font.getlength(trial) > width:
            lines.append(cur)
            cur = u
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines


def render_document(lang: str) -> tuple[np.ndarray, str]:
    """A4 page at 150 dpi: title 46 px, headings 30 px, body 24 px, footnote 18 px."""
    from vlocr.eval.synth.script_pages import _font

    img = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(img)
    margin, y, truth = 110, 120, []
    paras = PARAGRAPHS[lang]
    for i, para in enumerate(paras):
        size = 46 if i == 0 else 18 if i == len(paras) - 1 else 24 if len(para) > 24 else 30
        fnt = _font(lang, size)
        for line in _wrap(para, fnt, A4[0] - 2 * margin):
            draw.text((margin, y), line, font=fnt, fill=(25, 25, 25))
            truth.append(line)
            y += int(size * 1.6)
        y += int(size * 0.8)
    return np.asarray(img), "\n".join(truth)


def render_dense(lang: str, body: int, columns: int, seed: int) -> tuple[np.ndarray, str]:
    """A dense A4 page at 150 dpi (a newspaper or exam-paper page): a headline, then the
    language's paragraphs again and again in ``columns`` columns of ``body`` px text."""
    from vlocr.eval.synth.script_pages import _font

    rng = random.Random(seed)
    img = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(img)
    margin, gutter, truth = 70, 40, []
    head = _font(lang, 2 * body + 8)
    draw.text((margin, margin), PARAGRAPHS[lang][0], font=head, fill=(20, 20, 20))
    truth.append(PARAGRAPHS[lang][0])
    fnt = _font(lang, body)
    col_w = (A4[0] - 2 * margin - (columns - 1) * gutter) // columns
    top = margin + int(3.2 * body) + 16
    leading = int(body * 1.45)
    for c in range(columns):
        x, y = margin + c * (col_w + gutter), top
        while y + leading < A4[1] - margin:
            para = rng.choice(PARAGRAPHS[lang][1:])
            for line in _wrap(para, fnt, col_w):
                if y + leading >= A4[1] - margin:
                    break
                draw.text((x, y), line, font=fnt, fill=(25, 25, 25))
                truth.append(line)
                y += leading
            y += leading // 2
    return np.asarray(img), "\n".join(truth)


def render_vertical(lang: str, size: int) -> tuple[np.ndarray, str]:
    """An A4 page set vertically (tategaki): columns of characters top to bottom, the columns
    right to left, as Japanese books and Chinese traditional notices are printed."""
    from vlocr.eval.synth.script_pages import _font

    img = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(img)
    fnt = _font(lang, size)
    margin, pitch, step = 110, int(size * 1.8), int(size * 1.1)
    per_col = (A4[1] - 2 * margin) // step
    x, truth = A4[0] - margin - size, []
    for para in PARAGRAPHS[lang][2:]:
        text = para.replace(" ", "")
        for beg in range(0, len(text), per_col):
            column = text[beg : beg + per_col]
            if x < margin:
                break
            for i, ch in enumerate(column):
                draw.text((x, margin + i * step), ch, font=fnt, fill=(25, 25, 25))
            truth.append(column)
            x -= pitch
    return np.asarray(img), "\n".join(truth)


def downsized(image: np.ndarray, long_side: int) -> np.ndarray:
    """A photo as apps send it on: the long side brought down to ``long_side`` px."""
    scale = long_side / max(image.shape[:2])
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


# ---- harder photo properties -----------------------------------------------------------------


def small_in_frame(page: np.ndarray, rng: random.Random) -> np.ndarray:
    """The page a third of a 4000 x 3000 frame's width (shot from far), desk all around."""
    from vlocr.eval.synth.degrade import _desk, phone_photo

    target_h = 1300
    page = cv2.resize(page, None, fx=target_h / page.shape[0], fy=target_h / page.shape[0])
    shot, _ = phone_photo(page, [], 1, rng)
    frame = _desk(3000, 4000, rng)
    y, x = (3000 - shot.shape[0]) // 2, (4000 - shot.shape[1]) // 2
    frame[y : y + shot.shape[0], x : x + shot.shape[1]] = shot
    return frame


def colour_cast(shot: np.ndarray, rng: random.Random) -> np.ndarray:
    """A warm tungsten lamp: blue down, red up."""
    gain = np.array([1.08, 0.95, rng.uniform(0.62, 0.72)], np.float32)
    return np.clip(shot.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def moire(page: np.ndarray, rng: random.Random) -> np.ndarray:
    """A page photographed off a screen: a fine interference pattern over it."""
    h, w = page.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0.2, 0.5)
    pattern = np.sin((xx * np.cos(a) + yy * np.sin(a)) / rng.uniform(1.6, 2.4))
    pattern = pattern * np.sin(yy / rng.uniform(5, 9))
    out = page.astype(np.float32) * (0.88 + 0.12 * pattern[..., None])
    return np.clip(out, 0, 255).astype(np.uint8)


def curl(page: np.ndarray, rng: random.Random) -> np.ndarray:
    """An open book's page: rows bent down towards the spine (a parabola across the page)."""
    h, w = page.shape[:2]
    depth = rng.uniform(0.025, 0.04) * h
    xx = np.arange(w, dtype=np.float32)
    bend = depth * ((xx / w) ** 2)
    map_x = np.tile(xx, (h, 1))
    map_y = np.arange(h, dtype=np.float32)[:, None] - bend[None, :]
    return cv2.remap(
        page, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(255,) * 3
    )


def dark_margins(shot: np.ndarray) -> np.ndarray:
    """Vignetting: the frame's corners fall to a third of the light."""
    h, w = shot.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.sqrt(((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2) / np.sqrt(2)
    gain = 1 - 0.67 * r**2
    return np.clip(shot.astype(np.float32) * gain[..., None], 0, 255).astype(np.uint8)


def grain(shot: np.ndarray, rng: random.Random, sigma: float = 10.0) -> np.ndarray:
    """A dim room: the shot darkened and sensor noise over it."""
    nrng = np.random.default_rng(rng.getrandbits(32))
    out = shot.astype(np.float32) * 0.6 + nrng.normal(0, sigma, shot.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def slide(lang: str) -> tuple[np.ndarray, str]:
    """A presentation slide: white title on a dark band, big bullet text, a picture box."""
    from vlocr.eval.synth.script_pages import _font

    img = Image.new("RGB", (1600, 900), (245, 245, 240))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 1600, 170), fill=(30, 60, 110))
    paras = PARAGRAPHS[lang]
    draw.text((70, 45), paras[0], font=_font(lang, 72), fill=(255, 255, 255))
    truth, y = [paras[0]], 230
    fnt = _font(lang, 40)
    for para in paras[1:4]:
        for line in _wrap(para, fnt, 880)[:3]:
            draw.text((70, y), line, font=fnt, fill=(30, 30, 30))
            truth.append(line)
            y += 64
        y += 20
    nrng = np.random.default_rng(5)
    pic = (nrng.random((40, 30, 3)) * 255).astype(np.uint8)
    pic = cv2.GaussianBlur(cv2.resize(pic, (500, 600), interpolation=cv2.INTER_CUBIC), (0, 0), 6)
    out = np.array(img)
    out[230:830, 1030:1530] = pic
    return out, "\n".join(truth)


def rotated(shot: np.ndarray, degrees: float) -> np.ndarray:
    h, w = shot.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(shot, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


def motion_blur(shot: np.ndarray, length: int) -> np.ndarray:
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    return cv2.filter2D(shot, -1, kernel)


def jpeg_q(shot: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", shot, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)


def _save(folder: Path, name: str, image: np.ndarray, text: str, casefold: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(
        str(folder / f"{name}.jpg"),
        cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
        [cv2.IMWRITE_JPEG_QUALITY, 85],
    )
    (folder / f"{name}.json").write_text(
        json.dumps({"text": text, "casefold": casefold}, ensure_ascii=False)
    )


def make(dev: Path, out: Path, sets: set[str]) -> None:
    from vlocr.eval.data.loaders import load_folder, load_sroie
    from vlocr.eval.synth.documents import rows_text

    sys.path.insert(0, str(Path(__file__).parent))
    from photo_pages import shoot

    docs = {lang: render_document(lang) for lang in PARAGRAPHS}
    for k, (lang, (image, text)) in enumerate(docs.items() if "docs" in sets else []):
        _save(out / "docs", f"doc-{lang}", shoot(image, k), text)
    books = load_folder(dev / "oldbooks", "txt")
    for k, s in enumerate(books[1::5][:4] if "books" in sets else []):
        _save(out / "books", s.sample_id, shoot(s.image, k), s.text)
    for k, s in enumerate(
        itertools.islice(load_sroie(dev / "sroie-train"), 60, 64 if "receipts" in sets else 60)
    ):
        _save(out / "receipts", s.sample_id, shoot(s.image, k), rows_text(s.lines), True)
    rng = random.Random(22)
    zh, ja, en = docs["zh"], docs["ja"], docs["en"]
    book = books[3]
    hard = (
        {}
        if "hard" not in sets
        else {
            "zh-small-in-frame": (small_in_frame(zh[0], rng), zh[1]),
            "en-small-in-frame": (small_in_frame(book.image, rng), book.text),
            "ja-turned-90": (np.ascontiguousarray(np.rot90(shoot(ja[0], 1), -1)), ja[1]),
            "book-turned-90": (np.ascontiguousarray(np.rot90(shoot(book.image, 0), 1)), book.text),
            "zh-hant-colour-cast": (
                colour_cast(shoot(docs["zh-hant"][0], 2), rng),
                docs["zh-hant"][1],
            ),
            "en-moire": (shoot(moire(en[0], rng), 1), en[1]),
            "zh-curled": (shoot(curl(zh[0], rng), 2), zh[1]),
            "book-curled": (shoot(curl(book.image, rng), 1), book.text),
            "ja-dark-margins": (dark_margins(shoot(ja[0], 2)), ja[1]),
        }
    )
    for name, (image, text) in hard.items() if "hard" in sets else []:
        _save(out / "hard", name, image, text)
    for k, (lang, body, cols, side) in enumerate(DENSE if "dense" in sets else []):
        image, text = render_dense(lang, body, cols, k)
        _save(
            out / "dense", f"dense-{lang}-{body}px-{side}", downsized(shoot(image, k), side), text
        )
    for k, (lang, size) in enumerate(VERTICAL if "vertical" in sets else []):
        image, text = render_vertical(lang, size)
        _save(out / "vertical", f"vertical-{lang}-{size}px", shoot(image, k), text)
    if "hard2" in sets:
        rng = random.Random(23)
        zh_d = render_dense("zh", 14, 2, 30)
        en_d = render_dense("en", 12, 2, 31)
        ja_doc = render_document("ja")
        zh_doc = render_document("zh")
        en_doc = render_document("en")
        zh_slide, ja_slide = slide("zh"), slide("ja")
        hard2 = {
            "zh-dense-1000": (downsized(shoot(zh_d[0], 0), 1000), zh_d[1]),
            "en-dense-1280": (downsized(shoot(en_d[0], 1), 1280), en_d[1]),
            "zh-low-light-grain": (grain(shoot(zh_doc[0], 1), rng), zh_doc[1]),
            "zh-slide": (downsized(shoot(zh_slide[0], 1), 2000), zh_slide[1]),
            "ja-slide-grain": (grain(shoot(ja_slide[0], 2), rng, 7), ja_slide[1]),
            "ja-rotated-25": (rotated(shoot(ja_doc[0], 0), 25), ja_doc[1]),
            "en-motion-blur": (motion_blur(shoot(en_doc[0], 2), 15), en_doc[1]),
            "zh-dense-jpeg30": (jpeg_q(downsized(shoot(zh_d[0], 2), 1600), 30), zh_d[1]),
        }
        for name, (image, text) in hard2.items():
            _save(out / "hard2", name, image, text)
    print(f"wrote {sum(1 for _ in out.rglob('*.json'))} images under {out}")


def _items(out: Path) -> list[tuple[str, Path, dict]]:
    items = []
    for set_dir in sorted(p for p in out.iterdir() if p.is_dir()):
        for truth in sorted(set_dir.glob("*.json")):
            items.append((set_dir.name, truth.with_suffix(".jpg"), json.loads(truth.read_text())))
    return items


def _config(pairs: list[str]):
    from vlocr.ocr.ppocr_pipeline import PipelineConfig

    cfg = PipelineConfig()
    for pair in pairs:
        key, value = pair.split("=", 1)
        current = getattr(cfg, key)
        if isinstance(current, bool):
            setattr(cfg, key, value.lower() in ("1", "true", "yes"))
        else:
            setattr(cfg, key, type(current)(value) if current is not None else value)
    return cfg


def read(out: Path, label: str, reader: str, config: list[str], only: str) -> None:
    from vlocr.io import load_pages

    cache_path = out / f"reads-{label}.json"
    cache = json.loads(cache_path.read_text()) if cache_path.is_file() else {}
    engine = None
    if reader == "peer":
        from vlocr.ocr.rapidocr_raw import RapidOcrV6Engine

        engine = RapidOcrV6Engine()
    elif config:
        from vlocr.ocr.rapidocr_engine import VlocrRapidEngine

        engine = VlocrRapidEngine(config=_config(config))
    for set_name, image_path, _ in _items(out):
        key = f"{set_name}/{image_path.stem}"
        if key in cache or (only and only not in key):
            continue
        page = load_pages(image_path, label=str(image_path))[0]
        if engine is not None and reader in ("peer", "none"):
            lines = engine.recognize(page.image).lines
        elif engine is not None:  # auto preprocessing, then the configured pipeline
            from vlocr.preprocess import run as run_preprocess

            lines = engine.recognize(
                run_preprocess(page.image, reader, engine="rapidocr").image
            ).lines
        else:
            from vlocr.service.reading import ocr_page

            lines = ocr_page(page, engine="rapidocr", preprocess=reader).lines
        cache[key] = "\n".join(line.text for line in lines)
        cache_path.write_text(json.dumps(cache, ensure_ascii=False, indent=0))
        print(key, flush=True)


def compare(out: Path, labels: list[str], pages: bool) -> None:
    from vlocr.eval.reading.metrics import char_prf

    reads = {lb: json.loads((out / f"reads-{lb}.json").read_text()) for lb in labels}
    sets: dict[str, dict[str, list[float]]] = {}
    rows = []
    for set_name, image_path, truth in _items(out):
        key = f"{set_name}/{image_path.stem}"
        scores = {}
        for lb in labels:
            if key in reads[lb]:
                scores[lb] = char_prf(truth["text"], reads[lb][key], truth["casefold"])[2]
                sets.setdefault(set_name, {}).setdefault(lb, []).append(scores[lb])
                sets.setdefault("all", {}).setdefault(lb, []).append(scores[lb])
        rows.append((key, scores))
    print("| set | pages | " + " | ".join(f"{lb} char F1" for lb in labels) + " |")
    print("| --- | ---: |" + " ---: |" * len(labels))
    for name, by_label in sets.items():
        n = max(len(v) for v in by_label.values())
        cells = [f"{np.mean(by_label[lb]):.3f}" if lb in by_label else "-" for lb in labels]
        print(f"| {name} | {n} | " + " | ".join(cells) + " |")
    if pages:
        print()
        for key, scores in rows:
            print(
                f"{key:40s} "
                + "  ".join(f"{lb} {scores.get(lb, float('nan')):.3f}" for lb in labels)
            )


def warps(out: Path) -> None:
    """The pages `auto` enlarges in its perspective warp (text under `min_text_px`)."""
    from vlocr.io import load_pages
    from vlocr.preprocess import run

    for set_name, image_path, _ in _items(out):
        image = load_pages(image_path, label=str(image_path))[0].image
        steps = run(image, "auto", engine="rapidocr").trace.steps
        warp = next((s for s in steps if s.name == "perspective"), None)
        if warp is not None and "enlarged" in warp.reason:
            print(f"{set_name}/{image_path.stem}: {warp.reason.split('; ')[-1]}")


def detector_time(out: Path, names: list[str]) -> None:
    """The v6 detector's time over the v4 detector's in vlocr's pipeline, same scale, median of
    3 interleaved runs per page (a ratio: the machine may be shared)."""
    import statistics
    import time

    from vlocr.io import load_pages
    from vlocr.ocr.ppocr_pipeline import PipelineConfig, PpOcrPipeline

    pipes = {m: PpOcrPipeline(PipelineConfig(det_model=m)) for m in ("v4", "v6")}
    for name in names:
        image = load_pages(out / f"{name}.jpg", label=name)[0].image
        times: dict[str, list[float]] = {m: [] for m in pipes}
        for _ in range(3):
            for m, pipe in pipes.items():
                scale, _, small = pipe.det_scale(image)
                t0 = time.perf_counter()
                pipe.detect_page(image, scale, small)
                times[m].append(time.perf_counter() - t0)
        ratio = statistics.median(times["v6"]) / statistics.median(times["v4"])
        print(f"{name} {image.shape[1]}x{image.shape[0]}: detector v6 / v4 time {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("dev", type=Path, help="the dev-data folder (sroie-train, oldbooks)")
    m.add_argument("out", type=Path)
    m.add_argument(
        "--sets", default="docs,books,receipts,hard,dense,vertical,hard2", help="which to write"
    )
    r = sub.add_parser("read")
    r.add_argument("out", type=Path)
    r.add_argument("label")
    r.add_argument("--reader", choices=("peer", "none", "auto"), required=True)
    r.add_argument("--config", action="append", default=[], help="PipelineConfig FIELD=VALUE")
    r.add_argument("--only", default="", help="only pages whose set/name contains this")
    c = sub.add_parser("compare")
    c.add_argument("out", type=Path)
    c.add_argument("labels", nargs="+")
    c.add_argument("--pages", action="store_true", help="also each page's scores")
    sub.add_parser("warps", help="pages auto enlarges in its warp").add_argument("out", type=Path)
    d = sub.add_parser("detector-time", help="v6 / v4 detector time on some pages")
    d.add_argument("out", type=Path)
    d.add_argument("names", nargs="+", help="SET/NAME of pages, e.g. books/c052")
    args = parser.parse_args()
    if args.cmd == "warps":
        warps(args.out)
    elif args.cmd == "detector-time":
        detector_time(args.out, args.names)
    elif args.cmd == "make":
        make(args.dev, args.out, set(args.sets.split(",")))
    elif args.cmd == "read":
        read(args.out, args.label, args.reader, args.config, args.only)
    else:
        compare(args.out, args.labels, args.pages)


if __name__ == "__main__":
    main()
