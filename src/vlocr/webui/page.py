"""The Gradio page: one upload shared by four views (read, ask & chat, extract, bad cases).

Labels are bilingual (中文 / English). Callbacks delegate to ``vlocr.webui.handlers`` and run
their work through the API's concurrency gate, so the page and the REST API share one set of
workers and one queue. Large outputs live in height-limited boxes or closed accordions.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import types
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import gradio as gr  # this module is the page itself; it is imported only when the UI is built

from vlocr.badcases import BadCaseStore
from vlocr.config import Settings, VlmOptions, load_settings
from vlocr.errors import InvalidOptionError, VlocrError
from vlocr.results import VlmAnswer
from vlocr.webui import handlers

log = logging.getLogger("vlocr.webui")

PREPROCESS_CHOICES = ["none", "auto", "seed"]
SCHEMA_PRESETS = ["receipt", "invoice"]
HEADERS = ["#", "文字 / Text", "置信度 / Conf."]
CHATS_KEPT = 16
IMAGE_HEIGHT = 380
CSS = """
#original img { cursor: crosshair; }
/* the images sit below their label badge, not under it (a receipt's first line was hidden) */
#original .image-frame, #annotated .image-frame, #evidence .image-frame {
  padding-top: 30px; box-sizing: border-box;
}
.gradio-container { max-width: 1360px !important; }
#vlocr-title h2 { margin: 0; }
#cases .case-table { max-height: 420px; overflow: auto; }
#cases table {
  width: 100%; table-layout: fixed; border-collapse: collapse; border: none !important;
  font-size: 14px;
}
#cases th, #cases td {
  text-align: left; vertical-align: top; padding: 4px 6px; overflow-wrap: anywhere;
  border: none !important; border-bottom: 1px solid var(--border-color-primary) !important;
}
#vlocr-title p { margin: 0.2em 0 0 0; opacity: 0.8; }
@media (max-width: 640px) {
  .gradio-container { padding: 6px !important; }
  #lines table, #cases table { font-size: 12px; }
  #views .tab-container > button { padding: 0 5px; font-size: 13px; }
}
"""
NO_VLM = (
    "⚠ **未配置视觉语言模型 / No vision-language model is configured.** 识别 (Read) 可用；"
    "问答与提取需要启动时加 `--vlm`，例如 `vlocr serve --vlm transformers --model <dir>` / "
    "Read works; questions and extraction need the server started with `--vlm`."
)
NO_STORE = (
    "错例收集未开启 / Bad cases are not kept on this server — start it with "
    "`vlocr serve --bad-cases DIR`."
)


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


def _case_table(store: BadCaseStore | None) -> str:
    return handlers.bad_case_table(store.list() if store is not None else [])


def _store_status(store: BadCaseStore | None) -> str:
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


def _save_button(kind: str, store: Any) -> Any:
    """The "save as bad case" button under a read, an answer or an extraction (hidden without
    --bad-cases)."""
    return gr.Button(
        "保存为错例 / Save as bad case", elem_id=f"{kind}-save", visible=store is not None
    )


def build_page(
    settings: Settings | None = None,
    vlm: VlmOptions | None = None,
    *,
    gate: Any = None,
    bad_cases: BadCaseStore | None = None,
) -> Any:
    """Return the ``gr.Blocks`` page. ``vlm`` None: Read works, Ask/Extract say how to enable them.

    ``gate`` is the API's ``Gate``; without one (the page alone) a private gate with the
    settings' workers and queue is made.
    """
    from vlocr.ocr.registry import engine_names
    from vlocr.service.gate import Gate

    settings = settings or load_settings()
    io = settings.io
    server = settings.server
    gate = gate or Gate(server.workers, server.queue, server.request_timeout_s)
    token_ceiling = vlm.max_new_tokens if vlm else 512
    store = bad_cases

    def fail(err: VlocrError) -> gr.Error:
        return gr.Error(handlers.friendly(err))

    def guard(fn: Callable[..., Any]) -> Callable[..., Any]:
        """Typed errors become a red toast with their hint; never a traceback."""

        if inspect.isasyncgenfunction(fn):

            @functools.wraps(fn)
            async def gen_wrapped(*args: Any) -> AsyncIterator[Any]:
                try:
                    async for item in fn(*args):
                        yield item
                except VlocrError as err:
                    raise fail(err) from None
                except gr.Error:
                    raise
                except Exception:
                    log.exception("web page callback failed")
                    raise gr.Error(
                        "内部错误，已记录 / internal error (logged on the server)"
                    ) from None

            return gen_wrapped

        @functools.wraps(fn)  # gradio reads the signature (e.g. gr.SelectData) through __wrapped__
        async def wrapped(*args: Any) -> Any:
            try:
                out = fn(*args)
                return await out if inspect.isawaitable(out) else out
            except VlocrError as err:
                raise fail(err) from None
            except gr.Error:
                raise
            except Exception:
                log.exception("web page callback failed")
                raise gr.Error("内部错误，已记录 / internal error (logged on the server)") from None

        return wrapped

    with gr.Blocks(
        title="vlocr", delete_cache=(600, 3600), analytics_enabled=False, fill_width=False
    ) as page:
        gr.Markdown(
            "## vlocr · 图片文字识别与问答\n"
            "上传一张图片或 PDF，然后在下面的页签中识别、提问、提取 JSON。 / "
            "Upload an image or PDF, then read it, ask about it or extract fields in the tabs.",
            elem_id="vlocr-title",
        )
        upload_state = gr.State(None)  # handlers.Upload, server side only
        corner = gr.State(None)
        chats = gr.State({})  # sha256 -> chat history, so each image keeps its conversation
        last_read = gr.State(None)
        last_answer = gr.State(None)
        last_extract = gr.State(None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=260):
                upload = accept_only_uploads(
                    gr.File(
                        label="上传图片或 PDF / Upload image or PDF",
                        file_types=["image", ".pdf"],
                        type="filepath",
                        elem_id="upload",
                        height=150,
                    )
                )
                file_info = gr.Markdown(
                    f"最大 / max {io.max_bytes / 1e6:.0f} MB, {io.max_pixels / 1e6:.0f} MP",
                    elem_id="file-info",
                )
                page_no = gr.Number(
                    1, label="页码 / Page", precision=0, minimum=1, elem_id="page-no"
                )
                region_info = gr.Markdown(handlers.region_text(None), elem_id="region-info")
                with gr.Accordion("选项与区域 / Options and region", open=False):
                    engine = gr.Dropdown(
                        engine_names(), value=settings.ocr_engine, label="识别引擎 / OCR engine"
                    )
                    preprocess = gr.Dropdown(
                        PREPROCESS_CHOICES, value="auto", label="预处理 / Preprocessing"
                    )
                    gr.Markdown(
                        "**区域 / Region**：在“识别”页的原图上点击两个角 / "
                        "click two corners on the original image (Read tab)"
                    )
                    with gr.Row():
                        rx = gr.Number(
                            0, label="x", precision=0, minimum=0, elem_id="region-x", min_width=60
                        )
                        ry = gr.Number(
                            0, label="y", precision=0, minimum=0, elem_id="region-y", min_width=60
                        )
                        rw = gr.Number(
                            0, label="w", precision=0, minimum=0, elem_id="region-w", min_width=60
                        )
                        rh = gr.Number(
                            0, label="h", precision=0, minimum=0, elem_id="region-h", min_width=60
                        )
                    clear_region = gr.Button("整页 / Whole page", size="sm")
            with gr.Column(scale=4, min_width=300), gr.Tabs(elem_id="views"):
                with gr.Tab("识别 Read", id="read", elem_id="tab-read"):
                    with gr.Row():
                        run = gr.Button(
                            "识别 / Recognize",
                            variant="primary",
                            elem_id="recognize",
                            scale=0,
                            min_width=200,
                        )
                        read_summary = gr.Markdown("", elem_id="read-summary")
                    with gr.Row():
                        original = gr.Image(
                            label="原图（点两角选区域）/ Original (click two corners)",
                            interactive=False,
                            elem_id="original",
                            height=IMAGE_HEIGHT,
                            min_width=260,
                        )
                        annotated = gr.Image(
                            label="标注结果 / Annotated",
                            interactive=False,
                            elem_id="annotated",
                            height=IMAGE_HEIGHT,
                            min_width=260,
                        )
                    with gr.Row():
                        text = gr.Textbox(
                            label="识别文字 / Text",
                            lines=8,
                            max_lines=14,
                            buttons=["copy"],
                            elem_id="ocr-text",
                            min_width=260,
                        )
                        lines = gr.Dataframe(
                            headers=HEADERS,
                            label="识别行 / Lines",
                            interactive=False,
                            elem_id="lines",
                            wrap=True,
                            max_height=300,
                            column_widths=["12%", "70%", "18%"],
                            min_width=260,
                        )
                    with gr.Accordion("预处理后的图 / Preprocessed image", open=False):
                        preprocessed = gr.Image(
                            show_label=False,
                            interactive=False,
                            elem_id="preprocessed",
                            height=IMAGE_HEIGHT,
                        )
                    with gr.Accordion(
                        "结果 JSON（含每行坐标，可下载）/ Result JSON (boxes; download)",
                        open=False,
                    ):
                        result_json = gr.Code(
                            language="json",
                            lines=8,
                            max_lines=20,
                            buttons=["copy", "download"],
                            elem_id="ocr-json",
                            show_label=False,
                            interactive=False,
                        )
                    with gr.Accordion(
                        "✗ 结果有误？/ This is wrong", open=False, elem_id="read-wrong"
                    ):
                        if store is None:
                            gr.Markdown(NO_STORE)
                        read_fix = gr.Textbox(
                            label="正确的文字（在识别结果上修改）/ Correct text (edit the result)",
                            lines=4,
                            max_lines=10,
                            elem_id="read-fix",
                            visible=store is not None,
                        )
                        read_note = gr.Textbox(
                            label="备注 / Note (optional)",
                            elem_id="read-note",
                            visible=store is not None,
                        )
                        read_save = _save_button("read", store)
                with gr.Tab("问答 Ask", id="ask", elem_id="tab-ask"):
                    if vlm is None:
                        gr.Markdown(NO_VLM, elem_id="no-vlm")
                    with gr.Row():
                        with gr.Column(scale=3, min_width=280):
                            chatbot = gr.Chatbot(
                                label="关于这张图的对话 / Conversation about this image",
                                elem_id="chat",
                                height=IMAGE_HEIGHT,
                                placeholder=(
                                    "问一个关于这张图的问题，例如“合计多少钱？”。答案中的数字会与识别文字核对。"
                                    "<br>Ask about this image, e.g. “What is the total?”. Numbers in "
                                    "the answer are checked against the OCR text."
                                    if vlm
                                    else "未配置模型 / no model configured"
                                ),
                            )
                            message = gr.Textbox(
                                show_label=False,
                                placeholder=(
                                    "例如：合计多少钱？ / e.g. What is the total? (Enter 发送)"
                                    if vlm
                                    else "未配置模型 / no model configured"
                                ),
                                elem_id="chat-input",
                                interactive=vlm is not None,
                                lines=1,
                                max_lines=4,
                            )
                            with gr.Row():
                                send = gr.Button(
                                    "发送 / Send",
                                    variant="primary",
                                    elem_id="chat-send",
                                    interactive=vlm is not None,
                                )
                                reset = gr.Button("清空对话 / Clear chat", elem_id="chat-clear")
                        with gr.Column(scale=2, min_width=260):
                            evidence = gr.Image(
                                label="答案依据 / Evidence (green: supporting lines, blue: numbers)",
                                interactive=False,
                                elem_id="evidence",
                                height=IMAGE_HEIGHT - 80,
                            )
                            checks = gr.Markdown("", elem_id="checks")
                    with gr.Accordion("对话选项 / Chat options", open=False), gr.Row():
                        role = gr.Textbox(
                            label="角色提示 / Role prompt",
                            placeholder="你是一名会计 / You are an accountant",
                            min_width=200,
                        )
                        temperature = gr.Slider(
                            0.0,
                            1.5,
                            value=0.0,
                            step=0.05,
                            label="温度 / Temperature",
                            elem_id="temperature",
                            min_width=200,
                        )
                        max_len = gr.Slider(
                            16,
                            token_ceiling,
                            value=min(256, token_ceiling),
                            step=16,
                            label="最大长度 / Max new tokens",
                            min_width=200,
                        )
                    with gr.Accordion("✗ 回答有误？/ This answer is wrong", open=False):
                        if store is None:
                            gr.Markdown(NO_STORE)
                        answer_fix = gr.Textbox(
                            label="正确答案 / Correct answer",
                            elem_id="answer-fix",
                            visible=store is not None,
                        )
                        answer_save = _save_button("answer", store)
                with gr.Tab("提取 Extract", id="extract", elem_id="tab-extract"):
                    if vlm is None:
                        gr.Markdown(NO_VLM)
                    with gr.Row():
                        schema = gr.Dropdown(
                            SCHEMA_PRESETS,
                            value="receipt",
                            label="模板 / Schema preset",
                            min_width=160,
                        )
                        extract_btn = gr.Button(
                            "提取 / Extract",
                            variant="primary",
                            elem_id="extract",
                            interactive=vlm is not None,
                            min_width=160,
                        )
                    with gr.Accordion("自定义 JSON Schema / Custom JSON Schema", open=False):
                        custom_schema = gr.Code(
                            language="json", lines=6, max_lines=16, show_label=False
                        )
                    extract_status = gr.Markdown("", elem_id="extract-status")
                    extract_out = gr.Code(
                        label="JSON 答案 / JSON answer",
                        language="json",
                        lines=8,
                        max_lines=20,
                        buttons=["copy", "download"],
                        elem_id="json-out",
                        interactive=False,
                    )
                    with gr.Accordion("✗ 提取有误？/ This extraction is wrong", open=False):
                        if store is None:
                            gr.Markdown(NO_STORE)
                        extract_fix = gr.Code(
                            label="正确的 JSON / Correct JSON",
                            language="json",
                            lines=6,
                            max_lines=16,
                            elem_id="extract-fix",
                            visible=store is not None,
                        )
                        extract_save = _save_button("extract", store)
                with gr.Tab("错例 Bad cases", id="cases", elem_id="tab-cases") as cases_tab:
                    cases_status = gr.Markdown(_store_status(store), elem_id="cases-status")
                    with gr.Row():
                        refresh = gr.Button(
                            "刷新 / Refresh",
                            size="sm",
                            elem_id="cases-refresh",
                            scale=0,
                            min_width=140,
                        )
                        export = gr.DownloadButton(
                            "导出 zip / Export zip",
                            size="sm",
                            elem_id="cases-export",
                            scale=0,
                            min_width=160,
                            visible=store is not None,
                        )
                    cases = gr.HTML(_case_table(store), elem_id="cases")

        # ---- upload -----------------------------------------------------------------------
        root = upload_root()

        async def on_upload(path: str | None, kept: dict[str, Any]) -> tuple[Any, ...]:
            cleared: tuple[Any, ...] = (None, "", [], "", "", None, "", "", None, None, "", [])
            if not path:
                return (None, f"最大 / max {io.max_bytes / 1e6:.0f} MB", 1, *cleared)
            accepted, image = await gate.run(handlers.accept_upload, path, io, root)
            info = (
                f"**{accepted.name}** · {accepted.size / 1e3:.0f} KB · "
                f"{image.shape[1]}×{image.shape[0]} px · {accepted.pages} 页 / page(s)"
            )
            history = kept.get(accepted.sha256, [])
            return (
                accepted,
                info,
                1,
                image,
                "",
                [],
                "",
                "",
                None,
                "",
                "",
                None,
                None,
                "",
                history,
            )

        upload.change(
            guard(on_upload),
            [upload, chats],
            [
                upload_state,
                file_info,
                page_no,
                original,
                read_summary,
                lines,
                text,
                result_json,
                annotated,
                read_fix,
                checks,
                evidence,
                last_read,
                extract_out,
                chatbot,
            ],
            api_name="upload",
        )

        async def on_page(accepted: handlers.Upload | None, number: float) -> Any:
            if accepted is None:
                return None
            return await gate.run(handlers.page_image, accepted, number, io, root)

        page_no.change(guard(on_page), [upload_state, page_no], [original])

        # ---- read -------------------------------------------------------------------------
        async def do_recognize(
            accepted: handlers.Upload | None,
            number: float,
            eng: str,
            pre: str,
            x: float,
            y: float,
            w: float,
            h: float,
        ) -> tuple[Any, ...]:
            region = handlers.region_from_fields(x, y, w, h)

            def work() -> dict[str, Any]:
                image = handlers.page_image(accepted, number, io, root)
                count = accepted.pages if accepted else 1
                where: dict[str, Any] = {
                    "page": min(max(int(number or 1), 1), count),
                    "page_count": count,
                    "source": accepted.name if accepted else "upload",
                }
                return {"image": image, **handlers.recognize(image, eng, pre, region, **where)}

            out = await gate.run(work)
            read = {
                "result": out["result"].model_dump(mode="json"),
                "options": {
                    "engine": eng,
                    "preprocess": pre,
                    "region": list(region) if region else None,
                },
                "page": int(number or 1),
            }
            return (
                out["image"],
                out["preprocessed"],
                out["annotated"],
                out["rows"],
                out["text"],
                out["json"],
                out["summary"],
                out["text"],
                read,
            )

        run.click(
            guard(do_recognize),
            [upload_state, page_no, engine, preprocess, rx, ry, rw, rh],
            [
                original,
                preprocessed,
                annotated,
                lines,
                text,
                result_json,
                read_summary,
                read_fix,
                last_read,
            ],
            api_name="recognize",
        )

        def on_select(pending: Any, evt: gr.SelectData) -> tuple[Any, ...]:
            point = (int(evt.index[0]), int(evt.index[1]))
            if pending is None:
                keep = gr.update()
                return (
                    point,
                    keep,
                    keep,
                    keep,
                    keep,
                    f"{handlers.region_text(None)} · 再点一角 / click the second corner",
                )
            region = handlers.region_from_clicks(tuple(pending), point)
            return None, *region, handlers.region_text(region)

        region_outputs = [corner, rx, ry, rw, rh, region_info]
        original.select(guard(on_select), [corner], region_outputs)
        clear_region.click(
            lambda: (None, 0, 0, 0, 0, handlers.region_text(None)), None, region_outputs
        )
        gr.on(
            [rx.input, ry.input, rw.input, rh.input],
            lambda x, y, w, h: handlers.region_text(handlers.region_from_fields(x, y, w, h)),
            [rx, ry, rw, rh],
            [region_info],
            show_progress="hidden",
        )

        # ---- ask & chat ---------------------------------------------------------------------
        async def do_chat(
            accepted: handlers.Upload | None,
            number: float,
            msg: str,
            history: list[dict[str, Any]] | None,
            kept: dict[str, Any],
            eng: str,
            x: float,
            y: float,
            w: float,
            h: float,
            role_text: str,
            temp: float,
            length: float,
        ) -> AsyncIterator[tuple[Any, ...]]:
            from vlocr.service.chat_stream import chat_stream

            if vlm is None:
                raise fail(InvalidOptionError(NO_VLM.replace("**", ""), ""))
            msg = (msg or "").strip()
            if not msg:
                return
            if accepted is None:
                raise InvalidOptionError(handlers.NO_FILE, "drag a file onto the upload box")
            earlier = handlers.history_messages(history)
            region = handlers.region_from_fields(x, y, w, h)
            seen: dict[str, Any] = {}

            def make_iter() -> Iterator[Any]:
                image = handlers.page_image(accepted, number, io, root)
                seen["image"] = image
                return chat_stream(
                    image,
                    earlier,
                    msg,
                    vlm=vlm,
                    ocr_engine=eng,
                    region=region,
                    role=(role_text or "").strip() or None,
                    temperature=float(temp),
                    max_new_tokens=min(int(length), token_ceiling),
                )

            turns = [*(history or []), {"role": "user", "content": msg}]
            reply = ""
            skip = gr.update()
            yield turns + [{"role": "assistant", "content": "…"}], "", kept, skip, skip, skip, skip
            async for piece in gate.stream(make_iter):
                if isinstance(piece, VlmAnswer):
                    final = turns + [{"role": "assistant", "content": piece.text or reply}]
                    kept = dict(kept)
                    kept[accepted.sha256] = final
                    while len(kept) > CHATS_KEPT:
                        kept.pop(next(iter(kept)))
                    answered = {
                        "question": msg,
                        "answer": piece.model_dump(mode="json"),
                        "options": {
                            "region": list(region) if region else None,
                            "page": int(number or 1),
                        },
                    }
                    yield (
                        final,
                        "",
                        kept,
                        handlers.evidence_image(seen["image"], piece),
                        handlers.checks_markdown(piece),
                        piece.text,
                        answered,
                    )
                    return
                reply += piece
                yield (
                    turns + [{"role": "assistant", "content": reply}],
                    "",
                    kept,
                    skip,
                    skip,
                    skip,
                    skip,
                )

        chat_inputs = [
            upload_state,
            page_no,
            message,
            chatbot,
            chats,
            engine,
            rx,
            ry,
            rw,
            rh,
            role,
            temperature,
            max_len,
        ]
        chat_outputs = [chatbot, message, chats, evidence, checks, answer_fix, last_answer]
        send.click(guard(do_chat), chat_inputs, chat_outputs)
        message.submit(guard(do_chat), chat_inputs, chat_outputs)

        def do_reset(accepted: handlers.Upload | None, kept: dict[str, Any]) -> tuple[Any, ...]:
            kept = {k: v for k, v in kept.items() if accepted is None or k != accepted.sha256}
            return [], kept, None, "", None

        reset.click(
            do_reset, [upload_state, chats], [chatbot, chats, evidence, checks, last_answer]
        )

        # ---- extract ------------------------------------------------------------------------
        async def do_extract(
            accepted: handlers.Upload | None,
            number: float,
            preset: str,
            custom: str,
            eng: str,
            x: float,
            y: float,
            w: float,
            h: float,
            role_text: str,
            temp: float,
            length: float,
        ) -> tuple[Any, ...]:
            from vlocr import service

            if vlm is None:
                raise fail(InvalidOptionError(NO_VLM.replace("**", ""), ""))
            chosen = handlers.parse_schema(preset, custom)
            region = handlers.region_from_fields(x, y, w, h)

            def work() -> Any:
                image = handlers.page_image(accepted, number, io, root)
                return service.extract(
                    image,
                    schema=chosen,
                    vlm=vlm,
                    ocr_engine=eng,
                    region=region,
                    role=(role_text or "").strip() or None,
                    temperature=float(temp),
                    max_new_tokens=min(int(length), token_ceiling),
                )

            extracted = await gate.run(work)
            data = handlers.extraction_json(extracted.data)
            if extracted.valid:
                status = "✓ 符合模板 / valid for the schema"
            else:
                status = "⚠ 未通过校验 / did not validate: " + "; ".join(
                    extracted.validation_errors[:3]
                )
            for issue in extracted.issues[:5]:
                status += f"\n- ⚠ {issue.message}"
            record = {
                "result": extracted.model_dump(mode="json"),
                "options": {
                    "schema": chosen,
                    "region": list(region) if region else None,
                    "page": int(number or 1),
                },
            }
            return data, status, data or "{}", record

        extract_btn.click(
            guard(do_extract),
            [
                upload_state,
                page_no,
                schema,
                custom_schema,
                engine,
                rx,
                ry,
                rw,
                rh,
                role,
                temperature,
                max_len,
            ],
            [extract_out, extract_status, extract_fix, last_extract],
        )

        # ---- bad cases ----------------------------------------------------------------------
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
                data = await asyncio.to_thread(handlers.upload_bytes, accepted, io, root)
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
                return _case_table(store), _store_status(store)

            return save

        read_save.click(
            guard(saver("read")),
            [upload_state, last_read, read_fix, read_note],
            [cases, cases_status],
        )
        answer_save.click(
            guard(saver("answer")), [upload_state, last_answer, answer_fix], [cases, cases_status]
        )
        extract_save.click(
            guard(saver("extract")),
            [upload_state, last_extract, extract_fix],
            [cases, cases_status],
        )

        def list_cases() -> tuple[Any, ...]:
            return _case_table(store), _store_status(store)

        refresh.click(list_cases, None, [cases, cases_status])
        # Opening the view lists what is kept now, including cases saved from another browser or
        # through the API since the page loaded.
        cases_tab.select(list_cases, None, [cases, cases_status])

        async def do_export(previous: Any) -> Any:
            if store is None:
                raise fail(InvalidOptionError(NO_STORE, ""))
            return await gate.run(_export_to_cache, store, root)

        export.click(guard(do_export), [export], [export])
    # The API's gate admits or refuses each event (503 -> a "busy" toast); Gradio's own queue only
    # needs to be bounded, not to count workers.
    page.queue(default_concurrency_limit=None, max_size=4 * (server.workers + server.queue) + 8)
    return page


def _export_to_cache(store: BadCaseStore, root: str) -> str:
    """Write the export zip where Gradio keeps its files (its cache cleanup deletes it later);
    one file per store, overwritten by the next export."""
    import hashlib
    from pathlib import Path

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
