"""Searchable PDF sizes against their inputs: each file is read (OCR) and written as `vlocr pdf`
writes it; prints one markdown row per file and a summary per kind, and how many characters of the
text layer read back (PDFium) differ from the OCR text (spaces aside).

    nice -n 10 /work/main/.venv/bin/python scripts/pdf_sizes.py            # the 22 book pages + examples/*.jpg
    /work/main/.venv/bin/python scripts/pdf_sizes.py scan.png photo.jpg    # any files
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = sorted((REPO.parent / "shared/dev-data/oldbooks").glob("*.png")) + sorted(
    (REPO / "examples").glob("*.jpg")
)


def _squash(text: str) -> str:
    return "".join(text.replace("\ufffe", "-").split())  # PDFium marks a line-end hyphen U+FFFE


def _differing(a: str, b: str) -> int:
    from difflib import SequenceMatcher

    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def measure(path: Path, pdf_dpi: int) -> dict[str, object]:
    import pikepdf
    import pypdfium2 as pdfium

    import vlocr
    from vlocr.export.searchable_pdf import searchable_pdf

    result = vlocr.read(path)
    data = searchable_pdf([path], result, pdf_dpi=pdf_dpi)
    with pikepdf.open(io.BytesIO(data)) as document:
        filters = set()
        for image in document.pages[0].get_images().values():
            name = image.get("/Filter")
            filters.add(f"{str(name).lstrip('/')}/{int(image.BitsPerComponent)}-bit")
    document = pdfium.PdfDocument(data)
    back = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    return {
        "file": path.name,
        "kind": path.suffix.lower().lstrip("."),
        "input": path.stat().st_size,
        "pdf": len(data),
        "ratio": len(data) / path.stat().st_size,
        "image": ", ".join(sorted(filters)),
        "chars": len(_squash("".join(p.text for p in result.pages))),
        "differ": _differing(_squash(back), _squash("".join(p.text for p in result.pages))),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--pdf-dpi", type=int, default=200)
    args = parser.parse_args(argv)
    rows = [measure(path, args.pdf_dpi) for path in args.files]
    print(
        "| file | input bytes | PDF bytes | PDF / input | image in the PDF | chars differing on read-back |"
    )
    print("| --- | ---: | ---: | ---: | --- | ---: |")
    for row in rows:
        print(
            f"| {row['file']} | {row['input']:,} | {row['pdf']:,} | {row['ratio']:.3f} "
            f"| {row['image']} | {row['differ']} of {row['chars']:,} |"
        )
    print()
    for kind in sorted({str(r["kind"]) for r in rows}):
        ratios = [float(r["ratio"]) for r in rows if r["kind"] == kind]  # type: ignore[arg-type]
        print(
            f"{kind}: {len(ratios)} files, PDF / input min {min(ratios):.3f}, "
            f"median {statistics.median(ratios):.3f}, max {max(ratios):.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
