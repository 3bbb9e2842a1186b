"""The question benchmark: L1 read a value, L2 relate two values, L3 reason over several.

A question file is JSONL, one ``{"image", "question", "answer", "level", "kind"}`` per line
(``image`` relative to the file; optional ``"lang"`` and ``"text"``, the page's transcript).
Answers are text, numbers or lists. Scoring is *relaxed accuracy*:

- a number is right when the reply states it within 0.5 % (at least 0.01), commas and currency
  signs ignored;
- a date is right when the reply states the same day in any common format;
- yes / no (是 / 否) is right when the reply says it first;
- text is right when, after NFKC, case folding and removing spaces and punctuation, the reply
  contains it; a list is right when every item is.

A reply *invents a number* when it states an amount, date or long digit string that is neither
printed on the page (its ``text``, else its OCR lines) nor the expected answer.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vlocr.errors import InputNotFoundError, InvalidOptionError
from vlocr.values import find_dates, numbers_in

LEVELS = ("L1", "L2", "L3")
QA_KINDS = ("receipt", "receipt_zh", "invoice", "invoice_zh")
YES = ("yes", "true", "correct", "是", "对", "正确", "相同", "一致", "等于")
NO = ("no", "false", "incorrect", "否", "不", "没有", "不同")


@dataclass
class QaItem:
    image: str
    question: str
    answer: Any
    level: str
    kind: str
    lang: str = "en"
    text: str | None = None
    qid: str = ""


@dataclass
class QaOutcome:
    qid: str
    level: str
    kind: str
    lang: str
    question: str
    expected: Any
    reply: str
    correct: bool
    invented: list[str] = field(default_factory=list)
    error: str | None = None


# ---- scoring -------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\s\W_]+", "", text)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.01, 0.005 * abs(b))


def _dates(text: str) -> set[str]:
    return {f.value for f in find_dates(text) if isinstance(f.value, str)} | {
        f.value for f in find_dates(text, month_first=True) if isinstance(f.value, str)
    }


def _yes_no(reply: str) -> str | None:
    low = unicodedata.normalize("NFKC", reply).strip().casefold()
    hits = []
    for word in YES + NO:
        pattern = rf"\b{re.escape(word)}\b" if word.isascii() else re.escape(word)
        m = re.search(pattern, low)
        if m:
            hits.append((m.start(), "yes" if word in YES else "no", -len(word)))
    if not hits:
        return None
    return min(hits)[1]


def relaxed_match(reply: str, expected: Any) -> bool:
    """Whether ``reply`` states ``expected`` (see the module docstring for the rules)."""
    if isinstance(expected, list):
        return bool(expected) and all(relaxed_match(reply, e) for e in expected)
    if isinstance(expected, bool):
        expected = "yes" if expected else "no"
    if isinstance(expected, (int, float)):
        return any(_close(n, float(expected)) for n in numbers_in(reply))
    want = str(expected).strip()
    if want.casefold() in ("yes", "no", "是", "否"):
        return _yes_no(reply) == ("yes" if want.casefold() in ("yes", "是") else "no")
    want_dates = _dates(want)
    if want_dates and find_dates(want)[0].text == want:
        return bool(want_dates & _dates(reply))
    if re.fullmatch(r"[-$¥￥RM\s]*\d[\d,]*\.\d+", want):
        return relaxed_match(reply, float(re.sub(r"[^\d.-]", "", want)))
    return bool(_norm(want)) and _norm(want) in _norm(reply)


def invented_numbers(reply: str, page_text: str, expected: Any) -> list[str]:
    """Numbers in ``reply`` that the page does not print and that are not the expected answer."""
    from vlocr.fusion.numbers import extract_numbers

    page_keys = {n.key for n in extract_numbers(page_text)}
    page_digits = re.sub(r"\D", "", page_text)
    expected_text = (
        json.dumps(expected, ensure_ascii=False) if not isinstance(expected, str) else expected
    )
    expected_keys = {n.key for n in extract_numbers(expected_text)}
    out = []
    for number in extract_numbers(reply):
        if number.key in page_keys or number.key in expected_keys:
            continue
        if number.kind == "digits" and number.key in page_digits:
            continue
        out.append(number.raw)
    return out


# ---- the synthetic set -----------------------------------------------------------------------------


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def _bar(value: float) -> int:
    """A round amount near ``value`` for "is it more than ...?" questions (either answer occurs)."""
    return int(10 * round(value / 10) + 5)


def _questions(kind: str, f: dict[str, str]) -> list[tuple[str, str, Any]]:
    """(level, question, answer) for one synthetic document, from its known field values."""
    if kind == "receipt":
        saved = round(_num(f["discount"]), 2)
        return [
            ("L1", "What is the total amount on this receipt?", _num(f["total"])),
            ("L1", "What is the phone number of the shop?", f["phone"]),
            ("L1", "On what date was this purchase made?", f["date"]),
            (
                "L2",
                "Does the subtotal minus the discount plus the tax equal the total? Answer yes or no.",
                "yes",
            ),
            (
                "L2",
                f"Is the total more than {_bar(_num(f['total']))}? Answer yes or no.",
                "yes" if _num(f["total"]) > _bar(_num(f["total"])) else "no",
            ),
            (
                "L3",
                "What is the sum of the tax and the discount?",
                round(_num(f["tax"]) + saved, 2),
            ),
            (
                "L3",
                "How much more is the total than the subtotal minus the discount?",
                round(_num(f["total"]) - _num(f["subtotal"]) + saved, 2),
            ),
        ]
    if kind == "receipt_zh":
        return [
            ("L1", "实付金额是多少？", _num(f["paid"])),
            ("L1", "商店的电话号码是多少？", f["phone"]),
            ("L1", "购物日期是哪一天？", f["date"]),
            ("L2", "合计减去会员优惠是否等于实付？请回答是或否。", "是"),
            (
                "L2",
                f"实付金额是否超过{_bar(_num(f['paid']))}元？请回答是或否。",
                "是" if _num(f["paid"]) > _bar(_num(f["paid"])) else "否",
            ),
            ("L3", "合计比实付多多少？", round(_num(f["total"]) - _num(f["paid"]), 2)),
        ]
    if kind == "invoice":
        return [
            ("L1", "What is the invoice number?", f["invoice_no"]),
            ("L1", "What is the seller's tax ID?", f["seller_tax_id"]),
            ("L1", "What is the total due?", _num(f["total"])),
            ("L2", "Are the seller and the buyer the same company? Answer yes or no.", "no"),
            ("L2", "Is the subtotal plus the tax equal to the total due? Answer yes or no.", "yes"),
            (
                "L3",
                "What is the total due minus the subtotal?",
                round(_num(f["total"]) - _num(f["subtotal"]), 2),
            ),
            ("L3", "How many tax IDs are printed on the invoice?", 2),
        ]
    if kind == "invoice_zh":
        return [
            ("L1", "发票号码是多少？", f["invoice_no"]),
            ("L1", "价税合计是多少？", _num(f["total"])),
            ("L1", "开票日期是哪一天？", f["date"]),
            ("L2", "销售方和购买方是同一家公司吗？请回答是或否。", "否"),
            ("L2", "金额加税额是否等于价税合计？请回答是或否。", "是"),
            ("L3", "价税合计减去金额是多少？", round(_num(f["total"]) - _num(f["amount"]), 2)),
            ("L3", "发票上有几个纳税人识别号？", 2),
        ]
    raise InvalidOptionError(f"no questions for document kind '{kind}'", f"use {QA_KINDS}")


# the n-th document of each kind is degraded like the OCR benchmark's n-th group (severity 2)
QA_GROUPS = ("clean", "skew", "low_contrast", "noise", "jpeg", "blur", "perspective")


def write_synthetic_set(out_dir: Path, *, seed: int = 0, docs_per_kind: int = 3) -> Path:
    """Render the benchmark's documents (clean, then degraded like the OCR benchmark's groups)
    and write ``questions.jsonl`` next to their images."""
    from PIL import Image

    from vlocr.eval.synth import generate
    from vlocr.eval.synth.degrade import degrade

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "images").mkdir(exist_ok=True)
    rows = []
    for kind in QA_KINDS:
        for i in range(docs_per_kind):
            doc = generate(kind, seed + i)
            group = QA_GROUPS[i % len(QA_GROUPS)]
            image = (
                doc.image
                if group == "clean"
                else degrade(doc.image, doc.lines, group, 2, seed + i)[0]
            )
            name = f"images/{doc.doc_id}-{group}.png"
            Image.fromarray(image).save(out_dir / name)
            for n, (level, question, answer) in enumerate(_questions(kind, doc.fields)):
                rows.append(
                    {
                        "id": f"{doc.doc_id}-{group}-q{n + 1}",
                        "image": name,
                        "question": question,
                        "answer": answer,
                        "level": level,
                        "kind": kind,
                        "lang": doc.lang,
                        "degradation": group,
                        "text": doc.text,
                    }
                )
    path = out_dir / "questions.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def write_sroie_questions(folder: str | Path, out_dir: Path) -> Path:
    """Questions about real receipts from SROIE key files (``img/`` + ``key/``): L1 total, date
    and company; L2 whether the total is above a round amount near it. Images stay where they
    are (the file names them by absolute path)."""
    root = Path(folder)
    keys = root / "key"
    images = {p.stem: p for p in (root / "img").iterdir()} if (root / "img").is_dir() else {}
    if not keys.is_dir() or not images:
        raise InputNotFoundError(
            f"'{folder}' has no img/ and key/ folders", "point --qa sroie:DIR at a SROIE folder"
        )
    rows = []
    for key in sorted(keys.glob("*.json")):
        image = images.get(key.stem)
        if image is None:
            continue
        truth = json.loads(key.read_text(encoding="utf-8"))
        base = {"image": str(image.resolve()), "kind": "sroie", "lang": "en"}
        total = numbers_in(str(truth.get("total", "")))
        if total:
            value = abs(total[-1])
            rows.append(
                {
                    **base,
                    "id": f"{key.stem}-total",
                    "level": "L1",
                    "answer": value,
                    "question": "What is the total amount on this receipt?",
                }
            )
            bar = _bar(value)
            rows.append(
                {
                    **base,
                    "id": f"{key.stem}-above",
                    "level": "L2",
                    "answer": "yes" if value > bar else "no",
                    "question": f"Is the total more than {bar}? Answer yes or no.",
                }
            )
        dates = find_dates(str(truth.get("date", "")))
        if dates:
            rows.append(
                {
                    **base,
                    "id": f"{key.stem}-date",
                    "level": "L1",
                    "answer": dates[0].value,
                    "question": "What is the date on this receipt?",
                }
            )
        if truth.get("company"):
            rows.append(
                {
                    **base,
                    "id": f"{key.stem}-company",
                    "level": "L1",
                    "answer": truth["company"],
                    "question": "What is the name of the company that issued this receipt?",
                }
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "questions.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def load_questions(path: str | Path) -> list[QaItem]:
    """Read a question file; images are resolved against the file's folder."""
    file = Path(path)
    if not file.is_file():
        raise InputNotFoundError(f"question file '{path}' does not exist", "pass a JSONL file")
    items = []
    for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            image = Path(row["image"])
            items.append(
                QaItem(
                    image=str(image if image.is_absolute() else file.parent / image),
                    question=str(row["question"]),
                    answer=row["answer"],
                    level=str(row.get("level", "L1")).upper(),
                    kind=str(row.get("kind", "document")),
                    lang=str(row.get("lang", "en")),
                    text=row.get("text"),
                    qid=str(row.get("id", f"q{n}")),
                )
            )
        except (ValueError, KeyError, TypeError) as err:
            raise InvalidOptionError(
                f"{file}:{n} is not a question ({err})",
                'each line: {"image": ..., "question": ..., "answer": ..., "level": "L1"}',
            ) from None
    return items


# ---- running and reporting ---------------------------------------------------------------------


Answerer = Callable[[QaItem], str]


def run_qa(
    items: Sequence[QaItem], answer: Answerer, page_text: Callable[[QaItem], str]
) -> list[QaOutcome]:
    """Ask every question; a failing answer is a wrong answer with its error kept."""
    from vlocr.errors import VlocrError

    outcomes = []
    for item in items:
        error = None
        try:
            reply = answer(item)
        except VlocrError as err:
            reply, error = "", err.one_line()
        invented = invented_numbers(reply, item.text or page_text(item), item.answer)
        outcomes.append(
            QaOutcome(
                qid=item.qid,
                level=item.level,
                kind=item.kind,
                lang=item.lang,
                question=item.question,
                expected=item.answer,
                reply=reply,
                correct=relaxed_match(reply, item.answer),
                invented=invented,
                error=error,
            )
        )
    return outcomes


def summarise(outcomes: Sequence[QaOutcome]) -> dict[str, Any]:
    def block(group: Sequence[QaOutcome]) -> dict[str, Any]:
        n = len(group)
        return {
            "n": n,
            "accuracy": round(sum(o.correct for o in group) / n, 4) if n else None,
            "invented_number_rate": round(sum(bool(o.invented) for o in group) / n, 4)
            if n
            else None,
        }

    by_level: dict[str, list[QaOutcome]] = defaultdict(list)
    by_kind: dict[str, list[QaOutcome]] = defaultdict(list)
    for o in outcomes:
        by_level[o.level].append(o)
        by_kind[o.kind].append(o)
    return {
        "all": block(outcomes),
        "levels": {k: block(by_level[k]) for k in sorted(by_level)},
        "kinds": {k: block(by_kind[k]) for k in sorted(by_kind)},
    }


def markdown(summary: dict[str, Any], answerer: str) -> str:
    def pct(v: float | None) -> str:
        return "-" if v is None else f"{100 * v:.1f} %"

    out = [
        f"Answerer: `{answerer}`",
        "",
        "| level | questions | relaxed accuracy | replies inventing a number |",
        "| --- | ---: | ---: | ---: |",
    ]
    for level, b in summary["levels"].items():
        out.append(
            f"| {level} | {b['n']} | {pct(b['accuracy'])} | {pct(b['invented_number_rate'])} |"
        )
    a = summary["all"]
    out.append(
        f"| **all** | {a['n']} | **{pct(a['accuracy'])}** | {pct(a['invented_number_rate'])} |"
    )
    out += ["", "| document kind | questions | relaxed accuracy | replies inventing a number |"]
    out.append("| --- | ---: | ---: | ---: |")
    for kind, b in summary["kinds"].items():
        out.append(
            f"| {kind} | {b['n']} | {pct(b['accuracy'])} | {pct(b['invented_number_rate'])} |"
        )
    return "\n".join(out) + "\n"


def make_answerer(
    name: str,
    vlm_model: str | None,
    vlm_overrides: dict[str, Any] | None = None,
    ocr_cache: str | None = None,
) -> tuple[Answerer, Callable[[QaItem], str]]:
    """The answerer and a page-text lookup (OCR, cached per image) for the invented-number check."""
    from vlocr.eval.questions.qa_answer import OcrAnswerer

    ocr = OcrAnswerer(ocr_cache=ocr_cache)
    if name == "ocr":
        return ocr.answer, ocr.page_text
    if name in ("vlm", "vlm+hints"):
        from vlocr import service
        from vlocr.config import get_settings

        opts = get_settings().vlm.model_copy(update=dict(vlm_overrides or {}))
        if vlm_model:
            opts = opts.model_copy(update={"model": vlm_model})
        hints = name == "vlm+hints"

        def ask(item: QaItem) -> str:
            return service.ask(
                item.image,
                item.question,
                vlm=opts,
                ocr_hints=hints,
                ocr_checks=False,
                lang=item.lang if item.lang in ("en", "zh") else None,
            ).text

        return ask, ocr.page_text
    raise InvalidOptionError(f"unknown answerer '{name}'", "use ocr, vlm or vlm+hints")


def run_qa_command(
    qa: str,
    *,
    answerer: str = "ocr",
    vlm_model: str | None = None,
    out_dir: Path = Path("bench-out"),
    limit: int | None = None,
    seed: int = 0,
    docs_per_kind: int = 3,
    vlm_overrides: dict[str, Any] | None = None,
    ocr_cache: str | None = None,
) -> tuple[str, list[Path]]:
    """``vlocr bench --qa FILE|synth``: score, write qa.md and qa.json, return the report text."""
    if qa == "synth":
        path = write_synthetic_set(out_dir / "qa-synth", seed=seed, docs_per_kind=docs_per_kind)
    elif qa.startswith("sroie:"):
        path = write_sroie_questions(qa[len("sroie:") :], out_dir / "qa-sroie")
    else:
        path = Path(qa)
    items = load_questions(path)[:limit] if limit else load_questions(path)
    answer, page_text = make_answerer(answerer, vlm_model, vlm_overrides, ocr_cache)
    outcomes = run_qa(items, answer, page_text)
    summary = summarise(outcomes)
    text = f"Questions: `{path}`\n\n" + markdown(summary, answerer)
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js = out_dir / "qa.md", out_dir / "qa.json"
    md.write_text(text, encoding="utf-8")
    js.write_text(
        json.dumps(
            {
                "answerer": answerer,
                "questions": str(path),
                "summary": summary,
                "outcomes": [asdict(o) for o in outcomes],
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return text, [md, js]
