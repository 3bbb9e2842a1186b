"""The PDF render worker, run as its own process under memory and CPU limits (see ``io/pdf.py``).

A PDF page's content stream can ask PDFium for gigabytes or minutes; rendering in a child lets the
parent bound both and kill it, so a bomb never grows the server nor holds a lock after a timeout.
Self-contained on purpose (stdlib, numpy, pypdfium2): it is started by file path, no vlocr import.

Protocol: argv = dpi max_pixels first last memory_mb cpu_s; stdin = the PDF bytes. Output lines of
JSON on stdout: ``{"count": n, "sizes": [[w, h], ...]}`` for pages first..last, then per page
``{"page": i, "width": w, "height": h, "text": lines-or-null, "pictures": boxes}`` followed by
w*h*3 RGB bytes (the text layer and, on a page that has one, its pictures' pixel boxes, from the
sibling ``pdf_text.py``); or ``{"error": ...}``.
"""

from __future__ import annotations

import json
import resource
import sys


def _limit(memory_mb: int, cpu_s: int) -> None:
    mem = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))


def _say(out: object, obj: dict[str, object]) -> None:
    out.write(json.dumps(obj).encode() + b"\n")  # type: ignore[attr-defined]
    out.flush()  # type: ignore[attr-defined]


def _sibling(name: str):  # type: ignore[no-untyped-def]
    """Load a module that sits next to this file (``-I`` keeps this folder off sys.path)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        f"_vlocr_{name}", Path(__file__).with_name(f"{name}.py")
    )
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def main() -> int:
    dpi, max_pixels, first, last, memory_mb, cpu_s = (int(a) for a in sys.argv[1:7])
    data = sys.stdin.buffer.read()
    _limit(memory_mb, cpu_s)
    out = sys.stdout.buffer
    import numpy as np
    import pypdfium2 as pdfium

    pdf_text = _sibling("pdf_text")

    scale = dpi / 72.0
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        _say(out, {"error": "open", "message": str(exc).strip().splitlines()[0][:200]})
        return 0
    count = len(document)
    stop = min(count, last)
    sizes = []
    for index in range(first - 1, stop):
        width_pt, height_pt = document.get_page_size(index)
        sizes.append([max(1, round(width_pt * scale)), max(1, round(height_pt * scale))])
    _say(out, {"count": count, "sizes": sizes})
    for index in range(first - 1, stop):
        width, height = sizes[index - first + 1]
        if width * height > max_pixels:
            return 0  # the parent refused this page from its size already
        page = document[index]
        text = pdf_text.text_layer_lines(page, scale)
        pictures = pdf_text.picture_regions(page, scale) if text is not None else []
        bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255), rev_byteorder=True)
        rgb = np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])
        size = {"width": int(rgb.shape[1]), "height": int(rgb.shape[0])}
        _say(out, {"page": index + 1, **size, "text": text, "pictures": pictures})
        out.write(rgb.data)
        out.flush()
        del rgb
        bitmap.close()
        page.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
