"""The browser page (Gradio), mounted by the API server at ``/ui``. It calls ``vlocr.service``."""

from __future__ import annotations

from typing import Any

__all__ = ["build_page"]


def __getattr__(name: str) -> Any:
    if name == "build_page":
        from vlocr.webui.page import build_page

        return build_page
    raise AttributeError(name)
