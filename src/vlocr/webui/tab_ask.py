"""The Ask & chat tab: a conversation about the current page, streamed from the VLM.

A fresh question is ``ask`` (``AskRequest``: the answer's number checks, the field cross-check and
the focus crop, as ``vlocr ask`` and ``POST /v1/ask``); each follow-up is a ``chat`` turn
(``ChatRequest``) over the conversation so far. "Clear chat" starts with a fresh question again.
The options accordion holds the task options the Extract tab shares (``page.TASK_CONTROLS``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from vlocr.errors import InvalidOptionError
from vlocr.results import VlmAnswer
from vlocr.webui import handlers
from vlocr.webui.common import (
    IMAGE_HEIGHT,
    NO_STORE,
    NO_VLM,
    PageContext,
    fail,
    guard,
    no_vlm_error,
    save_button,
    token_slider,
)

CHATS_KEPT = 16


FOCUS_CHOICES = ["auto", "lines", "page"]


@dataclass
class AskTab:
    chatbot: Any
    evidence: Any
    checks: Any
    #: the task options shared with the Extract tab, in ``handlers.task_options``' order after
    #: the sidebar's (the sidebar's languages, hints, checks, cross-check, role, temperature,
    #: top_p, max)
    lang: Any
    ocr_hints: Any
    check_numbers: Any
    cross_check: Any
    role: Any
    temperature: Any
    top_p: Any
    max_len: Any
    focus: Any

    def shared(self) -> list[Any]:
        """The option widgets both tabs pass, in their callbacks' order."""
        return [
            self.lang,
            self.ocr_hints,
            self.check_numbers,
            self.cross_check,
            self.role,
            self.temperature,
            self.top_p,
            self.max_len,
        ]


def build_ask_tab(ctx: PageContext) -> AskTab:
    vlm = ctx.vlm
    chats = ctx.widgets["chats"]
    with gr.Tab("问答 Ask", id="ask", elem_id="tab-ask"):
        last_answer = gr.State(None)
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
        with gr.Accordion("问答与提取选项 / Ask and extract options", open=False):
            with gr.Row():
                role = gr.Textbox(
                    label="角色提示 / Role prompt",
                    placeholder="你是一名会计 / You are an accountant",
                    elem_id="role",
                    min_width=200,
                )
                focus = gr.Dropdown(
                    FOCUS_CHOICES,
                    value="auto",
                    label="聚焦 / Focus (with OCR hints: the rows the question names)",
                    elem_id="focus",
                    min_width=160,
                )
            with gr.Row():
                ocr_hints = gr.Checkbox(
                    False, label="OCR 提示 / OCR hints in the prompt", elem_id="ocr-hints"
                )
                check_numbers = gr.Checkbox(
                    True,
                    label="核对数字 / Check numbers against OCR",
                    elem_id="check-numbers",
                )
                cross_check = gr.Checkbox(
                    True,
                    label="字段复核 / Re-ask a disagreeing field on a zoom",
                    elem_id="cross-check",
                )
            with gr.Row():
                temperature = gr.Slider(
                    0.0,
                    1.5,
                    value=0.0,
                    step=0.05,
                    label="温度 / Temperature",
                    elem_id="temperature",
                    min_width=200,
                )
                top_p = gr.Slider(
                    0.05, 1.0, value=1.0, step=0.05, label="Top-p", elem_id="top-p", min_width=200
                )
                max_len = gr.Slider(
                    **token_slider(ctx.token_ceiling),
                    label="最大长度 / Max new tokens",
                    elem_id="max-new-tokens",
                    min_width=200,
                )
        with gr.Accordion("✗ 回答有误？/ This answer is wrong", open=False):
            if ctx.store is None:
                gr.Markdown(NO_STORE)
            answer_fix = gr.Textbox(
                label="正确答案 / Correct answer",
                elem_id="answer-fix",
                visible=ctx.store is not None,
            )
            answer_save = save_button("answer", ctx.store)

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
        focus_how: str,
    ) -> AsyncIterator[tuple[Any, ...]]:
        from vlocr.service.asking import ask_stream
        from vlocr.service.chatting import chat_turn
        from vlocr.service.task_requests import AskRequest, ChatRequest

        if vlm is None:
            raise fail(no_vlm_error())
        msg = (msg or "").strip()
        if not msg:
            return
        if accepted is None:
            raise InvalidOptionError(handlers.NO_FILE, "drag a file onto the upload box")
        earlier = handlers.history_messages(history)
        region = handlers.region_from_fields(x, y, w, h)
        options = handlers.task_options(
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
        )
        request: AskRequest | ChatRequest
        if earlier:  # a follow-up: one more chat turn over the conversation
            request = ChatRequest.from_options(message=msg, history=earlier, stream=True, **options)
        else:  # a fresh question: ask, with its checks, cross-check and focus
            request = AskRequest.from_options(
                question=msg, focus=focus_how, cross_check=cross, stream=True, **options
            )
        seen: dict[str, Any] = {}

        def make_iter() -> Iterator[Any]:
            data = handlers.upload_bytes(accepted, ctx.io, ctx.root)
            seen["image"] = handlers.page_image(accepted, request.page, ctx.io, ctx.root)
            if isinstance(request, AskRequest):
                return ask_stream(data, request, vlm=vlm, io_options=ctx.io)
            return chat_turn(data, request, vlm=vlm, io_options=ctx.io)

        turns = [*(history or []), {"role": "user", "content": msg}]
        reply = ""
        skip = gr.update()
        yield turns + [{"role": "assistant", "content": "…"}], "", kept, skip, skip, skip, skip
        async for piece in ctx.gate.stream(make_iter):
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
                        "task": "chat" if earlier else "ask",
                        "region": list(region) if region else None,
                        "page": request.page,
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

    tab = AskTab(
        chatbot=chatbot,
        evidence=evidence,
        checks=checks,
        lang=ctx.widgets["lang"],
        ocr_hints=ocr_hints,
        check_numbers=check_numbers,
        cross_check=cross_check,
        role=role,
        temperature=temperature,
        top_p=top_p,
        max_len=max_len,
        focus=focus,
    )
    chat_inputs = [
        ctx.widgets["upload_state"],
        ctx.widgets["page_no"],
        message,
        chatbot,
        chats,
        ctx.widgets["engine"],
        *ctx.w("rx", "ry", "rw", "rh", "preprocess", "force_ocr"),
        *tab.shared(),
        focus,
    ]
    chat_outputs = [chatbot, message, chats, evidence, checks, answer_fix, last_answer]
    send.click(guard(do_chat), chat_inputs, chat_outputs)
    message.submit(guard(do_chat), chat_inputs, chat_outputs)

    def do_reset(accepted: handlers.Upload | None, kept: dict[str, Any]) -> tuple[Any, ...]:
        kept = {k: v for k, v in kept.items() if accepted is None or k != accepted.sha256}
        return [], kept, None, "", None

    reset.click(
        do_reset,
        [ctx.widgets["upload_state"], chats],
        [chatbot, chats, evidence, checks, last_answer],
    )
    ctx.savers.append(
        ("answer", answer_save, [ctx.widgets["upload_state"], last_answer, answer_fix])
    )
    return tab
