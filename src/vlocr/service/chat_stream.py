"""The web page's streamed chat turn; it lives in ``service/chatting.py`` beside ``chat``, so both
are one turn on one guarded stream. Kept as an import path for the page."""

from __future__ import annotations

from vlocr.service.chatting import chat_stream

__all__ = ["chat_stream"]
