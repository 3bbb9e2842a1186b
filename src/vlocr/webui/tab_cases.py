"""The Bad cases tab: what users marked wrong, and the save buttons of the other tabs."""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from vlocr.badcases import BadCaseStore
from vlocr.errors import InvalidOptionError
from vlocr.webui import handlers
from vlocr.webui.common import NO_STORE, PageContext, case_table, fail, guard, store_status


def build_cases_tab(ctx: PageContext) -> None:
    """The tab, and the wiring of every "save as bad case" button the other tabs registered."""
    store = ctx.store
    with gr.Tab("错例 Bad cases", id="cases", elem_id="tab-cases") as cases_tab:
        cases_status = gr.Markdown(store_status(store), elem_id="cases-status")
        with gr.Row():
            refresh = gr.Button(
                "刷新 / Refresh", size="sm", elem_id="cases-refresh", scale=0, min_width=140
            )
            export = gr.DownloadButton(
                "导出 zip / Export zip",
                size="sm",
                elem_id="cases-export",
                scale=0,
                min_width=160,
                visible=store is not None,
            )
        cases = gr.HTML(case_table(store), elem_id="cases")

    def saver(kind: str) -> Callable[..., Any]:
        async def save(
            accepted: handlers.Upload | None,
            record: dict[str, Any] | None,
            correction: str,
            note: str = "",
        ) -> tuple[Any, ...]:
            if store is None:
                raise fail(InvalidOptionError(NO_STORE, ""))
            if record is None:
                raise InvalidOptionError(
                    "nothing to mark yet", "run it first, then correct the result / 请先运行"
                )
            # Saving feedback is a small file copy, not inference: it does not wait for, or
            # get refused by, the gate that a running answer may be holding.
            data = await asyncio.to_thread(handlers.upload_bytes, accepted, ctx.io, ctx.root)
            options = dict(record.get("options", {}))
            if kind == "answer":
                options["question"] = record.get("question", "")
            case = await asyncio.to_thread(
                functools.partial(
                    store.add,
                    data,
                    kind=kind,  # type: ignore[arg-type]
                    correction=correction,
                    result=record.get("result") or record.get("answer") or {},
                    options=options,
                    source=accepted.name if accepted else "",
                    page=int(options.get("page") or record.get("page") or 1),
                    note=note or "",
                )
            )
            gr.Info(f"已保存错例 / bad case saved: {case.id}")
            return case_table(store), store_status(store)

        return save

    for kind, button, inputs in ctx.savers:
        button.click(guard(saver(kind)), inputs, [cases, cases_status])

    def list_cases() -> tuple[Any, ...]:
        return case_table(store), store_status(store)

    refresh.click(list_cases, None, [cases, cases_status])
    # Opening the view lists what is kept now, including cases saved from another browser or
    # through the API since the page loaded.
    cases_tab.select(list_cases, None, [cases, cases_status])

    async def do_export(previous: Any) -> Any:
        if store is None:
            raise fail(InvalidOptionError(NO_STORE, ""))
        return await ctx.gate.run(_export_to_cache, store, ctx.root)

    export.click(guard(do_export), [export], [export])


def _export_to_cache(store: BadCaseStore, root: str) -> str:
    """Write the export zip where Gradio keeps its files (its cache cleanup deletes it later);
    one file per store, overwritten by the next export."""
    folder = Path(root) / (
        "vlocr-export-" + hashlib.sha256(str(store.directory).encode()).hexdigest()[:12]
    )
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "vlocr-bad-cases.zip"
    partial = folder / "vlocr-bad-cases.zip.part"
    with partial.open("wb") as handle:
        for chunk in store.export_zip():
            handle.write(chunk)
    partial.replace(target)
    return str(target)
