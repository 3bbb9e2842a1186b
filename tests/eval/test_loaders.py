"""Loaders on tiny fixture folders of each format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vlocr.errors import InputNotFoundError, InvalidOptionError
from vlocr.eval.data.loaders import load_folder, parse_sroie_boxes


def _png(path: Path, w: int = 60, h: int = 40) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((h, w, 3), 255, np.uint8)).save(path)


def test_txt(tmp_path: Path) -> None:
    _png(tmp_path / "a.png")
    (tmp_path / "a.txt").write_text("TOTAL 12.50\n合计 12.50\n", encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps({"total": "12.50"}), encoding="utf-8")
    _png(tmp_path / "b.jpg")
    (tmp_path / "b.txt").write_text("hello", encoding="utf-8")
    _png(tmp_path / "unlabelled.png")
    samples = load_folder(tmp_path, "txt")
    assert [s.sample_id for s in samples] == ["a", "b"]
    a = samples[0]
    assert a.text == "TOTAL 12.50\n合计 12.50"
    assert [ln.text for ln in a.lines] == ["TOTAL 12.50", "合计 12.50"]
    assert a.fields == {"total": "12.50"} and a.lang == "mixed"
    assert a.image.shape == (40, 60, 3)
    assert samples[1].fields == {} and samples[1].lang == "en"
    assert len(load_folder(tmp_path, "txt", limit=1)) == 1


def test_sroie_subfolders(tmp_path: Path) -> None:
    _png(tmp_path / "img" / "X001.jpg")
    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "X001.txt").write_text(
        "72,25,326,25,326,64,72,64,TAN WOON YANN\n50,82,440,82,440,121,50,121,BOOK TA .K(TAMAN DAYA) SDN BND\nnot,a,box\n",
        encoding="utf-8",
    )
    (tmp_path / "key").mkdir()
    (tmp_path / "key" / "X001.txt").write_text(
        json.dumps(
            {
                "company": "BOOK TA .K(TAMAN DAYA) SDN BHD",
                "date": "25/12/2018",
                "address": "",
                "total": "9.00",
            }
        )
    )
    [s] = load_folder(tmp_path, "sroie")
    assert s.sample_id == "X001" and s.kind == "sroie"
    assert [ln.text for ln in s.lines] == ["TAN WOON YANN", "BOOK TA .K(TAMAN DAYA) SDN BND"]
    assert s.lines[0].box == [(72, 25), (326, 25), (326, 64), (72, 64)]
    assert s.fields == {
        "company": "BOOK TA .K(TAMAN DAYA) SDN BHD",
        "date": "25/12/2018",
        "total": "9.00",
    }


def test_sroie_flat_folder_keeps_commas_in_text(tmp_path: Path) -> None:
    _png(tmp_path / "r1.png")
    (tmp_path / "r1.txt").write_text("1,2,3,2,3,4,1,4,TOTAL: 1,234.50\n", encoding="utf-8")
    (tmp_path / "r1.json").write_text(json.dumps({"total": "1,234.50"}))
    [s] = load_folder(tmp_path, "sroie")
    assert s.text == "TOTAL: 1,234.50" and s.fields == {"total": "1,234.50"}
    assert parse_sroie_boxes("bad line\n") == []


def test_funsd(tmp_path: Path) -> None:
    _png(tmp_path / "images" / "f1.png", 200, 100)
    form = {
        "form": [
            {
                "id": 0,
                "text": "Date:",
                "box": [10, 10, 60, 30],
                "label": "question",
                "linking": [[0, 1]],
                "words": [],
            },
            {
                "id": 1,
                "text": "12/03/1998",
                "box": [70, 10, 150, 30],
                "label": "answer",
                "linking": [[0, 1]],
                "words": [],
            },
            {
                "id": 2,
                "text": "",
                "box": [0, 0, 1, 1],
                "label": "other",
                "linking": [],
                "words": [],
            },
            {
                "id": 3,
                "text": "REPORT",
                "box": [10, 50, 90, 70],
                "label": "header",
                "linking": [],
                "words": [],
            },
        ]
    }
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "f1.json").write_text(json.dumps(form))
    [s] = load_folder(tmp_path, "funsd")
    assert [ln.text for ln in s.lines] == ["Date:", "12/03/1998", "REPORT"]
    assert s.lines[1].box == [(70, 10), (150, 10), (150, 30), (70, 30)]
    assert s.fields == {"Date": "12/03/1998"}


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError):
        load_folder(tmp_path / "missing", "txt")
    with pytest.raises(InvalidOptionError, match="unknown data format"):
        load_folder(tmp_path, "coco")
    with pytest.raises(InvalidOptionError, match="no labelled images") as info:
        load_folder(tmp_path, "sroie")
    assert "box/" in info.value.hint
