"""The Gradio page: one upload and one options sidebar shared by four tabs (read, ask & chat,
extract, bad cases), each built by its own module (``tab_read``, ``tab_ask``, ``tab_extract``,
``tab_cases``).

Labels are bilingual (中文 / English). Callbacks delegate to ``vlocr.webui.handlers`` and run
their work through the shared concurrency gate (``vlocr.service.gate``), so the page and the
REST API share one set of workers and one queue. The Read controls are the fields of
``vlocr.service.requests.ReadRequest`` (``READ_CONTROLS``), the request ``vlocr read`` builds;
the Ask and Extract controls those of ``vlocr.service.task_requests`` (``TASK_CONTROLS``).
"""

from __future__ import annotations

from typing import Any

import gradio as gr  # this module is the page itself; it is imported only when the UI is built

from vlocr.badcases import BadCaseStore
from vlocr.config import Settings, VlmOptions, load_settings
from vlocr.webui import handlers
from vlocr.webui.common import (  # noqa: F401 - accept_only_uploads/upload_root: public names
    NO_STORE,
    NO_VLM,
    PageContext,
    accept_only_uploads,
    guard,
    upload_root,
)

PREPROCESS_CHOICES = ["none", "auto", "seed"]
#: Each ``ReadRequest`` field -> the ``elem_id`` of the widget the page sets it from (a test
#: checks every field has one and that it is on the page).
READ_CONTROLS = {
    "engine": "engine",
    "lang": "lang",
    "preprocess": "preprocess",
    "region": "region-x",
    "force_ocr": "force-ocr",
    "pdf_dpi": "pdf-dpi",
    "page": "page-no",
    "format": "read-format",
    "return_preprocessed": "preprocessed",
    "return_annotated": "annotated",
}
#: Each field of the VLM tasks' requests (``service/task_requests.py``: ``AskRequest``,
#: ``ChatRequest``, ``ExtractRequest``, by their JSON names) -> the ``elem_id`` of the widget the
#: Ask or Extract tab sets it from; ``TASK_EXEMPT`` says why a field has none (a test checks).
TASK_CONTROLS = {
    "page": "page-no",
    "region": "region-x",
    "preprocess": "preprocess",
    "force_ocr": "force-ocr",
    "ocr_engine": "engine",
    "lang": "lang",  # the sidebar's languages, as for a read
    "ocr_hints": "ocr-hints",
    "check_numbers": "check-numbers",
    "cross_check": "cross-check",
    "role": "role",
    "temperature": "temperature",
    "top_p": "top-p",
    "max_new_tokens": "max-new-tokens",
    "question": "chat-input",  # a fresh question is ask
    "focus": "focus",
    "message": "chat-input",  # a follow-up is a chat turn
    "history": "chat",
    "schema": "extract-schema",
    "engine": "extract-engine",
    "max_attempts": "extract-attempts",
}
TASK_EXEMPT = {"stream": "the page always streams the answer as it is written"}
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


def build_page(
    settings: Settings | None = None,
    vlm: VlmOptions | None = None,
    *,
    gate: Any = None,
    bad_cases: BadCaseStore | None = None,
) -> Any:
    """Return the ``gr.Blocks`` page. ``vlm`` None: Read and the OCR extractor work, Ask says how
    to enable a model.

    ``gate`` is the server's ``Gate``; without one (the page alone) a private gate with the
    settings' workers and queue is made.
    """
    from vlocr.service.gate import Gate
    from vlocr.webui.tab_ask import build_ask_tab
    from vlocr.webui.tab_cases import build_cases_tab
    from vlocr.webui.tab_extract import build_extract_tab
    from vlocr.webui.tab_read import build_read_tab

    settings = settings or load_settings()
    server = settings.server
    gate = gate or Gate(server.workers, server.queue, server.request_timeout_s)
    ctx = PageContext(settings=settings, vlm=vlm, gate=gate, store=bad_cases, root=upload_root())

    with gr.Blocks(
        title="vlocr", delete_cache=(600, 3600), analytics_enabled=False, fill_width=False
    ) as page:
        gr.Markdown(
            "## vlocr · 图片文字识别与问答\n"
            "上传一张图片或 PDF，然后在下面的页签中识别、提问、提取 JSON。 / "
            "Upload an image or PDF, then read it, ask about it or extract fields in the tabs.",
            elem_id="vlocr-title",
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=260):
                upload = _sidebar(ctx)
            with gr.Column(scale=4, min_width=300), gr.Tabs(elem_id="views"):
                read = build_read_tab(ctx)
                ask = build_ask_tab(ctx)
                extract = build_extract_tab(ctx, ask)
                build_cases_tab(ctx)
        _wire_upload(ctx, upload, read, ask, extract)
        _wire_region(ctx, read.original)
    # The gate admits or refuses each event (503 -> a "busy" toast); Gradio's own queue only
    # needs to be bounded, not to count workers.
    page.queue(default_concurrency_limit=None, max_size=4 * (server.workers + server.queue) + 8)
    return page


def _sidebar(ctx: PageContext) -> Any:
    """The upload, the page number and the read options every tab uses; returns the upload."""
    from vlocr.ocr.languages import TESSERACT_PACKS
    from vlocr.ocr.registry import engine_names

    io, w = ctx.io, ctx.widgets
    w["upload_state"] = gr.State(None)  # handlers.Upload, server side only
    w["corner"] = gr.State(None)
    w["chats"] = gr.State({})  # sha256 -> chat history, so each image keeps its conversation
    upload = accept_only_uploads(
        gr.File(
            label="上传图片或 PDF / Upload image or PDF",
            file_types=["image", ".pdf"],
            type="filepath",
            elem_id="upload",
            height=150,
        )
    )
    w["file_info"] = gr.Markdown(
        f"最大 / max {io.max_bytes / 1e6:.0f} MB, {io.max_pixels / 1e6:.0f} MP",
        elem_id="file-info",
    )
    w["page_no"] = gr.Number(1, label="页码 / Page", precision=0, minimum=1, elem_id="page-no")
    w["region_info"] = gr.Markdown(handlers.region_text(None), elem_id="region-info")
    with gr.Accordion("选项与区域 / Options and region", open=False):
        w["engine"] = gr.Dropdown(
            [handlers.AUTO_ENGINE, *engine_names()],
            value=handlers.AUTO_ENGINE,
            label=f"识别引擎 / OCR engine (auto: {ctx.settings.ocr_engine}, or Tesseract for "
            "languages only it reads)",
            elem_id="engine",
        )
        w["lang"] = gr.Dropdown(
            sorted(TESSERACT_PACKS),
            value=[],
            multiselect=True,
            label="语言 / Languages (empty: the engine's; ja, ko, ru, ... go to Tesseract)",
            elem_id="lang",
        )
        w["preprocess"] = gr.Dropdown(
            PREPROCESS_CHOICES, value="auto", label="预处理 / Preprocessing", elem_id="preprocess"
        )
        with gr.Row():
            w["force_ocr"] = gr.Checkbox(
                False,
                label="PDF 也做 OCR / OCR digital PDF pages (ignore the text layer)",
                elem_id="force-ocr",
            )
            w["pdf_dpi"] = gr.Number(
                io.pdf_dpi,
                label="PDF dpi",
                precision=0,
                minimum=36,
                maximum=600,
                elem_id="pdf-dpi",
                min_width=80,
            )
        gr.Markdown(
            "**区域 / Region**：在“识别”页的原图上点击两个角 / "
            "click two corners on the original image (Read tab)"
        )
        with gr.Row():
            for name in ("x", "y", "w", "h"):
                w[f"r{name}"] = gr.Number(
                    0,
                    label=name,
                    precision=0,
                    minimum=0,
                    elem_id=f"region-{name}",
                    min_width=60,
                )
        w["clear_region"] = gr.Button("整页 / Whole page", size="sm")
    return upload


def _wire_upload(ctx: PageContext, upload: Any, read: Any, ask: Any, extract: Any) -> None:
    """A new upload shows its first page and clears every tab's last result."""
    io, w = ctx.io, ctx.widgets

    async def on_upload(path: str | None, kept: dict[str, Any]) -> tuple[Any, ...]:
        cleared: tuple[Any, ...] = (None, "", [], "", "", None, "", "", None, None, "", [])
        if not path:
            return (None, f"最大 / max {io.max_bytes / 1e6:.0f} MB", 1, *cleared)
        accepted, image = await ctx.gate.run(handlers.accept_upload, path, io, ctx.root)
        info = (
            f"**{accepted.name}** · {accepted.size / 1e3:.0f} KB · "
            f"{image.shape[1]}×{image.shape[0]} px · {accepted.pages} 页 / page(s)"
        )
        history = kept.get(accepted.sha256, [])
        return (accepted, info, 1, image, "", [], "", "", None, "", "", None, None, "", history)

    upload.change(
        guard(on_upload),
        [upload, w["chats"]],
        [
            w["upload_state"],
            w["file_info"],
            w["page_no"],
            read.original,
            read.summary,
            read.lines,
            read.text,
            read.result_json,
            read.annotated,
            read.fix,
            ask.checks,
            ask.evidence,
            read.last,
            extract.out,
            ask.chatbot,
        ],
        api_name="upload",
    )

    async def on_page(accepted: handlers.Upload | None, number: float) -> Any:
        if accepted is None:
            return None
        return await ctx.gate.run(handlers.page_image, accepted, number, io, ctx.root)

    w["page_no"].change(guard(on_page), [w["upload_state"], w["page_no"]], [read.original])


def _wire_region(ctx: PageContext, original: Any) -> None:
    """Two clicks on the original image, the x/y/w/h boxes or "whole page" set the region."""
    w = ctx.widgets

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

    region_outputs = [w["corner"], *ctx.w("rx", "ry", "rw", "rh"), w["region_info"]]
    original.select(guard(on_select), [w["corner"]], region_outputs)
    w["clear_region"].click(
        lambda: (None, 0, 0, 0, 0, handlers.region_text(None)), None, region_outputs
    )
    gr.on(
        [w["rx"].input, w["ry"].input, w["rw"].input, w["rh"].input],
        lambda x, y, w_, h: handlers.region_text(handlers.region_from_fields(x, y, w_, h)),
        ctx.w("rx", "ry", "rw", "rh"),
        [w["region_info"]],
        show_progress="hidden",
    )
