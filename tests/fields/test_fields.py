"""Fields from OCR alone: values with their boxes and lines, null for what the page lacks, and
the invoice arithmetic on what was read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vlocr.eval.questions.fields_score import field_key, score_documents
from vlocr.eval.synth import generate
from vlocr.fields import extract_ocr_fields, fields_from_lines
from vlocr.fields.values import find_amounts, find_dates
from vlocr.results import OcrLine


def _line(text: str, x: float, y: float, w: float = 300, h: float = 30) -> OcrLine:
    return OcrLine(text=text, box=[(x, y), (x + w, y), (x + w, y + h), (x, y + h)], confidence=0.98)


def _doc_lines(kind: str, seed: int) -> tuple[list[OcrLine], dict[str, str]]:
    doc = generate(kind, seed)
    lines = [
        OcrLine(text=g.text, box=[(float(x), float(y)) for x, y in g.box], confidence=0.99)
        for g in doc.lines
    ]
    return lines, doc.fields


SROIE_LIKE = [
    _line("POPULAR BOOK", 160, 180),
    _line("CO. (M) SDN BHD", 120, 215),
    _line("(Co. No. 113825-W)", 230, 250),
    _line("No 8, Jalan 7/118B, Desa Tun Razak", 50, 290, 500),
    _line("56000 Kuala Lumpur, Malaysia", 120, 325, 400),
    _line("Tel: 03-42601064", 200, 360),
    _line("11/02/18 19:21", 30, 420, 200),
    _line("PB D/S Tape 12mm", 30, 470),
    _line("1.90", 700, 470, 80),
    _line("SUB TOTAL", 30, 510),
    _line("12.30", 700, 510, 80),
    _line("ROUNDED TOTAL (RM)", 30, 550),
    _line("12.30", 700, 550, 80),
    _line("CASH", 30, 590),
    _line("20.00", 700, 590, 80),
    _line("CHANGE", 30, 630),
    _line("7.70", 700, 630, 80),
]


def test_receipt_fields_carry_value_box_lines_and_rule() -> None:
    fields = fields_from_lines(SROIE_LIKE, "receipt")
    assert (
        fields["merchant"] is not None and fields["merchant"].text == "POPULAR BOOK CO. (M) SDN BHD"
    )
    assert fields["merchant"].lines == [0, 1]
    assert fields["address"] is not None and fields["address"].lines == [3, 4]
    assert fields["date"] is not None
    assert (fields["date"].value, fields["date"].text) == ("2018-02-11", "11/02/18")
    total = fields["total"]
    assert total is not None and total.value == 12.3 and total.rule == "label:ROUNDED TOTAL"
    assert total.lines == [12] and total.box == SROIE_LIKE[12].box
    assert 0 < total.confidence <= 1
    assert fields["subtotal"] is not None and fields["subtotal"].lines == [10]


def test_absent_fields_are_null_never_guessed() -> None:
    no_total = [ln for ln in SROIE_LIKE if ln.text not in ("ROUNDED TOTAL (RM)", "CASH")]
    no_total = [ln for ln in no_total if ln.box[0][1] not in (550, 590)]
    result = extract_ocr_fields(None, "receipt", lines=no_total)
    assert result.engine == "ocr" and result.fields["total"] is None
    assert result.data is not None and result.data["total"] is None
    assert result.fields["tax"] is None and result.data["tax"] is None
    lines, _ = _doc_lines("invoice", 3)
    lines = [ln for ln in lines if "Tax ID" not in ln.text]
    invoice = extract_ocr_fields(None, "invoice", lines=lines)
    assert invoice.fields["seller_tax_id"] is None and invoice.data["buyer_tax_id"] is None
    assert invoice.fields["invoice_no"] is not None


@pytest.mark.parametrize("kind", ["invoice", "invoice_zh"])
def test_invoice_fields_from_printed_lines(kind: str) -> None:
    lines, truth = _doc_lines(kind, 1)
    result = extract_ocr_fields(None, "invoice", lines=lines)
    printed = {k: (v.text if v else None) for k, v in result.fields.items()}
    for name in (
        "seller",
        "buyer",
        "invoice_no",
        "date",
        "seller_tax_id",
        "buyer_tax_id",
        "tax",
        "total",
    ):
        assert printed[name] == truth[name], name
    assert printed["amount"] == truth.get("amount", truth.get("subtotal"))
    assert result.valid, result.validation_errors
    assert result.issues == []  # the synthetic invoice adds up


def test_invoice_arithmetic_flags_a_misread_tax() -> None:
    lines = [
        _line("增值税普通发票", 300, 20),
        _line("发票号码：12345678", 20, 70),
        _line("开票日期：2024年05月12日", 500, 70),
        _line("购买方：深圳创新软件有限公司", 20, 120, 500),
        _line("销售方：北京星辰科技有限公司", 20, 170, 500),
        _line("合计", 20, 260, 80),
        _line("1000.00", 400, 260, 100),
        _line("13%", 560, 260, 60),
        _line("120.00", 700, 260, 100),
        _line("价税合计（小写）：1130.00元", 20, 310, 500),
    ]
    result = extract_ocr_fields(None, "invoice", lines=lines)
    data = result.data or {}
    assert (data["amount"], data["tax"], data["total"], data["tax_rate"]) == (
        1000.0,
        120.0,
        1130.0,
        0.13,
    )
    rules = {i.rule: i for i in result.issues}
    assert (
        rules["amount_x_rate_eq_tax"].expected == 130.0
        and rules["amount_x_rate_eq_tax"].found == 120.0
    )
    assert rules["amount_plus_tax_eq_total"].expected == 1120.0
    fixed = [ln if ln.text != "120.00" else _line("130.00", 700, 260, 100) for ln in lines]
    assert extract_ocr_fields(None, "invoice", lines=fixed).issues == []


def test_value_patterns_keep_the_printed_text() -> None:
    assert [(f.text, f.value) for f in find_amounts("Total RM 53.30")] == [("53.30", 53.3)]
    assert [(f.text, f.value) for f in find_amounts("TOTAL RM39.00")] == [("RM39.00", 39.0)]
    assert [f.value for f in find_dates("Date: 16 APR 2018 18:23")] == ["2018-04-16"]
    assert [f.value for f in find_dates("20180304 10:00")] == ["2018-03-04"]
    assert [f.value for f in find_dates("开票日期：2024年5月2日")] == ["2024-05-02"]
    assert [f.value for f in find_dates("09/25/2023")] == ["2023-09-25"]  # no 25th month


def test_sroie_score_ignores_case_and_spaces_only() -> None:
    assert field_key("MR. D. I. Y. (KUCHAI) SDN BHD") == field_key("Mr. D.I.Y.(Kuchai) Sdn Bhd")
    assert field_key("RM 13.30") != field_key("13.30")
    scores = score_documents(
        [
            ("a", {"total": "11.80", "date": "11/02/18"}, {"total": "11.80", "date": None}),
            ("b", {"total": "5.00", "date": "01/01/19"}, {"total": "6.00", "date": "01/01/19"}),
        ]
    )
    assert scores.fields["total"].to_dict()["f1"] == 0.5
    date = scores.fields["date"]
    assert (date.precision, date.recall) == (1.0, 0.5)


@pytest.mark.slow
def test_cli_extract_engine_ocr_reads_a_rendered_receipt(tmp_path: Path) -> None:
    """Real OCR (rapidocr) on a rendered receipt through `vlocr extract --engine ocr`."""
    from PIL import Image
    from typer.testing import CliRunner

    from vlocr.cli.main import app

    doc = generate("receipt", 5)
    path = tmp_path / "receipt.png"
    Image.fromarray(doc.image).save(path)
    out = CliRunner().invoke(app, ["extract", str(path), "--engine", "ocr", "--schema", "receipt"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert result["engine"] == "ocr" and result["valid"]
    assert result["data"]["total"] == float(doc.fields["total"].replace(",", ""))
    assert result["data"]["merchant"] == doc.fields["shop"]
    assert result["fields"]["total"]["box"] and result["fields"]["total"]["lines"]


@pytest.mark.slow
def test_bench_fields_only_scores_a_sroie_folder(tmp_path: Path) -> None:
    """`vlocr bench --data DIR --format sroie --fields-only` on a SROIE-layout folder of rendered
    receipts: real OCR, per-field P/R/F1, the held-out split, and the OCR cache reused."""
    from PIL import Image
    from typer.testing import CliRunner

    from vlocr.cli.main import app

    for sub in ("img", "box", "key"):
        (tmp_path / "data" / sub).mkdir(parents=True)
    for i in range(2):
        doc = generate("receipt", 20 + i)
        Image.fromarray(doc.image).save(tmp_path / "data" / "img" / f"r{i}.png")
        (tmp_path / "data" / "box" / f"r{i}.txt").write_text(
            "\n".join(
                ",".join(str(int(v)) for p in g.box for v in p) + "," + g.text for g in doc.lines
            ),
            encoding="utf-8",
        )
        address = " ".join(g.text for g in doc.lines[1:3])
        key = {"company": doc.fields["shop"], "date": doc.fields["date"], "address": address}
        key["total"] = doc.fields["total"] if i == 0 else "999.99"  # one wrong truth
        (tmp_path / "data" / "key" / f"r{i}.json").write_text(json.dumps(key), encoding="utf-8")
    args = ["bench", "--data", str(tmp_path / "data"), "--format", "sroie", "--fields-only"]
    args += ["--holdout", "1", "--ocr-cache", str(tmp_path / "cache"), "-o", str(tmp_path / "out")]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    report = json.loads((tmp_path / "out" / "fields.json").read_text(encoding="utf-8"))
    fields = report["all"]["fields"]
    assert fields["company"]["f1"] == 1.0 and fields["date"]["f1"] == 1.0
    assert fields["address"]["tp"] >= 1  # one OCR slip in an address may happen
    assert fields["total"]["tp"] == 1 and fields["total"]["truth"] == 2
    assert report["holdout_ids"] == ["r1"] and report["holdout"]["fields"]["total"]["f1"] == 0.0
    assert len(list((tmp_path / "cache").glob("*.rapidocr.auto.json"))) == 2
    again = CliRunner().invoke(app, args)  # from the cache
    assert again.exit_code == 0 and "| total | 0.500 | 0.500 | 0.500 | 1 / 2 |" in again.stdout
