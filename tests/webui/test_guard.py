"""The page's callbacks never show a traceback: a typed error is a toast with its hint, anything
else an "internal error" toast (logged), for plain, async and streaming callbacks alike."""

from __future__ import annotations

import asyncio
from typing import Any

import gradio as gr
import pytest

from vlocr.errors import InvalidOptionError
from vlocr.webui.common import guard


def _typed() -> None:
    raise InvalidOptionError("page 9 asked for", "pick a page from 1 to 2")


def _bug() -> None:
    raise KeyError("secret internals")


async def _async_typed() -> None:
    _typed()


async def _stream(fail: Any) -> Any:
    yield "first piece"
    fail()


def _run(fn: Any, *args: Any) -> list[Any]:
    async def go() -> list[Any]:
        wrapped = guard(fn)
        out = wrapped(*args)
        if hasattr(out, "__aiter__"):
            return [piece async for piece in out]
        return [await out]

    return asyncio.run(go())


@pytest.mark.parametrize(("fn", "args"), [(_typed, ()), (_async_typed, ()), (_stream, (_typed,))])
def test_a_typed_error_is_a_toast_with_its_hint(fn: Any, args: tuple[Any, ...]) -> None:
    with pytest.raises(gr.Error) as raised:
        _run(fn, *args)
    assert "page 9 asked for" in raised.value.message and "pick a page" in raised.value.message


@pytest.mark.parametrize(("fn", "args"), [(_bug, ()), (_stream, (_bug,))])
def test_any_other_error_is_an_internal_error_without_its_text(
    fn: Any, args: tuple[Any, ...]
) -> None:
    with pytest.raises(gr.Error) as raised:
        _run(fn, *args)
    assert "internal error" in raised.value.message and "secret" not in raised.value.message


def test_a_result_and_a_stream_pass_through() -> None:
    assert _run(lambda x: x + 1, 1) == [2]
    assert _run(_stream, lambda: None) == ["first piece"]
