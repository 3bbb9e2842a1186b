"""The Extract tab: fields as JSON, from the VLM or, as ``vlocr extract --engine ocr``, from OCR
lines and layout alone (works without a model)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from vlocr.webui import handlers
from vlocr.webui.common import NO_STORE, PageContext, fail, guard, no_vlm_error, save_button
from vlocr.webui.tab_ask import AskTab

SCHEMA_PRESETS = ["receipt", "invoice"]
EXTRACT_ENGINES = ["vlm", "ocr"]
NO_VLM_EXTRACT = (
    "未配置视觉语言模型：用 OCR 字段提取（收据、发票）。/ No vision-language model: fields come "
    "from OCR lines and layout (receipt, invoice), as `vlocr extract --engine ocr`."
)


@dataclass
class ExtractTab:
    out: Any
    status: Any


def build_extract_tab(ctx: PageContext, ask: AskTab) -> ExtractTab:
    vlm = ctx.vlm
    with gr.Tab("提取 Extract", id="extract", elem_id="tab-extract"):
        last_extract = gr.State(None)
        if vlm is None:
            gr.Markdown(NO_VLM_EXTRACT, elem_id="extract-no-vlm")
        with gr.Row():
            schema = gr.Dropdown(
                SCHEMA_PRESETS,
                value="receipt",
                label="模板 / Schema preset",
                elem_id="extract-schema",
                min_width=160,
            )
            engine = gr.Radio(
                EXTRACT_ENGINES,
                value="vlm" if vlm is not None else "ocr",
                label="提取引擎 / Extract engine (vlm: the model; ocr: rules over OCR lines)",
                elem_id="extract-engine",
                min_width=200,
            )
            attempts = gr.Slider(
                1,
                10,
                value=3,
                step=1,
                label="最多尝试 / Attempts (vlm: re-ask with the errors)",
                elem_id="extract-attempts",
                min_width=160,
            )
            extract_btn = gr.Button(
                "提取 / Extract", variant="primary", elem_id="extract", min_width=160
            )
        with gr.Accordion("自定义 JSON Schema / Custom JSON Schema (vlm)", open=False):
            custom_schema = gr.Code(language="json", lines=6, max_lines=16, show_label=False)
        status = gr.Markdown("", elem_id="extract-status")
        out = gr.Code(
            label="JSON 答案 / JSON answer",
            language="json",
            lines=8,
            max_lines=20,
            buttons=["copy", "download"],
            elem_id="json-out",
            interactive=False,
        )
        with gr.Accordion("✗ 提取有误？/ This extraction is wrong", open=False):
            if ctx.store is None:
                gr.Markdown(NO_STORE)
            extract_fix = gr.Code(
                label="正确的 JSON / Correct JSON",
                language="json",
                lines=6,
                max_lines=16,
                elem_id="extract-fix",
                visible=ctx.store is not None,
            )
            extract_save = save_button("extract", ctx.store)

    async def do_extract(
        accepted: handlers.Upload | None,
        number: float,
        preset: str,
        custom: str,
        how: str,
        tries: float,
        eng: str,
        x: float,
        y: float,
        w: float,
        h: float,
        preprocess: str,
        force_ocr: bool,
        lang: list[str] | str | None,
        hints: bool,
        checks_on: bool,
        cross: bool,
        role_text: str,
        temp: float,
        top: float,
        length: float,
    ) -> tuple[Any, ...]:
        from vlocr import service
        from vlocr.service.task_requests import ExtractRequest

        if how != "ocr" and vlm is None:
            raise fail(no_vlm_error())
        chosen = handlers.parse_schema(preset, custom)
        region = handlers.region_from_fields(x, y, w, h)
        request = ExtractRequest.from_options(
            schema=chosen,
            engine=how,
            max_attempts=int(tries or 3),
            cross_check=cross,
            **handlers.task_options(
                accepted,
                number,
                region,
                preprocess,
                force_ocr,
                eng,
                lang,
                hints,
                checks_on,
                role_text,
                temp,
                top,
                min(int(length), ctx.token_ceiling),
            ),
        )

        def work() -> Any:
            data = handlers.upload_bytes(accepted, ctx.io, ctx.root)
            return service.extract(data, request=request, vlm=vlm, io_options=ctx.io)

        extracted = await ctx.gate.run(work)
        data = handlers.extraction_json(extracted.data)
        if extracted.valid:
            text = "✓ 符合模板 / valid for the schema"
        else:
            text = "⚠ 未通过校验 / did not validate: " + "; ".join(extracted.validation_errors[:3])
        for issue in extracted.issues[:5]:
            text += f"\n- ⚠ {issue.message}"
        record = {
            "result": extracted.model_dump(mode="json"),
            "options": {
                "schema": chosen,
                "engine": how,
                "region": list(region) if region else None,
                "page": request.page,
            },
        }
        return data, text, data or "{}", record

    extract_btn.click(
        guard(do_extract),
        [
            ctx.widgets["upload_state"],
            ctx.widgets["page_no"],
            schema,
            custom_schema,
            engine,
            attempts,
            ctx.widgets["engine"],
            *ctx.w("rx", "ry", "rw", "rh", "preprocess", "force_ocr"),
            *ask.shared(),
        ],
        [out, status, extract_fix, last_extract],
        api_name="extract",
    )
    ctx.savers.append(
        ("extract", extract_save, [ctx.widgets["upload_state"], last_extract, extract_fix])
    )
    return ExtractTab(out=out, status=status)
