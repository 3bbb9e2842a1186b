"""Input: decode and validate anything a user passes into RGB ``Page``s."""

from vlocr.io.budget import PixelBudget
from vlocr.io.encode import encode_png, to_base64_png
from vlocr.io.loader import count_pages, decode_bytes, first_page, iter_pages, load_pages
from vlocr.io.page import Page
from vlocr.io.sniff import ACCEPTED_FORMATS, describe_content, sniff_format

__all__ = [
    "ACCEPTED_FORMATS",
    "Page",
    "PixelBudget",
    "count_pages",
    "decode_bytes",
    "describe_content",
    "encode_png",
    "first_page",
    "iter_pages",
    "load_pages",
    "sniff_format",
    "to_base64_png",
]
