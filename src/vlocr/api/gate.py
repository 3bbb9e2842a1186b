"""Moved to :mod:`vlocr.service.gate` (the page shares it); kept so old imports still work."""

from vlocr.service.gate import Gate, Watchable

__all__ = ["Gate", "Watchable"]
