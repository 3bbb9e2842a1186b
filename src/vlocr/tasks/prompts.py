"""Versioned prompt templates for the VLM tasks, in English and Chinese.

Each task has a ``PROMPT_VERSION``; bump it whenever wording changes so benchmark results and
answers (``VlmAnswer.prompt_version``) can be traced to the exact prompt. Builders return
OpenAI-like messages with an ``{"type": "image"}`` placeholder in the first user turn.
"""

from __future__ import annotations

import json
import re
from typing import Any

from vlocr.errors import InvalidOptionError
from vlocr.results import ChatMessage

PROMPT_VERSIONS: dict[str, str] = {
    "transcribe": "transcribe-2",
    "ask": "ask-1",
    "chat": "chat-1",
    "extract": "extract-1",
    "json_mode": "json-mode-1",
}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")

SYSTEM = {
    "en": (
        "You read images of documents, receipts, forms and screens carefully. Answer from what is "
        "visible in the image. Copy names, numbers, amounts and dates exactly as printed. If the "
        "image does not show the answer, say so instead of guessing."
    ),
    "zh": "你是一名仔细的图片阅读助手。只根据图片中可见的内容回答;姓名、数字、金额和日期须与图中完全一致;图中没有的信息请直接说明,不要猜测。",
}

TRANSCRIBE = {
    (
        "en",
        False,
    ): "Transcribe all text in the image. Write it line by line, keeping the original order. Output only the text in the image, without explanations.",
    (
        "zh",
        False,
    ): "请识别并提取图中所有文字内容。要求:分行显示,保留原始顺序。只输出图中的文字,不要解释。",
    ("en", True): (
        "Read all text in the image and reply strictly in this format:\n"
        "【识别文字】:\n<every visible line of text, one per line, in the original order>\n"
        "【位置信息】:\n<where each group of text is, e.g. title at the top, signature bottom-left>"
    ),
    ("zh", True): (
        "请识别图中所有文字,并严格按以下格式返回结果:\n"
        "【识别文字】:\n<逐行列出图片中所有可见文字,保留原始顺序>\n"
        "【位置信息】:\n<说明文字所在区域,如顶部标题、左下角签名等>"
    ),
}

HINTS_INTRO = {
    "en": "An OCR engine read these lines from the image (they may contain errors; trust the image when they disagree):",
    "zh": "OCR 引擎从图中识别出以下文字行(可能有错误,与图片不一致时以图片为准):",
}

EXTRACT = {
    "en": (
        "Extract the fields of this {name} as one JSON object that matches this JSON Schema:\n"
        "```json\n{schema}\n```\n"
        "Rules: output only the JSON object, no explanations; use null for fields that are not visible; "
        "write amounts as plain numbers (no currency symbols, no thousands separators); "
        "write dates as YYYY-MM-DD; copy names and numbers exactly as printed."
    ),
    "zh": (
        "请提取这张{name}中的字段,输出一个符合以下 JSON Schema 的 JSON 对象:\n"
        "```json\n{schema}\n```\n"
        "要求:只输出 JSON 对象,不要解释;图中没有的字段填 null;金额写成纯数字(不带货币符号和千位分隔符);"
        "日期写成 YYYY-MM-DD;名称和号码与图中完全一致。"
    ),
}

FIX_JSON = {
    "en": "Your reply is not valid for the schema:\n{errors}\nReply again with only the corrected JSON object.",
    "zh": "你的回复不符合 Schema:\n{errors}\n请只输出修正后的 JSON 对象。",
}


def detect_lang(text: str | None, default: str = "en") -> str:
    """``zh`` when the text holds CJK characters, else ``default``."""
    if text and _CJK.search(text):
        return "zh"
    return default


def resolve_lang(lang: str | None, text: str | None = None) -> str:
    if lang in (None, "", "auto"):
        return detect_lang(text)
    if lang not in ("en", "zh"):
        raise InvalidOptionError(f"unknown prompt language '{lang}'", "use en, zh or auto")
    return lang


def _system(role: str | None, lang: str) -> dict[str, Any]:
    """The role prompt (``--role``) replaces the default system prompt; it does not stack."""
    return {"role": "system", "content": role.strip() if role and role.strip() else SYSTEM[lang]}


def _with_hints(text: str, hints: str | None, lang: str) -> str:
    if not hints:
        return text
    return f"{HINTS_INTRO[lang]}\n{hints}\n\n{text}"


def _user_with_image(text: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": text}]}


def transcribe_messages(
    *, structured: bool = False, lang: str = "en", role: str | None = None, hints: str | None = None
) -> list[dict[str, Any]]:
    return [
        _system(role, lang),
        _user_with_image(_with_hints(TRANSCRIBE[(lang, structured)], hints, lang)),
    ]


def ask_messages(
    question: str, *, lang: str = "en", role: str | None = None, hints: str | None = None
) -> list[dict[str, Any]]:
    if not question or not question.strip():
        raise InvalidOptionError(
            "the question is empty", 'pass a question, e.g. "What is the total?"'
        )
    return [_system(role, lang), _user_with_image(_with_hints(question.strip(), hints, lang))]


def chat_messages(
    history: list[ChatMessage],
    message: str,
    *,
    lang: str = "en",
    role: str | None = None,
    hints: str | None = None,
) -> list[dict[str, Any]]:
    """Multi-turn: the image (and OCR hints) stay in the first user turn, later turns are text."""
    if not message or not message.strip():
        raise InvalidOptionError("the chat message is empty", "type a question")
    turns = [m for m in history if m.role in ("user", "assistant") and m.content is not None]
    turns.append(ChatMessage(role="user", content=message.strip()))
    while turns and turns[0].role != "user":
        turns.pop(0)  # a conversation must open with the user turn that carries the image
    messages = [_system(role, lang)]
    for i, turn in enumerate(turns):
        if i == 0:
            messages.append(_user_with_image(_with_hints(turn.content, hints, lang)))
        else:
            messages.append({"role": turn.role, "content": turn.content})
    return messages


def extract_messages(
    schema: dict[str, Any],
    name: str,
    *,
    lang: str = "en",
    role: str | None = None,
    hints: str | None = None,
) -> list[dict[str, Any]]:
    label = {"receipt": "收据/小票", "invoice": "发票"}.get(name, name) if lang == "zh" else name
    text = EXTRACT[lang].format(
        name=label, schema=json.dumps(compact_schema(schema), ensure_ascii=False, indent=1)
    )
    return [_system(role, lang), _user_with_image(_with_hints(text, hints, lang))]


def fix_json_messages(
    messages: list[dict[str, Any]], reply: str, errors: list[str], *, lang: str = "en"
) -> list[dict[str, Any]]:
    """The conversation so far + the bad reply + a request to fix the listed errors."""
    listed = "\n".join(f"- {e}" for e in errors[:12])
    return [
        *messages,
        {"role": "assistant", "content": reply},
        {"role": "user", "content": FIX_JSON[lang].format(errors=listed)},
    ]


def compact_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema without ``$schema``/``$id`` noise, to save prompt tokens."""
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}


JSON_MODE = "Reply with one JSON object only: no prose, no Markdown fences, no comments."


def json_mode_messages(
    messages: list[dict[str, Any]], schema: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """OpenAI ``response_format`` (``json_object`` / ``json_schema``) as an instruction the
    local model follows; the reply is then parsed, repaired and validated like ``extract``."""
    text = JSON_MODE
    if schema is not None:
        text += " It must match this JSON Schema:\n" + json.dumps(
            compact_schema(schema), ensure_ascii=False
        )
    rest = [m for m in messages if m.get("role") != "system"]
    system = [m for m in messages if m.get("role") == "system"]
    if system and isinstance(system[0].get("content"), str):
        merged = {"role": "system", "content": f"{system[0]['content']}\n\n{text}"}
        return [merged, *system[1:], *rest]
    return [{"role": "system", "content": text}, *system, *rest]
