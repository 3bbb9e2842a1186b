"""Phone-photo versions of labelled scans, for `vlocr bench --data OUT --format txt`.

No real phone photos with ground truth are in the development data; this makes a stand-in from
the ones that are: each page is enlarged to a 12 MP phone frame (the page ~3,200 px tall) and
shot with `vlocr.eval.synth.degrade.phone_photo` (lying on a desk in perspective, uneven light and a
shadow, a little focus blur, JPEG), severity 1, 2, 3 in turn. The transcript is copied beside it.

    .venv/bin/python scripts/photo_pages.py ../shared/dev-data/oldbooks /tmp/photos --every 3 --count 8
    vlocr bench --data-only --data /tmp/photos --format txt --presets none,auto \\
      --engines rapidocr,rapidocr-v6 --no-speed --out bench-out/photos

Write OUT outside the repository: the pages are the dataset's, not the project's.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from vlocr.eval.synth.degrade import phone_photo

PAGE_HEIGHT_PX = 3200  # the page's height in a 3000x4000 shot that it mostly fills


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("src", type=Path, help="a txt-format folder: NAME.png + NAME.txt")
    parser.add_argument("out", type=Path)
    parser.add_argument("--every", type=int, default=1, help="take every Nth page")
    parser.add_argument("--count", type=int, default=0, help="at most this many pages (0: all)")
    args = parser.parse_args()
    pages = [p for p in sorted(args.src.glob("*.png")) if p.with_suffix(".txt").is_file()]
    pages = pages[:: max(1, args.every)]
    if args.count:
        pages = pages[: args.count]
    if not pages:
        raise SystemExit(f"no NAME.png + NAME.txt pairs in {args.src}")
    args.out.mkdir(parents=True, exist_ok=True)
    for k, page in enumerate(pages):
        shot = shoot(np.asarray(Image.open(page).convert("RGB")), k)
        target = args.out / f"{page.stem}.jpg"
        cv2.imwrite(
            str(target), cv2.cvtColor(shot, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85]
        )
        shutil.copyfile(page.with_suffix(".txt"), args.out / f"{page.stem}.txt")
        print(f"{target}  {shot.shape[1]}x{shot.shape[0]}  severity {1 + k % 3}")


def shoot(image: np.ndarray, k: int) -> np.ndarray:
    """The ``k``-th page's phone photo: enlarged to a 12 MP frame, severity 1 + k % 3."""
    scale = PAGE_HEIGHT_PX / image.shape[0]
    image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    shot, _ = phone_photo(image, [], 1 + k % 3, random.Random(k))
    return shot


if __name__ == "__main__":
    main()
