"""Server-sent events for the streamed routes (``/v1/ask``, ``/v1/chat/completions``): one frame
per event, an error after the headers reported in-band, ``[DONE]`` last."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi.responses import StreamingResponse

from vlocr.errors import VlocrError

log = logging.getLogger("vlocr.api")


def frame(data: dict[str, Any] | str) -> str:
    """One ``data:`` frame (JSON, or a bare word such as ``[DONE]``)."""
    return f"data: {data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)}\n\n"


def error_frame(err: BaseException, what: str) -> str:
    """The error as a frame: the headers (200) are already sent, so it travels in the stream."""
    if isinstance(err, VlocrError):
        body = {"type": type(err).__name__, "code": err.code, "message": err.message}
        return frame({"error": {**body, "hint": err.hint}})
    log.error("streaming %s failed", what, exc_info=err)
    return frame(
        {
            "error": {
                "type": "InternalError",
                "code": "internal_error",
                "message": "internal server error",
                "hint": "",
            }
        }
    )


def response(frames: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(
        frames,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
