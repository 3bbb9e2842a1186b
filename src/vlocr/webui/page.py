"""The Gradio Blocks page: upload, before/after images, annotated lines, chat with region, JSON mode.

Labels are bilingual (中文 / English). Every callback delegates to ``vlocr.webui.handlers``.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import gradio as gr  # this module is the page itself; it is imported only when the UI is built

from vlocr.config import Settings, VlmOptions
from vlocr.errors import VlocrError
from vlocr.webui import handlers

log = logging.getLogger("vlocr.webui")

PREPROCESS_CHOICES = ["none", "auto", "seed"]
SCHEMA_PRESETS = ["receipt", "invoice"]
HEADERS = ["#", "文字 / Text", "置信度 / Confidence"]
CSS = "#original img { cursor: crosshair; }"


def build_page(settings: Settings | None = None, vlm: VlmOptions | None = None) -> Any:
    """Return the ``gr.Blocks`` page; ``vlm`` None leaves the chat answering with a hint."""
    from vlocr.ocr.registry import engine_names

    settings = settings or Settings()
    io = settings.io

    def guard(fn: Any) -> Any:
        """Show typed errors as a red toast with their hint; never a traceback."""

        @functools.wraps(fn)  # gradio reads the signature (e.g. gr.SelectData) through __wrapped__
        def wrapped(*args: Any) -> Any:
            try:
                return fn(*args)
            except VlocrError as err:
                raise gr.Error(handlers.friendly(err)) from None
            except gr.Error:
                raise
            except Exception:
                log.exception("web page callback failed")
                raise gr.Error("内部错误，已记录 / internal error (logged on the server)") from None

        return wrapped

    with gr.Blocks(title="vlocr", delete_cache=(3600, 7200)) as page:
        gr.Markdown("## vlocr · 图片文字识别与问答 / Read text in images and ask about them")
        corner = gr.State(None)
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                upload = gr.File(
                    label="上传图片或 PDF（拖放或点击）/ Upload image or PDF (drop or click)",
                    file_types=["image", ".pdf"],
                    type="filepath",
                    elem_id="upload",
                )
                page_no = gr.Number(
                    1, label="页码 / Page", precision=0, minimum=1, elem_id="page-no"
                )
                engine = gr.Dropdown(
                    engine_names(), value=settings.ocr_engine, label="识别引擎 / OCR engine"
                )
                preprocess = gr.Dropdown(
                    PREPROCESS_CHOICES, value="auto", label="预处理 / Preprocessing"
                )
                gr.Markdown(
                    "**区域 / Region** — 在原图上点击两个角 / click two corners on the original image"
                )
                with gr.Row():
                    rx = gr.Number(0, label="x", precision=0, minimum=0, elem_id="region-x")
                    ry = gr.Number(0, label="y", precision=0, minimum=0, elem_id="region-y")
                    rw = gr.Number(0, label="w", precision=0, minimum=0, elem_id="region-w")
                    rh = gr.Number(0, label="h", precision=0, minimum=0, elem_id="region-h")
                clear_region = gr.Button("整页 / Whole page", size="sm")
                run = gr.Button("识别 / Recognize", variant="primary", elem_id="recognize")
            with gr.Column(scale=3):
                with gr.Row():
                    original = gr.Image(
                        label="原图 / Original", interactive=False, elem_id="original", height=360
                    )
                    preprocessed = gr.Image(
                        label="预处理后 / Preprocessed",
                        interactive=False,
                        elem_id="preprocessed",
                        height=360,
                    )
                    annotated = gr.Image(
                        label="标注结果 / Annotated",
                        interactive=False,
                        elem_id="annotated",
                        height=360,
                    )
                lines = gr.Dataframe(
                    headers=HEADERS,
                    label="识别行 / Lines",
                    interactive=False,
                    elem_id="lines",
                    wrap=True,
                )
                with gr.Row():
                    text = gr.Textbox(
                        label="识别文字 / Text", lines=6, buttons=["copy"], elem_id="ocr-text"
                    )
                    result_json = gr.Code(
                        label="结果 JSON / Result JSON",
                        language="json",
                        lines=6,
                        elem_id="ocr-json",
                    )
                download = gr.File(
                    label="下载 / Download (JSON)", interactive=False, elem_id="download"
                )
        gr.Markdown(
            "### 对话 / Chat"
            + ("" if vlm else " — 未配置模型 / no model configured (start with --vlm)")
        )
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="关于这张图的对话 / Conversation about this image",
                    elem_id="chat",
                    height=320,
                )
                message = gr.Textbox(
                    label="提问 / Question",
                    placeholder="例如：合计多少钱？ / e.g. What is the total?",
                    elem_id="chat-input",
                )
                with gr.Row():
                    send = gr.Button("发送 / Send", variant="primary", elem_id="chat-send")
                    reset = gr.Button("清空对话 / Clear chat", elem_id="chat-clear")
            with gr.Column(scale=2):
                role = gr.Textbox(
                    label="角色提示 / Role prompt",
                    placeholder="你是一名会计 / You are an accountant",
                    lines=2,
                )
                temperature = gr.Slider(0.0, 1.5, value=0.0, step=0.05, label="温度 / Temperature")
                cap = (vlm or settings.vlm).max_new_tokens  # the API's ceiling, not more
                max_len = gr.Slider(
                    1,
                    cap,
                    value=min(256, cap),
                    step=1,
                    label="最大长度 / Max new tokens",
                )
                json_mode = gr.Checkbox(False, label="JSON 模式 / JSON mode", elem_id="json-mode")
                schema = gr.Dropdown(
                    SCHEMA_PRESETS, value="receipt", label="JSON 模板 / Schema preset"
                )
                json_out = gr.Code(
                    label="JSON 答案 / JSON answer",
                    language="json",
                    lines=8,
                    buttons=["copy"],
                    elem_id="json-out",
                )

        def show_upload(path: str | None) -> tuple[Any, ...]:
            if not path:
                return None, None, None, [], "", "", None, 0, 0, 0, 0, None
            image = handlers.load_page(path, 1, io)
            return image, None, None, [], "", "", None, 0, 0, 0, 0, None

        upload.change(
            guard(show_upload),
            [upload],
            [
                original,
                preprocessed,
                annotated,
                lines,
                text,
                result_json,
                download,
                rx,
                ry,
                rw,
                rh,
                corner,
            ],
        )

        def do_recognize(
            path: str | None,
            page: float,
            eng: str,
            pre: str,
            x: float,
            y: float,
            w: float,
            h: float,
        ) -> tuple[Any, ...]:
            out = handlers.recognize(
                path, page, eng, pre, handlers.region_from_fields(x, y, w, h), io
            )
            return (
                out["original"],
                out["preprocessed"],
                out["annotated"],
                out["rows"],
                out["text"],
                out["json"],
                out["download"],
            )

        run.click(
            guard(do_recognize),
            [upload, page_no, engine, preprocess, rx, ry, rw, rh],
            [original, preprocessed, annotated, lines, text, result_json, download],
        )

        def on_select(pending: Any, evt: gr.SelectData) -> tuple[Any, ...]:
            point = (int(evt.index[0]), int(evt.index[1]))
            if pending is None:
                return point, gr.update(), gr.update(), gr.update(), gr.update()
            x, y, w, h = handlers.region_from_clicks(tuple(pending), point)
            return None, x, y, w, h

        original.select(guard(on_select), [corner], [corner, rx, ry, rw, rh])
        clear_region.click(lambda: (None, 0, 0, 0, 0), None, [corner, rx, ry, rw, rh])

        def do_chat(
            path: str | None,
            page: float,
            msg: str,
            history: list[dict[str, Any]],
            x: float,
            y: float,
            w: float,
            h: float,
            role_text: str,
            temp: float,
            length: float,
            as_json: bool,
            preset: str,
        ) -> tuple[Any, ...]:
            new_history, json_text = handlers.chat_turn(
                path,
                page,
                msg,
                history,
                vlm=vlm,
                region=handlers.region_from_fields(x, y, w, h),
                role=role_text,
                temperature=temp,
                max_new_tokens=int(length),
                json_mode=as_json,
                schema=preset,
                io=io,
            )
            return new_history, "", json_text

        chat_inputs = [
            upload,
            page_no,
            message,
            chatbot,
            rx,
            ry,
            rw,
            rh,
            role,
            temperature,
            max_len,
            json_mode,
            schema,
        ]
        send.click(guard(do_chat), chat_inputs, [chatbot, message, json_out])
        message.submit(guard(do_chat), chat_inputs, [chatbot, message, json_out])
        reset.click(lambda: ([], ""), None, [chatbot, json_out])
    page.queue(default_concurrency_limit=max(1, settings.server.workers))
    return page
