"""``vlocr ask``, ``vlocr extract`` and ``vlocr chat``: Qwen3-VL over an image, thin over the service."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Any

import typer

from vlocr.cli.common import fail
from vlocr.errors import InvalidOptionError, VlocrError


class Backend(str, enum.Enum):
    transformers = "transformers"
    openai = "openai"


class Format(str, enum.Enum):
    text = "text"
    json = "json"


_VLM = typer.Option(
    None,
    "--vlm",
    help="VLM backend: transformers (local, default) or openai (any OpenAI-compatible server).",
)
_MODEL = typer.Option(
    None,
    "--model",
    help="Hub id or local directory (transformers), or the model name the server expects (openai). Default Qwen/Qwen3-VL-2B-Instruct.",
)
_BASE_URL = typer.Option(
    None, "--base-url", help="OpenAI-compatible server root, e.g. http://127.0.0.1:8001/v1."
)
_API_KEY = typer.Option(
    None, "--api-key", envvar="VLOCR_VLM__API_KEY", help="Bearer key for the server."
)
_HINTS = typer.Option(
    False,
    "--ocr-hints/--no-ocr-hints",
    help="Put the OCR lines (with rough positions) into the prompt.",
)
_REGION = typer.Option(None, "--region", help="Only look at this rectangle: x,y,w,h in pixels.")
_PAGE = typer.Option(
    1,
    "--page",
    min=1,
    help="Which page of a PDF/TIFF to look at (1-based; the others are not read).",
)
_ROLE = typer.Option(
    None, "--role", help='Role / system prompt, e.g. "You are a senior accountant".'
)
_TEMP = typer.Option(
    None, "--temperature", min=0.0, max=2.0, help="Sampling temperature (0 = greedy, the default)."
)
_TOP_P = typer.Option(None, "--top-p", min=0.01, max=1.0, help="Nucleus sampling mass.")
_MAX_NEW = typer.Option(
    None, "--max-new-tokens", min=1, max=32768, help="Longest answer in tokens (default 512)."
)
_FORMAT = typer.Option(
    Format.text,
    "--format",
    "-f",
    help="text: the answer; json: the full result with checks, usage and timings.",
)
_DEVICE = typer.Option(None, "--device", help="auto | cpu | cuda | cuda:N (transformers).")
_DTYPE = typer.Option(
    None,
    "--dtype",
    help=(
        "auto | float32 | bfloat16 | float16 | int8 (transformers). auto: bfloat16 on GPU and on "
        "CPUs with native bfloat16 (AVX512-BF16/AMX), else float32. int8: CPU, int8 Linear "
        "weights, about a third of float32's memory; NOT accuracy-checked."
    ),
)
_STREAM = typer.Option(
    False,
    "--stream/--no-stream",
    help="Print the answer piece by piece as the model writes it (text format; every backend).",
)
_FOCUS = typer.Option(
    "auto",
    "--focus",
    help="With --ocr-hints: auto/lines sends only the rows the question names (full "
    "resolution), page sends the whole page. --format json says what was sent.",
)
_LANG = typer.Option(
    None,
    "--lang",
    help="Languages on the page (en, zh, ko,en, ...; as 'vlocr read --lang'): they pick the OCR "
    "behind hints and checks (unless --ocr-engine) and the prompt's language (Chinese for a "
    "first language zh, else English). Left out: the prompt follows the question's script.",
)
_OCR_ENGINE = typer.Option(
    None,
    "--ocr-engine",
    help="OCR engine for hints and number checks (default: VLOCR_OCR_ENGINE, rapidocr).",
    show_default=False,
)
_PREPROCESS = typer.Option(
    "auto",
    "--preprocess",
    "-p",
    help="Preprocessing before the OCR that makes the hints and checks: none, seed, auto or a "
    "comma list of steps (see 'vlocr read --help').",
)
_FORCE_OCR = typer.Option(
    False,
    "--force-ocr",
    help="OCR a digital PDF page for the hints and checks instead of reading its text layer.",
)
_CROSS_CHECK = typer.Option(
    True,
    "--cross-check/--no-cross-check",
    help="Ask once more on a zoomed crop when an answer about a receipt/invoice field "
    "disagrees with the OCR extractor (needs --check-numbers).",
)
_CHECKS = typer.Option(
    True,
    "--check-numbers/--no-check-numbers",
    help="OCR the image and look up the answer's numbers in it.",
)


def vlm_options(
    vlm: Backend | None,
    model: str | None,
    base_url: str | None,
    api_key: str | None,
    device: str | None,
    dtype: str | None,
) -> Any:
    """Settings from the environment, overridden by whatever was given on the command line."""
    from vlocr.config import get_settings

    base = get_settings().vlm
    updates = {
        "backend": vlm.value if vlm else None,
        "model": model,
        "base_url": base_url,
        "api_key": api_key,
        "device": device,
        "dtype": dtype,
    }
    return base.model_copy(update={k: v for k, v in updates.items() if v is not None})


def task_options(
    *,
    page: int,
    region: str | None,
    preprocess: str,
    force_ocr: bool,
    ocr_engine: str | None,
    lang: str | None,
    ocr_hints: bool,
    check_numbers: bool,
    role: str | None,
    temperature: float | None,
    top_p: float | None,
    max_new_tokens: int | None,
) -> dict[str, Any]:
    """The ``TaskRequest`` fields every task command's flags give (``vlocr ask/chat/extract``
    and ``vlocr batch --task ask|extract``), under the request's names."""
    return {
        "page": page,
        "region": region,
        "preprocess": preprocess,
        "force_ocr": force_ocr,
        "ocr_engine": ocr_engine,
        "lang": lang,
        "ocr_hints": ocr_hints,
        "check_numbers": check_numbers,
        "role": role,
        "temperature": temperature,
        "top_p": top_p,
        "max_new_tokens": max_new_tokens,
    }


def _check_image(image: Path) -> None:
    if not image.exists():
        from vlocr.errors import InputNotFoundError

        raise InputNotFoundError(f"'{image}' does not exist", "check the path", source=str(image))


def _streamer(stream: bool, fmt: Format) -> Any:
    """A callback printing each piece at once, or None (json output is printed whole)."""
    if not stream or fmt is Format.json:
        return None

    def on_text(piece: str) -> None:
        sys.stdout.write(piece)
        sys.stdout.flush()

    return on_text


_SAID_DTYPE: set[str] = set()


def _say_dtype(answer: Any) -> None:
    """Say once per process which dtype ``--dtype auto`` chose, and why."""
    reason = str(answer.engine.get("dtype_reason", ""))
    if reason.startswith("auto") and reason not in _SAID_DTYPE:
        _SAID_DTYPE.add(reason)
        typer.echo(f"vlocr: note: model dtype {answer.engine.get('dtype')} ({reason})", err=True)


def _print_answer(answer: Any, fmt: Format, *, streamed: bool = False) -> None:
    _say_dtype(answer)
    if fmt is Format.json:
        typer.echo(answer.model_dump_json(indent=2))
        return
    if streamed:
        typer.echo("")  # the text is already out, token by token
    else:
        typer.echo(answer.text)
    if answer.loop_cut:
        typer.echo(
            "vlocr: note: the answer was cut where the model started repeating itself", err=True
        )
    if answer.unsupported_numbers:
        typer.echo(
            "vlocr: note: not found in the OCR text: " + ", ".join(answer.unsupported_numbers),
            err=True,
        )
    _print_disagreements(answer.disagreements)


def _print_disagreements(disagreements: list[Any]) -> None:
    """One stderr line per field where the VLM and the OCR extractor read different values."""
    for d in disagreements:
        typer.echo(
            f"vlocr: {d.field}: the VLM read {d.vlm_value!r}, OCR reads {d.ocr_value!r}"
            + (f" (asked again on a zoom: {d.reask_value!r})" if d.reasked else ""),
            err=True,
        )


def ask_command(
    image: Path = typer.Argument(
        ..., help="Image (or PDF: first page) to ask about.", show_default=False
    ),
    question: str = typer.Argument(
        ..., help='The question, e.g. "What is the total?" or "实付金额是多少?"', show_default=False
    ),
    vlm: Backend = _VLM,
    model: str = _MODEL,
    base_url: str = _BASE_URL,
    api_key: str = _API_KEY,
    ocr_hints: bool = _HINTS,
    region: str = _REGION,
    page: int = _PAGE,
    preprocess: str = _PREPROCESS,
    force_ocr: bool = _FORCE_OCR,
    role: str = _ROLE,
    temperature: float = _TEMP,
    top_p: float = _TOP_P,
    max_new_tokens: int = _MAX_NEW,
    output_format: Format = _FORMAT,
    device: str = _DEVICE,
    dtype: str = _DTYPE,
    lang: str = _LANG,
    ocr_engine: str = _OCR_ENGINE,
    check_numbers: bool = _CHECKS,
    cross_check: bool = _CROSS_CHECK,
    stream: bool = _STREAM,
    focus: str = _FOCUS,
) -> None:
    """Ask Qwen3-VL one question about an image; numbers in the answer are checked against OCR."""
    from vlocr.service.asking import ask
    from vlocr.service.task_requests import AskRequest

    on_text = _streamer(stream, output_format)
    try:
        request = AskRequest.from_options(
            question=question,
            focus=focus,
            cross_check=cross_check,
            stream=stream,
            **task_options(
                page=page,
                region=region,
                preprocess=preprocess,
                force_ocr=force_ocr,
                ocr_engine=ocr_engine,
                lang=lang,
                ocr_hints=ocr_hints,
                check_numbers=check_numbers,
                role=role,
                temperature=temperature,
                top_p=top_p,
                max_new_tokens=max_new_tokens,
            ),
        )
        _check_image(image)
        answer = ask(
            image,
            request=request,
            vlm=vlm_options(vlm, model, base_url, api_key, device, dtype),
            on_text=on_text,
        )
    except VlocrError as err:
        fail(err)
    _print_answer(answer, output_format, streamed=on_text is not None)


def extract_command(
    image: Path = typer.Argument(
        ..., help="Receipt, invoice or form image (or PDF: first page).", show_default=False
    ),
    schema: str = typer.Option(
        "receipt", "--schema", "-s", help="receipt, invoice, or the path of a JSON Schema file."
    ),
    vlm: Backend = _VLM,
    model: str = _MODEL,
    base_url: str = _BASE_URL,
    api_key: str = _API_KEY,
    ocr_hints: bool = _HINTS,
    region: str = _REGION,
    page: int = _PAGE,
    preprocess: str = _PREPROCESS,
    force_ocr: bool = _FORCE_OCR,
    role: str = _ROLE,
    temperature: float = _TEMP,
    top_p: float = _TOP_P,
    max_new_tokens: int = _MAX_NEW,
    output_format: Format = typer.Option(
        Format.json, "--format", "-f", help="json: the full result; text: the extracted JSON only."
    ),
    device: str = _DEVICE,
    dtype: str = _DTYPE,
    lang: str = _LANG,
    ocr_engine: str = _OCR_ENGINE,
    check_numbers: bool = _CHECKS,
    cross_check: bool = _CROSS_CHECK,
    attempts: int = typer.Option(
        3,
        "--attempts",
        min=1,
        max=10,
        help="Re-ask with the validation errors up to this many times in all.",
    ),
    engine: str = typer.Option(
        "vlm",
        "--engine",
        "-e",
        help="vlm: ask Qwen3-VL (fields cross-checked against OCR); ocr: fill receipt/invoice "
        "fields from OCR lines and layout alone (no model, each field with its box).",
    ),
) -> None:
    """Extract fields as JSON validated against a schema; exit 1 when the result is still invalid."""
    from vlocr.service.extracting import extract
    from vlocr.service.task_requests import ExtractRequest

    try:
        request = ExtractRequest.from_options(
            schema=schema,
            engine=engine,
            max_attempts=attempts,
            cross_check=cross_check,
            **task_options(
                page=page,
                region=region,
                preprocess=preprocess,
                force_ocr=force_ocr,
                ocr_engine=ocr_engine,
                lang=lang,
                ocr_hints=ocr_hints,
                check_numbers=check_numbers,
                role=role,
                temperature=temperature,
                top_p=top_p,
                max_new_tokens=max_new_tokens,
            ),
        )
        _check_image(image)
        result = extract(
            image,
            request=request,
            vlm=vlm_options(vlm, model, base_url, api_key, device, dtype),
        )
    except VlocrError as err:
        fail(err)
    if output_format is Format.json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        typer.echo(json.dumps(result.data, ensure_ascii=False, indent=2))
    for issue in result.issues:
        typer.echo(f"vlocr: check failed: {issue.message}", err=True)
    _print_disagreements(result.disagreements)
    if not result.valid:
        typer.echo(
            f"vlocr: the model's JSON is still invalid after {result.attempts} attempt(s): "
            + "; ".join(result.validation_errors[:5]),
            err=True,
        )
        raise typer.Exit(1)


def chat_command(
    image: Path = typer.Argument(
        ..., help="Image to talk about (or PDF: first page).", show_default=False
    ),
    vlm: Backend = _VLM,
    model: str = _MODEL,
    base_url: str = _BASE_URL,
    api_key: str = _API_KEY,
    ocr_hints: bool = _HINTS,
    region: str = _REGION,
    page: int = _PAGE,
    preprocess: str = _PREPROCESS,
    force_ocr: bool = _FORCE_OCR,
    role: str = _ROLE,
    temperature: float = _TEMP,
    top_p: float = _TOP_P,
    max_new_tokens: int = _MAX_NEW,
    output_format: Format = _FORMAT,
    device: str = _DEVICE,
    dtype: str = _DTYPE,
    lang: str = _LANG,
    ocr_engine: str = _OCR_ENGINE,
    check_numbers: bool = _CHECKS,
    stream: bool = _STREAM,
) -> None:
    """Talk about an image: one question per line on stdin; the conversation is kept. `exit` or EOF quits.

    Follow-ups reuse the first turn's image encoding and prompt (KV cache) with the local model.
    """
    from vlocr.results import ChatMessage
    from vlocr.service.chatting import chat
    from vlocr.service.task_requests import ChatRequest

    options = vlm_options(vlm, model, base_url, api_key, device, dtype)
    on_text = _streamer(stream, output_format)
    history: list[ChatMessage] = []
    interactive = sys.stdin.isatty()
    try:
        # every option checked once, before the first line is read (the message comes later)
        base = ChatRequest.from_options(
            message="-",
            stream=stream,
            **task_options(
                page=page,
                region=region,
                preprocess=preprocess,
                force_ocr=force_ocr,
                ocr_engine=ocr_engine,
                lang=lang,
                ocr_hints=ocr_hints,
                check_numbers=check_numbers,
                role=role,
                temperature=temperature,
                top_p=top_p,
                max_new_tokens=max_new_tokens,
            ),
        )
        _check_image(image)
        while True:
            if interactive:
                typer.echo("> ", nl=False)
            line = sys.stdin.readline()
            if not line:
                break
            message = line.strip()
            if not message:
                continue
            if message.lower() in ("exit", "quit", ":q"):
                break
            try:
                request = base.model_copy(update={"message": message, "history": list(history)})
                answer = chat(image, request=request, vlm=options, on_text=on_text)
            except InvalidOptionError as err:
                fail(err)
            _print_answer(answer, output_format, streamed=on_text is not None)
            history += [
                ChatMessage(role="user", content=message),
                ChatMessage(role="assistant", content=answer.text),
            ]
    except VlocrError as err:
        fail(err)


def register(app: typer.Typer) -> None:
    """Add ``ask``, ``extract`` and ``chat`` to the main ``vlocr`` app."""
    app.command("ask")(ask_command)
    app.command("extract")(extract_command)
    app.command("chat")(chat_command)
