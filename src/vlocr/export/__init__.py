"""Machine-readable exports of a ``ReadResult``: hOCR, ALTO XML and a searchable PDF.

Each format lives in its own module and takes the same typed result every interface shares, so
`vlocr read --format hocr|alto|pdf`, the batch and the API all write identical files.
"""

from __future__ import annotations

from vlocr.export.words import PlacedWord, line_words

__all__ = ["PlacedWord", "line_words"]
