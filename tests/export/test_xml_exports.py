"""hOCR and ALTO exports: well-formed XML with the structure their specifications require."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np

from vlocr.export.alto import ALTO_NS, to_alto
from vlocr.export.hocr import to_hocr
from vlocr.export.words import line_words
from vlocr.results import OcrLine, PageResult, ReadResult

XHTML = "{http://www.w3.org/1999/xhtml}"
A = "{" + ALTO_NS + "}"
BBOX = re.compile(r"bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)")


def _props(title: str) -> dict[str, str]:
    return {
        p.strip().split(" ", 1)[0]: p.strip().split(" ", 1)[1]
        for p in title.split(";")
        if p.strip()
    }


def _result(read_pages) -> ReadResult:  # type: ignore[no-untyped-def]
    return ReadResult(pages=[r for _, r in read_pages])


def test_hocr_nests_page_area_par_line_word_with_boxes_inside_the_page(read_pages) -> None:
    result = _result(read_pages)
    root = ET.fromstring(to_hocr(result).encode())
    metas = {m.get("name"): m.get("content") for m in root.iter(f"{XHTML}meta")}
    assert metas["ocr-system"].startswith("vlocr ")
    capabilities = set(metas["ocr-capabilities"].split())
    pages = [d for d in root.iter(f"{XHTML}div") if d.get("class") == "ocr_page"]
    assert len(pages) == 2
    ids: list[str] = []
    for number, (page_el, page) in enumerate(zip(pages, result.pages, strict=True)):
        props = _props(page_el.get("title", ""))
        assert props["bbox"] == f"0 0 {page.width} {page.height}"
        assert props["ppageno"] == str(number)
        words = []
        for el in page_el.iter():
            cls = el.get("class")
            if cls:
                assert cls in capabilities, f"{cls} used but not declared"
                ids.append(el.get("id", ""))
                x0, y0, x1, y1 = map(int, BBOX.search(el.get("title", "")).groups())
                assert 0 <= x0 <= x1 <= page.width + 1 and 0 <= y0 <= y1 <= page.height + 1
            if cls == "ocrx_word":
                assert 0 <= int(_props(el.get("title"))["x_wconf"]) <= 100
                words.append(el.text)
        lines = [ln for ln in page_el.iter() if ln.get("class") == "ocr_line"]
        assert len(lines) == len(page.lines)
        # The words, in order, spell the page's text (spaces aside).
        assert "".join(words) == "".join(page.text.split())
    assert len(ids) == len(set(ids)) and all(ids), "every hOCR element needs a unique id"


def test_hocr_words_sit_inside_their_line(read_pages) -> None:
    root = ET.fromstring(to_hocr(_result(read_pages)).encode())
    for line in (e for e in root.iter() if e.get("class") == "ocr_line"):
        lx0, ly0, lx1, ly1 = map(int, BBOX.search(line.get("title")).groups())
        for word in line:
            assert word.get("class") == "ocrx_word"
            x0, y0, x1, y1 = map(int, BBOX.search(word.get("title")).groups())
            assert lx0 - 1 <= x0 <= x1 <= lx1 + 1 and ly0 - 1 <= y0 <= y1 <= ly1 + 1


def test_alto_has_the_required_structure_and_attributes(read_pages) -> None:
    result = _result(read_pages)
    root = ET.fromstring(to_alto(result).encode())
    assert root.tag == f"{A}alto"
    description = root.find(f"{A}Description")
    assert description is not None
    assert description.findtext(f"{A}MeasurementUnit") == "pixel"
    assert description.findtext(f".//{A}softwareName") == "vlocr"
    layout_pages = root.findall(f"{A}Layout/{A}Page")
    assert len(layout_pages) == 2
    ids = []
    for page_el, page in zip(layout_pages, result.pages, strict=True):
        for attr in ("ID", "PHYSICAL_IMG_NR", "WIDTH", "HEIGHT"):
            assert page_el.get(attr), attr
        assert (int(page_el.get("WIDTH")), int(page_el.get("HEIGHT"))) == (page.width, page.height)
        blocks = page_el.findall(f"{A}PrintSpace/{A}TextBlock")
        assert len(blocks) == len(page.lines)
        content = []
        for block in blocks:
            for line in block.findall(f"{A}TextLine"):
                children = list(line)
                # Strings alternate with SP: never two SPs in a row, never SP first or last.
                kinds = [c.tag.removeprefix(A) for c in children]
                assert kinds[0] == kinds[-1] == "String"
                assert "SPSP" not in "".join(kinds)
                for el in (block, line, *children):
                    if el.tag != f"{A}SP":
                        ids.append(el.get("ID"))
                        for attr in ("HPOS", "VPOS", "WIDTH", "HEIGHT"):
                            assert int(el.get(attr)) >= 0
                for string in line.findall(f"{A}String"):
                    assert string.get("CONTENT")
                    assert 0.0 <= float(string.get("WC")) <= 1.0
                    content.append(string.get("CONTENT"))
        assert "".join(content) == "".join(page.text.split())
    assert len(ids) == len(set(ids)), "ALTO IDs are xsd:ID and must be unique"


def test_special_characters_are_escaped(read_pages) -> None:
    page = PageResult(
        source='a "quoted" & <odd> name.png',
        width=100,
        height=50,
        lines=[
            OcrLine(text='5 < 6 & "7"', box=[(0, 0), (90, 0), (90, 20), (0, 20)], confidence=0.9)
        ],
        text='5 < 6 & "7"',
    )
    result = ReadResult(pages=[page])
    alto = ET.fromstring(to_alto(result).encode())
    strings = [s.get("CONTENT") for s in alto.iter(f"{A}String")]
    assert strings == ["5", "<", "6", "&", '"7"']
    hocr = ET.fromstring(to_hocr(result).encode())
    assert [w.text for w in hocr.iter() if w.get("class") == "ocrx_word"] == strings


def test_lines_without_word_boxes_are_split_in_proportion() -> None:
    line = OcrLine(text="ab cdef", box=[(0, 0), (70, 0), (70, 10), (0, 10)], confidence=0.8)
    words = line_words(line)
    assert [w.text for w in words] == ["ab", "cdef"]
    assert words[0].bbox == (0, 0, 20, 10)
    assert np.allclose(words[1].bbox, (30, 0, 70, 10))
    chinese = OcrLine(text="合计金额", box=[(0, 0), (80, 0), (80, 20), (0, 20)], confidence=0.8)
    assert [w.text for w in line_words(chinese)] == ["合计金额"]
