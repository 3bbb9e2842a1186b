"""Generated pages are readable: the default engine gets them (almost) exactly right when clean.

If this fails after a generator change, the generator (font, size, layout) is at fault, not the
engine: the benchmark needs pages whose only difficulty is the degradation applied to them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from vlocr.eval.reading.metrics import cer
from vlocr.eval.synth import generate

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("kind", "seed"), [("receipt", 1), ("notice_zh", 2)])
def test_default_engine_reads_clean_page(
    kind: str, seed: int, require_engine: Callable[[str], None]
) -> None:
    require_engine("rapidocr")
    from vlocr.ocr.registry import get_engine

    doc = generate(kind, seed)
    out = get_engine("rapidocr").recognize(doc.image)
    assert cer(doc.text, out.text) < 0.02, (doc.text, out.text)
