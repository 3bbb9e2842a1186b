"""Read images with ``rapidocrlite`` (native PP-OCRv6 lite models + reading-order model) and print
each page's text lines on stdout, pages separated by a form-feed line.

It runs in its own virtual environment, because ``rapidocrlite`` installs the same ``rapidocr``
package directory as the ``rapidocr`` 3.x that vlocr uses (see docs/peers.md):

    /work/peers/rapidocrlite/bin/python scripts/peer_rapidocrlite.py IMG [IMG ...]

``vlocr bench --peer rapidocrlite='/work/peers/rapidocrlite/bin/python
scripts/peer_rapidocrlite.py {imgs}'`` measures it beside vlocr's engines in one run.
Only the standard library and ``rapidocr`` (from rapidocrlite) are imported here.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: peer_rapidocrlite.py IMG [IMG ...]", file=sys.stderr)
        return 2
    from rapidocr import RapidOCR

    # the bundled lite detector/recogniser (no download); the lite model has no angle classifier
    engine = RapidOCR(
        params={"Det.model_type": "lite", "Rec.model_type": "lite", "Global.use_cls": False}
    )
    for i, path in enumerate(argv):
        if i:
            print("\f")
        result = engine(path)
        for text in result.txts or ():
            print(text)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
