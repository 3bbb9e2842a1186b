"""What every tab of the page shares: the session context, the error guard, upload checks,
messages and the bad-case save button."""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import types
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import gradio as gr  # imported only when the page is built

from vlocr.badcases import BadCaseStore
from vlocr.config import IoOptions, Settings, VlmOptions
from vlocr.errors import InvalidOptionError, VlocrError
from vlocr.webui import handlers

log = logging.getLogger("vlocr.webui")

IMAGE_HEIGHT = 380
NO_VLM = (
    "⚠ **未配置视觉语言模型 / No vision-language model is configured.** 识别 (Read) 可用；"
    "问答与提取需要启动时加 `--vlm`，例如 `vlocr serve --vlm transformers --model <dir>` / "
    "Read works; questions and extraction need the server started with `--vlm`."
)
NO_STORE = (
    "错例收集未开启 / Bad cases are not kept on this server — start it with "
    "`vlocr serve --bad-cases DIR`."
)


@dataclass
class PageContext:
    """The settings, engines, gate and shared widgets every tab's builder receives."""

    settings: Settings
    vlm: VlmOptions | None
    gate: Any
    store: BadCaseStore | None
    root: str
    widgets: dict[str, Any] = field(default_factory=dict)  # the sidebar's shared widgets
    #: (kind, button, inputs) of each tab's "save as bad case" button, wired by the cases tab
    savers: list[tuple[str, Any, list[Any]]] = field(default_factory=list)

    @property
    def io(self) -> IoOptions:
        return self.settings.io

    @property
    def token_ceiling(self) -> int:
        return self.vlm.max_new_tokens if self.vlm else 512

    def w(self, *names: str) -> list[Any]:
        return [self.widgets[n] for n in names]


def token_slider(ceiling: int) -> dict[str, Any]:
    """The max-new-tokens slider's range: up to the server's ceiling (``VLOCR_VLM__MAX_NEW_TOKENS``),
    whatever it is (Gradio refuses a minimum that is not below the maximum)."""
    small = ceiling < 32
    return {
        "minimum": 1 if small else 16,
        "maximum": max(ceiling, 2),
        "value": min(256, ceiling),
        "step": 1 if small else 16,
    }


def fail(err: VlocrError) -> gr.Error:
    return gr.Error(handlers.friendly(err))


@contextlib.contextmanager
def _shown_errors() -> Iterator[None]:
    """A typed error becomes a red toast with its hint; anything else is logged and shown as an
    internal error, never as a traceback."""
    try:
        yield
    except VlocrError as err:
        raise fail(err) from None
    except gr.Error:
        raise
    except Exception:
        log.exception("web page callback failed")
        raise gr.Error("内部错误，已记录 / internal error (logged on the server)") from None


def guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Typed errors become a red toast with their hint; never a traceback."""

    if inspect.isasyncgenfunction(fn):

        @functools.wraps(fn)
        async def gen_wrapped(*args: Any) -> AsyncIterator[Any]:
            with _shown_errors():
                async for item in fn(*args):
                    yield item

        return gen_wrapped

    @functools.wraps(fn)  # gradio reads the signature (e.g. gr.SelectData) through __wrapped__
    async def wrapped(*args: Any) -> Any:
        with _shown_errors():
            out = fn(*args)
            return await out if inspect.isawaitable(out) else out

    return wrapped


def no_vlm_error() -> InvalidOptionError:
    return InvalidOptionError(NO_VLM.replace("**", ""), "")


def accept_only_uploads(component: Any) -> Any:
    """Make a file component take only files uploaded to this server: a file reference naming
    another server path, or a URL, is refused before Gradio would copy or fetch it.

    Patched on the instance (a subclass of a Gradio component makes Gradio write a ``.pyi`` next
    to this module); a session's deep copy of the component keeps the bound methods' behaviour.
    """
    original_async = component.async_move_resource_to_block_cache
    original_sync = component.move_resource_to_block_cache

    async def async_move(self: Any, url_or_file_path: Any) -> str | None:
        if url_or_file_path is not None:
            _refuse_foreign(str(url_or_file_path))
        return await original_async.__func__(self, url_or_file_path)  # type: ignore[no-any-return]

    def sync_move(self: Any, url_or_file_path: Any) -> str | None:
        if url_or_file_path is not None:
            _refuse_foreign(str(url_or_file_path))
        return original_sync.__func__(self, url_or_file_path)  # type: ignore[no-any-return]

    component.async_move_resource_to_block_cache = types.MethodType(async_move, component)
    component.move_resource_to_block_cache = types.MethodType(sync_move, component)
    return component


def upload_root() -> str:
    from gradio.utils import get_upload_folder

    return get_upload_folder()


def _refuse_foreign(path: str) -> None:
    try:
        handlers.check_uploaded_path(path, upload_root())
    except InvalidOptionError as err:
        raise gr.Error(handlers.friendly(err)) from None


def case_table(store: BadCaseStore | None) -> str:
    return handlers.bad_case_table(store.list() if store is not None else [])


def store_status(store: BadCaseStore | None) -> str:
    if store is None:
        return NO_STORE
    cases = store.list()
    empty = (
        "还没有错例：在识别、问答或提取页中点“有误”并填写正确内容。 / No bad cases yet: "
        "use “This is wrong” under a read, an answer or an extraction.\n\n"
        if not cases
        else ""
    )
    return (
        f"{empty}{len(cases)} 个错例 / bad cases in `{store.directory}` · "
        f"{store.used_bytes() / 2**20:.1f} / {store.max_bytes / 2**20:.0f} MB · "
        "API: `GET /v1/bad-cases`, `GET /v1/bad-cases/export` · "
        "`vlocr bench --data DIR --format badcases`"
    )


def save_button(kind: str, store: Any) -> Any:
    """The "save as bad case" button under a read, an answer or an extraction (hidden without
    --bad-cases)."""
    return gr.Button(
        "保存为错例 / Save as bad case", elem_id=f"{kind}-save", visible=store is not None
    )
