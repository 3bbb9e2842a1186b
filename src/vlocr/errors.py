"""Typed errors shared by every interface.

Each error carries a one-line ``message`` saying what is wrong and a ``hint`` saying what to do.
The CLI prints ``message`` + ``hint`` and exits with code 2; the API maps ``http_status``.
"""

from __future__ import annotations


class VlocrError(Exception):
    """Base class: a failure the user can act on (never a bug)."""

    http_status: int = 400
    code: str = "vlocr_error"

    def __init__(self, message: str, hint: str = "", *, source: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.source = source

    def one_line(self) -> str:
        where = f"{self.source}: " if self.source else ""
        tail = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{tail}"

    def to_dict(self) -> dict[str, str | None]:
        return {
            "type": type(self).__name__,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "source": self.source,
        }


class InputNotFoundError(VlocrError):
    http_status = 404
    code = "input_not_found"


class InvalidImageError(VlocrError):
    """The bytes claim to be an image but cannot be decoded (empty, truncated, corrupt)."""

    http_status = 422
    code = "invalid_image"


class UnsupportedFormatError(VlocrError):
    """The content is not one of the accepted formats (sniffed from bytes, not the file name)."""

    http_status = 415
    code = "unsupported_format"


class ImageTooLargeError(VlocrError):
    """Byte or pixel cap exceeded, or a decompression bomb."""

    http_status = 413
    code = "image_too_large"


class InvalidOptionError(VlocrError):
    """An option value the user passed makes no sense (unknown preset, bad region, ...)."""

    http_status = 422
    code = "invalid_option"


class EngineUnavailableError(VlocrError):
    """An engine cannot run here: a missing extra, binary, model file or unreachable server."""

    http_status = 503
    code = "engine_unavailable"


class EngineTimeoutError(VlocrError):
    http_status = 504
    code = "timeout"


class ModelOutputError(VlocrError):
    """The model answered, but not in a usable form even after repair and re-asking."""

    http_status = 502
    code = "model_output_invalid"


class StatusError(VlocrError):
    """A refusal with its own status and headers (busy, shutting down, not configured): raised
    by the concurrency gate and the server, answered as JSON with those headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        hint: str = "",
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.http_status = status
        self.code = code
        self.headers = headers or {}


class SettingsError(VlocrError):
    """A ``VLOCR_*`` environment variable holds a value the settings cannot take."""

    code = "invalid_setting"
