"""The HTTP server: app factory, routes, limits, the concurrency gate, health and metrics.

Import ``create_app`` from ``vlocr.api.app``; this package stays import-light so that
``vlocr read`` never pays for FastAPI.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from vlocr.api.app import create_app

        return create_app
    raise AttributeError(name)
