"""Read images with ``rapidocrlite`` (native PP-OCRv6 lite models + reading-order model) and print
each page's text lines on stdout, pages separated by a form-feed line.

It runs in its own virtual environment, because ``rapidocrlite`` installs the same ``rapidocr``
package directory as the ``rapidocr`` 3.x that vlocr uses (see docs/peers.md):

    /work/peers/rapidocrlite/bin/python scripts/peer_rapidocrlite.py IMG [IMG ...]

``vlocr bench --peer rapidocrlite='/work/peers/rapidocrlite/bin/python
scripts/peer_rapidocrlite.py {imgs}'`` measures it beside vlocr's engines in one run.
``--json`` prints one JSON object a page instead, ``{"lines": [{"text", "box", "score"}]}``, the
lines in the engine's reading order (its bundled order model) with their boxes: the layout bench
(``vlocr bench --layout``) scores that order.
Only the standard library and ``rapidocr`` (from rapidocrlite) are imported here.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    if not argv:
        print("usage: peer_rapidocrlite.py [--json] IMG [IMG ...]", file=sys.stderr)
        return 2
    from rapidocr import RapidOCR

    # the bundled lite detector/recogniser (no download); the lite model has no angle classifier
    engine = RapidOCR(
        params={"Det.model_type": "lite", "Rec.model_type": "lite", "Global.use_cls": False}
    )
    for i, path in enumerate(argv):
        result = engine(path)
        if as_json:
            boxes = [] if result.boxes is None else result.boxes.tolist()
            lines = [
                {"text": t, "box": b, "score": float(s)}
                for t, b, s in zip(result.txts or (), boxes, result.scores or (), strict=False)
            ]
            print(json.dumps({"image": path, "lines": lines}, ensure_ascii=False))
            continue
        if i:
            print("\f")
        for text in result.txts or ():
            print(text)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
