"""The Read tab: one ``ReadRequest`` from the sidebar's widgets, read through the service's page
loop as ``vlocr read`` and ``POST /v1/ocr`` read it (lang, force_ocr, the PDF text layer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from vlocr.config import get_settings
from vlocr.service.requests import OutputFormat
from vlocr.webui import handlers
from vlocr.webui.common import IMAGE_HEIGHT, NO_STORE, PageContext, guard, save_button

HEADERS = ["#", "文字 / Text", "置信度 / Conf."]
FORMATS = [f.value for f in OutputFormat]


@dataclass
class ReadTab:
    original: Any
    annotated: Any
    preprocessed: Any
    lines: Any
    text: Any
    result_json: Any
    summary: Any
    fix: Any
    last: Any
    download: Any


def build_read_tab(ctx: PageContext) -> ReadTab:
    """The widgets and the Recognize event; call inside the page's ``gr.Tabs``."""
    with gr.Tab("识别 Read", id="read", elem_id="tab-read"):
        last = gr.State(None)
        with gr.Row():
            run = gr.Button(
                "识别 / Recognize", variant="primary", elem_id="recognize", scale=0, min_width=200
            )
            summary = gr.Markdown("", elem_id="read-summary")
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
                show_label=False, interactive=False, elem_id="preprocessed", height=IMAGE_HEIGHT
            )
        with gr.Accordion(
            "结果 JSON（含每行坐标，可下载）/ Result JSON (boxes; download)", open=False
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
        with gr.Accordion("下载 / Download (markdown, hOCR, ALTO, PDF)", open=False), gr.Row():
            out_format = gr.Dropdown(
                FORMATS, value="text", label="格式 / Format", elem_id="read-format"
            )
            download = gr.File(
                label="文件 / File", interactive=False, elem_id="read-download", height=80
            )
        with gr.Accordion("✗ 结果有误？/ This is wrong", open=False, elem_id="read-wrong"):
            if ctx.store is None:
                gr.Markdown(NO_STORE)
            fix = gr.Textbox(
                label="正确的文字（在识别结果上修改）/ Correct text (edit the result)",
                lines=4,
                max_lines=10,
                elem_id="read-fix",
                visible=ctx.store is not None,
            )
            note = gr.Textbox(
                label="备注 / Note (optional)", elem_id="read-note", visible=ctx.store is not None
            )
            save = save_button("read", ctx.store)

    async def do_recognize(
        accepted: handlers.Upload | None,
        number: float,
        engine: str,
        lang: list[str] | str | None,
        pre: str,
        force_ocr: bool,
        pdf_dpi: float | None,
        x: float,
        y: float,
        w: float,
        h: float,
        fmt: str,
    ) -> tuple[Any, ...]:
        region = handlers.region_from_fields(x, y, w, h)
        langs = ",".join(lang) if isinstance(lang, list) else lang
        request = handlers.read_request(
            engine, langs, pre, force_ocr, region, number, pdf_dpi, fmt or "text"
        )

        def work() -> dict[str, Any]:
            page = handlers.load_page(accepted, number, ctx.io, ctx.root, pdf_dpi=request.pdf_dpi)
            out = handlers.recognize_page(page, request, ctx.io)
            out["file"] = handlers.export_read(
                out["result"],
                handlers.upload_bytes(accepted, ctx.io, ctx.root),
                fmt,
                ctx.root,
                pdf_dpi=request.pdf_dpi or get_settings().io.pdf_dpi,
                force_ocr=request.force_ocr,
            )
            return {"image": page.image, **out}

        out = await ctx.gate.run(work)
        read = {
            "result": out["result"].model_dump(mode="json"),
            "options": request.model_dump(
                mode="json", exclude={"format", "return_preprocessed", "return_annotated"}
            ),
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
            out["file"],
        )

    run.click(
        guard(do_recognize),
        [
            ctx.widgets["upload_state"],
            *ctx.w("page_no", "engine", "lang", "preprocess", "force_ocr", "pdf_dpi"),
            *ctx.w("rx", "ry", "rw", "rh"),
            out_format,
        ],
        [
            original,
            preprocessed,
            annotated,
            lines,
            text,
            result_json,
            summary,
            fix,
            last,
            download,
        ],
        api_name="recognize",
    )
    ctx.savers.append(("read", save, [ctx.widgets["upload_state"], last, fix, note]))
    return ReadTab(
        original=original,
        annotated=annotated,
        preprocessed=preprocessed,
        lines=lines,
        text=text,
        result_json=result_json,
        summary=summary,
        fix=fix,
        last=last,
        download=download,
    )
