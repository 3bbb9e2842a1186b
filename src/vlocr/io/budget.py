"""A total-pixel budget shared by every page of one input, or by every image of one request.

Per-page caps alone let a small file of many large pages (or a request of many images) cost
gigabytes and minutes; pages are decoded one at a time and each takes its share from here first.
"""

from __future__ import annotations

from vlocr.errors import ImageTooLargeError


class PixelBudget:
    """Pixels still allowed; ``take`` raises ``ImageTooLargeError`` when a page would overdraw."""

    def __init__(self, limit: int, *, what: str = "input") -> None:
        self.limit = int(limit)
        self.used = 0
        self.what = what

    def take(self, pixels: int, *, source: str | None = None, page: str = "page") -> None:
        if self.used + pixels > self.limit:
            raise ImageTooLargeError(
                f"{page} brings this {self.what} to {self.used + pixels:,} pixels, over the "
                f"limit of {self.limit:,} pixels per {self.what}",
                "send fewer or smaller pages, lower --pdf-dpi, or raise VLOCR_IO__MAX_TOTAL_PIXELS",
                source=source,
            )
        self.used += pixels

    def check_total(self, pixels: int, *, source: str | None = None, what: str) -> None:
        """Refuse up front when the pages about to be decoded cannot fit at all."""
        if self.used + pixels > self.limit:
            raise ImageTooLargeError(
                f"{what} total {pixels:,} pixels, over the limit of {self.limit:,} pixels "
                f"per {self.what}",
                "send fewer or smaller pages, lower --pdf-dpi, or raise VLOCR_IO__MAX_TOTAL_PIXELS",
                source=source,
            )
