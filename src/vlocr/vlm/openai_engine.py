"""Any OpenAI-compatible chat server (vLLM, SGLang, llama.cpp server, LM Studio, vlocr's own).

Images go as base64 PNG ``data:`` URLs in ``image_url`` parts. Connection errors, 429 and 5xx are
retried with exponential backoff; other 4xx are not (a bad request stays bad). A server that
rejects ``response_format`` (400) is asked again without it. Read timeouts are not retried: the
server is alive but slow, and asking again would only double the wait.
"""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from vlocr import cancel
from vlocr.config import VlmOptions
from vlocr.errors import EngineTimeoutError, EngineUnavailableError, ModelOutputError
from vlocr.results import Usage
from vlocr.vlm.base import Generation, StreamEvent, check_images, is_image_part
from vlocr.vlm.loop import detect_loop

RETRY_STATUS = {429, 500, 502, 503, 504}


def png_data_url(image: np.ndarray) -> str:
    """Encode an RGB uint8 array as a ``data:image/png;base64,...`` URL (lossless for text)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG", optimize=False, compress_level=3)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def to_openai_messages(
    messages: list[dict[str, Any]], images: list[np.ndarray]
) -> list[dict[str, Any]]:
    """Replace image placeholders, in order, with ``image_url`` parts carrying the pixels."""
    check_images(messages, images)
    pending = iter(images)
    out: list[dict[str, Any]] = []
    for msg in messages:
        content = msg.get("content")
        if isinstance(content, list):
            parts = []
            for part in content:
                if is_image_part(part):
                    parts.append(
                        {"type": "image_url", "image_url": {"url": png_data_url(next(pending))}}
                    )
                else:
                    parts.append(part)
            out.append({"role": msg["role"], "content": parts})
        else:
            out.append({"role": msg["role"], "content": content or ""})
    return out


class OpenAIEngine:
    """HTTP client for ``{base_url}/chat/completions``."""

    name = "openai"

    def __init__(self, options: VlmOptions, *, backoff_s: float = 0.5) -> None:
        import httpx

        self.options = options
        self.model = options.model
        self.backoff_s = backoff_s
        self.base_url = options.base_url.rstrip("/")
        headers = {"Content-Type": "application/json"}
        if options.api_key:
            headers["Authorization"] = f"Bearer {options.api_key}"
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(options.timeout_s, connect=min(10.0, options.timeout_s)),
        )

    def close(self) -> None:
        self._client.close()

    # ---- request building ------------------------------------------------------------------

    def payload(
        self,
        messages: list[dict[str, Any]],
        images: list[np.ndarray],
        *,
        max_new_tokens: int | None,
        temperature: float | None,
        top_p: float | None,
        json_schema: dict[str, Any] | None = None,
        stream: bool = False,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": to_openai_messages(messages, images),
            "max_tokens": int(max_new_tokens or self.options.max_new_tokens),
            "temperature": float(self.options.temperature if temperature is None else temperature),
            "top_p": float(self.options.top_p if top_p is None else top_p),
            "stream": stream,
        }
        if json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": str(json_schema.get("title") or "result").replace(" ", "_")[:64],
                    "schema": json_schema,
                },
            }
        return body

    def _post(self, body: dict[str, Any], *, stream: bool = False) -> Any:
        """POST with retries; returns the httpx response (open, when streaming)."""
        import httpx

        url = f"{self.base_url}/chat/completions"
        attempts = self.options.retries + 1
        last = ""
        for attempt in range(attempts):
            cancel.check()
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                if stream:
                    req = self._client.build_request("POST", url, json=body)
                    resp = self._client.send(req, stream=True)
                else:
                    resp = self._client.post(url, json=body)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as err:
                last = f"cannot reach {url} ({type(err).__name__})"
                continue
            except httpx.TimeoutException:
                raise EngineTimeoutError(
                    f"the VLM server did not answer within {self.options.timeout_s:.0f} s",
                    "raise --timeout, lower --max-new-tokens, or check the server load",
                ) from None
            except httpx.HTTPError as err:
                raise EngineUnavailableError(
                    f"request to {url} failed: {err}", "check --base-url"
                ) from None
            if resp.status_code in RETRY_STATUS:
                if stream:
                    resp.read()
                last = f"{url} answered {resp.status_code}: {_short(resp.text)}"
                resp.close()
                continue
            if resp.status_code >= 400:
                if stream:
                    resp.read()
                text = resp.text
                resp.close()
                if (
                    resp.status_code == 400
                    and "response_format" in body
                    and ("response_format" in text or "json_schema" in text)
                ):
                    body = {k: v for k, v in body.items() if k != "response_format"}
                    return self._post(body, stream=stream)
                hint = (
                    "check --api-key"
                    if resp.status_code in (401, 403)
                    else "check --model and --base-url"
                )
                refused = EngineUnavailableError(
                    f"{url} refused the request ({resp.status_code}): {_short(text)}", hint
                )
                refused.status_code = resp.status_code  # type: ignore[attr-defined]
                raise refused
            return resp
        raise EngineUnavailableError(
            f"VLM server failed after {attempts} attempt(s): {last}",
            "start the server or fix --base-url (it should end in /v1)",
        )

    # ---- public API ------------------------------------------------------------------------

    def generate(
        self,
        messages: list[dict[str, Any]],
        *,
        images: list[np.ndarray],
        max_new_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        json_schema: dict[str, Any] | None = None,
        stop_on_loop: bool = True,
    ) -> Generation:
        start = time.perf_counter()
        body = self.payload(
            messages,
            images,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_p=top_p,
            json_schema=json_schema,
        )
        resp = self._post(body)
        elapsed = (time.perf_counter() - start) * 1000
        try:
            data = resp.json()
            choice = data["choices"][0]
            text = choice["message"]["content"]
            if text is None:
                text = ""
            if not isinstance(text, str):
                raise TypeError("content is not a string")
        except (ValueError, KeyError, IndexError, TypeError) as err:
            raise ModelOutputError(
                f"the VLM server sent a reply that is not an OpenAI chat completion ({type(err).__name__}: {_short(str(err))})",
                f"check that {self.base_url} is an OpenAI-compatible /v1 endpoint",
            ) from None
        finish = str(choice.get("finish_reason") or "stop")
        loop_cut = False
        if stop_on_loop and (cut := detect_loop(text)) is not None:
            text, loop_cut, finish = text[:cut], True, "loop"
        raw_usage = data.get("usage") or {}
        usage = Usage(
            prompt_tokens=int(raw_usage.get("prompt_tokens") or 0),
            completion_tokens=int(raw_usage.get("completion_tokens") or 0),
        )
        summary = json.dumps({k: v for k, v in body.items() if k != "messages"}, ensure_ascii=False)
        return Generation(
            text=text.strip(),
            usage=usage,
            finish_reason=finish,
            loop_cut=loop_cut,
            timings_ms={"request": elapsed},
            prompt=summary,
        )

    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        images: list[np.ndarray],
        max_new_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        stop_on_loop: bool = True,
    ) -> Iterator[StreamEvent]:
        """Yield ``delta.content`` pieces from the server's SSE stream, then the whole
        ``Generation`` (the server's finish reason and usage, when it sends them)."""
        import httpx

        body = self.payload(
            messages,
            images,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_p=top_p,
            stream=True,
        )
        resp = self._post(body, stream=True)
        seen = ""
        finish = "stop"
        usage = Usage()
        try:
            for line in resp.iter_lines():
                cancel.check()  # a cancelled request closes the upstream stream (finally below)
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                try:
                    event = json.loads(data)
                    if event.get("usage"):
                        usage = _usage(event["usage"])
                    if not event.get("choices"):
                        continue
                    choice = event["choices"][0]
                    finish = str(choice.get("finish_reason") or finish)
                    delta = choice.get("delta", {}).get("content") or ""
                except (ValueError, KeyError, IndexError, AttributeError):
                    raise ModelOutputError(
                        f"malformed stream event from the VLM server: {_short(data)}",
                        "check --base-url",
                    ) from None
                if delta:
                    seen += delta
                    yield delta
                    if stop_on_loop and detect_loop(seen) is not None:
                        finish = "loop"
                        break
        except httpx.TimeoutException:
            raise EngineTimeoutError(
                f"the VLM server stalled for {self.options.timeout_s:.0f} s while streaming",
                "raise --timeout",
            ) from None
        finally:
            resp.close()
        yield Generation(
            text=seen.strip(), usage=usage, finish_reason=finish, loop_cut=finish == "loop"
        )


def _usage(raw: Any) -> Usage:
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens") or 0),
        completion_tokens=int(raw.get("completion_tokens") or 0),
    )


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
