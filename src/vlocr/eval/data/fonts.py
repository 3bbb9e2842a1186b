"""Font files the synthetic generator renders with (DejaVu for Latin, Noto Sans CJK for Chinese).

Fonts are looked up once; a missing font raises ``EngineUnavailableError`` with the Debian
package to install, because a silently substituted bitmap font would make the benchmark lie.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from PIL import ImageFont

from vlocr.errors import EngineUnavailableError

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
LATIN_FONTS = {
    "sans": "DejaVuSans.ttf",
    "sans-bold": "DejaVuSans-Bold.ttf",
    "mono": "DejaVuSansMono.ttf",
    "mono-bold": "DejaVuSansMono-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
    "serif-bold": "DejaVuSerif-Bold.ttf",
}
_CJK_FALLBACKS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)


@functools.cache
def cjk_font_file() -> tuple[str, int]:
    """Path and face index of a Simplified Chinese sans font (Noto Sans CJK SC preferred)."""
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(
                ["fc-list", ":lang=zh", "family", "index", "file"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        best: tuple[int, str, int] | None = None
        for row in out.splitlines():
            path, _, rest = row.partition(": ")
            index = int(rest.rsplit("index=", 1)[1]) if "index=" in rest else 0
            rank = 0 if ("Sans CJK SC" in rest and "Mono" not in rest and "Regular" in path) else 1
            rank += 0 if "Sans" in rest else 2
            if best is None or rank < best[0]:
                best = (rank, path, index)
        if best is not None and Path(best[1]).exists():
            return best[1], best[2]
    for path in _CJK_FALLBACKS:
        if Path(path).exists():
            return path, 2
    raise EngineUnavailableError(
        "no Chinese font found for the synthetic documents",
        "install fonts-noto-cjk (apt-get install fonts-noto-cjk)",
    )


@functools.cache
def font(style: str, size: int) -> ImageFont.FreeTypeFont:
    """A FreeType font: ``style`` is a LATIN_FONTS key, ``cjk`` or ``cjk-bold``."""
    if style.startswith("cjk"):
        path, index = cjk_font_file()
        if style == "cjk-bold":
            bold = path.replace("Regular", "Bold")
            path = bold if Path(bold).exists() else path
        return ImageFont.truetype(path, size, index=index)
    latin = DEJAVU_DIR / LATIN_FONTS[style]
    if not latin.exists():
        raise EngineUnavailableError(
            f"font {latin} is missing",
            "install fonts-dejavu-core (apt-get install fonts-dejavu-core)",
        )
    return ImageFont.truetype(str(latin), size)
