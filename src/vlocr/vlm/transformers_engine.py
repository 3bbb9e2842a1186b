"""Qwen3-VL run locally through transformers.

Loading: ``AutoModelForImageTextToText.from_pretrained`` + the tokenizer + the image processor.
Without torchvision transformers cannot build ``Qwen3VLProcessor`` (its video processor needs it),
so the prompt is built here the way the processor does it: render the chat template, expand each
``<|image_pad|>`` to ``grid_t * grid_h * grid_w / merge_size**2`` copies, mark image positions in
``mm_token_type_ids`` (for M-RoPE) and pass ``pixel_values`` + ``image_grid_thw`` to ``generate``.

The loaded bundle is cached per (model, device, dtype) for the life of the process, and generation
is serialised with one lock per bundle (one model, one forward pass at a time).
"""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vlocr import cancel
from vlocr.config import VlmOptions
from vlocr.errors import (
    EngineTimeoutError,
    EngineUnavailableError,
    InvalidOptionError,
    VlocrError,
)
from vlocr.extras import TORCH_FIRST
from vlocr.results import Usage
from vlocr.vlm.base import Generation, StreamEvent, check_images
from vlocr.vlm.chat_template import QWEN_CHAT_TEMPLATE
from vlocr.vlm.dtypes import DtypeChoice, choose_dtype
from vlocr.vlm.loop import detect_loop, make_loop_stopping_criteria
from vlocr.vlm.prefix_cache import PrefixCache, image_key
from vlocr.vlm.stopping import make_cancel_stopping_criteria
from vlocr.vlm.streaming import TokenStreamer, VisionTimer

IMAGE_PAD = "<|image_pad|>"
VISION_TOKENS = ("<|image_pad|>", "<|video_pad|>", "<|vision_start|>", "<|vision_end|>")
MIN_TRANSFORMERS = (4, 57)  # first release with Qwen3-VL
INSTALL_HINT = TORCH_FIRST


@dataclass
class _Bundle:
    model: Any
    tokenizer: Any
    image_processor: Any
    chat_template: str
    device: str
    dtype: DtypeChoice
    lock: threading.Lock
    load_ms: float
    compute_dtype: Any = None  # the torch dtype pixel values are cast to
    prefix: PrefixCache | None = None  # the last conversation's KV cache (chat follow-ups)


_BUNDLES: dict[tuple[str, str, str], _Bundle] = {}
_BUNDLES_LOCK = threading.Lock()


def _import_stack() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as err:
        raise EngineUnavailableError(
            f"the transformers backend needs torch and transformers ({err.name} is missing)",
            INSTALL_HINT,
        ) from None
    parts = tuple(int(p) for p in transformers.__version__.split(".")[:2] if p.isdigit())
    if parts < MIN_TRANSFORMERS:
        raise EngineUnavailableError(
            f"transformers {transformers.__version__} is too old for Qwen3-VL (needs >= 4.57)",
            "pip install -U 'transformers>=4.57' (or pip install -U 'vlocr[vlm]')",
        )
    return torch, transformers


def resolve_device(device: str, torch: Any) -> str:
    """``auto`` means the first CUDA device when there is one, else the CPU."""
    if device in ("", "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise EngineUnavailableError(
            f"device '{device}' was asked for but CUDA is not available",
            "use --device cpu (or auto)",
        )
    if device != "cpu" and not device.startswith("cuda"):
        raise EngineUnavailableError(f"unknown device '{device}'", "use auto, cpu, cuda or cuda:N")
    return device


def resolve_dtype(dtype: str, device: str, flags: set[str] | None = None) -> DtypeChoice:
    """``auto``: bfloat16 on a GPU or a CPU with native bfloat16, else float32 (see vlm.dtypes)."""
    try:
        return choose_dtype(dtype, device, flags)
    except InvalidOptionError as err:
        raise EngineUnavailableError(err.message, err.hint) from None


def _check_cache_dir(cache_dir: str | None) -> None:
    if not cache_dir:
        return
    try:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        probe = Path(cache_dir) / ".vlocr-write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as err:
        raise EngineUnavailableError(
            f"model cache directory '{cache_dir}' is not writable ({err.strerror})",
            "pass a writable --cache-dir / VLOCR_VLM__CACHE_DIR, e.g. /tmp/vlocr-models",
        ) from None


def _weights_hint(model: str) -> str:
    return (
        f"no network? download it elsewhere with `hf download {model} --local-dir DIR`, "
        "copy DIR here and pass --model DIR, or point HF_HOME at a cache that holds it"
    )


def _from_pretrained(loader: Any, model: str, what: str, **kwargs: Any) -> Any:
    """Try the local cache first (no network), then the hub; map failures to one clear error."""
    local_dir = Path(model).expanduser()
    if local_dir.is_dir():
        try:
            return loader.from_pretrained(str(local_dir), **kwargs)
        except (OSError, ValueError, KeyError) as err:
            raise EngineUnavailableError(
                f"cannot load the {what} from '{model}': {str(err).splitlines()[0][:200]}",
                "the directory must hold a complete Qwen3-VL checkpoint (config.json, *.safetensors, tokenizer files, preprocessor_config.json)",
            ) from None
    if model.startswith((".", "/", "~")) or os.sep in model.strip("/").replace("/", "", 1):
        raise EngineUnavailableError(
            f"model directory '{model}' does not exist",
            "pass --model with an existing directory or a hub id like Qwen/Qwen3-VL-2B-Instruct",
        )
    try:
        return loader.from_pretrained(model, local_files_only=True, **kwargs)
    except (OSError, ValueError):
        pass
    if not _hub_reachable():
        raise EngineUnavailableError(
            f"'{model}' is not in the local model cache and the Hugging Face hub cannot be reached",
            _weights_hint(model),
        )
    try:
        return loader.from_pretrained(model, **kwargs)
    except (OSError, ValueError) as err:
        raise EngineUnavailableError(
            f"cannot get the {what} for '{model}' (not in the local cache and the hub is unreachable or refused: {str(err).splitlines()[0][:160]})",
            _weights_hint(model),
        ) from None


def _hub_reachable(timeout_s: float = 3.0) -> bool:
    """A quick TCP probe, so an offline machine fails in seconds instead of a minute of hub retries."""
    import socket
    from urllib.parse import urlparse

    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        with socket.create_connection(
            (url.hostname or "huggingface.co", url.port or 443), timeout=timeout_s
        ):
            return True
    except OSError:
        return False


def _find_chat_template(tokenizer: Any, processor: Any, model: str) -> str:
    for holder in (processor, tokenizer):
        template = getattr(holder, "chat_template", None) if holder is not None else None
        if isinstance(template, str) and template:
            return template
    local = Path(model).expanduser()
    if local.is_dir():
        jinja = local / "chat_template.jinja"
        if jinja.is_file():
            return jinja.read_text(encoding="utf-8")
        js = local / "chat_template.json"
        if js.is_file():
            try:
                return str(json.loads(js.read_text(encoding="utf-8"))["chat_template"])
            except (ValueError, KeyError):
                pass
    return QWEN_CHAT_TEMPLATE


def load_bundle(options: VlmOptions) -> _Bundle:
    """Load (once per process) the model, tokenizer and image processor for these options."""
    torch, _ = _import_stack()
    device = resolve_device(options.device, torch)
    dtype = resolve_dtype(options.dtype, device)
    key = (options.model, device, dtype.dtype)
    with _BUNDLES_LOCK:
        if key in _BUNDLES:
            return _BUNDLES[key]
        _check_cache_dir(options.cache_dir)
        start = time.perf_counter()
        bundle = _load(options, torch, device, dtype)
        bundle.load_ms = (time.perf_counter() - start) * 1000
        _BUNDLES[key] = bundle
        return bundle


def _load(options: VlmOptions, torch: Any, device: str, dtype: DtypeChoice) -> _Bundle:
    from transformers import AutoImageProcessor, AutoModelForImageTextToText, AutoTokenizer

    common: dict[str, Any] = {"cache_dir": options.cache_dir} if options.cache_dir else {}
    processor = None
    if importlib.util.find_spec("torchvision") is not None:
        from transformers import AutoProcessor

        try:
            processor = _from_pretrained(AutoProcessor, options.model, "processor", **common)
        except EngineUnavailableError:
            processor = None
    if processor is not None:
        tokenizer, image_processor = processor.tokenizer, processor.image_processor
    else:
        tokenizer = _from_pretrained(AutoTokenizer, options.model, "tokenizer", **common)
        image_processor = _from_pretrained(
            AutoImageProcessor, options.model, "image processor", **common
        )
    if tokenizer.convert_tokens_to_ids(IMAGE_PAD) in (None, tokenizer.unk_token_id):
        raise EngineUnavailableError(
            f"'{options.model}' has no {IMAGE_PAD} token: it is not a Qwen-VL model",
            "pass a Qwen3-VL model id or directory",
        )
    kwargs: dict[str, Any] = dict(common, dtype=getattr(torch, dtype.load_dtype))
    if device.startswith("cuda"):
        kwargs["device_map"] = "auto" if device == "cuda" else {"": device}
        if options.max_memory:
            kwargs["max_memory"] = options.max_memory
    try:
        model = _from_pretrained(
            AutoModelForImageTextToText, options.model, "model weights", **kwargs
        )
    except RuntimeError as err:  # CUDA out of memory and friends
        raise EngineUnavailableError(
            f"cannot load '{options.model}' on {device}: {str(err).splitlines()[0][:200]}",
            "try --device cpu, a smaller model, or --dtype bfloat16",
        ) from None
    model.eval()
    compute_dtype = model.dtype
    if dtype.dtype == "int8":
        from vlocr.vlm.quantize import quantize_int8

        compute_dtype = quantize_int8(model)
    return _Bundle(
        model=model,
        tokenizer=tokenizer,
        image_processor=image_processor,
        chat_template=_find_chat_template(tokenizer, processor, options.model),
        device=device,
        dtype=dtype,
        lock=threading.Lock(),
        load_ms=0.0,
        compute_dtype=compute_dtype,
        prefix=PrefixCache(),
    )


class TransformersEngine:
    """Local Qwen3-VL. Construct through ``vlocr.vlm.get_engine``; the weights are shared."""

    name = "transformers"

    def __init__(self, options: VlmOptions) -> None:
        self.options = options
        self.model = options.model
        self.bundle = load_bundle(options)

    # ---- prompt building (mirrors Qwen3VLProcessor) ------------------------------------------

    def encode(
        self, messages: list[dict[str, Any]], images: list[np.ndarray]
    ) -> tuple[dict[str, Any], str, list[int]]:
        """Return model inputs, the rendered prompt and the visual tokens per image."""
        import torch

        check_images(messages, images)
        b = self.bundle
        prompt = b.tokenizer.apply_chat_template(
            _for_template(messages),
            chat_template=b.chat_template,
            tokenize=False,
            add_generation_prompt=True,
        )
        if prompt.count(IMAGE_PAD) != len(images):
            raise ValueError(
                f"the chat template produced {prompt.count(IMAGE_PAD)} image slots for {len(images)} images"
            )
        inputs: dict[str, Any] = {}
        counts: list[int] = []
        if images:
            size = {
                "shortest_edge": int(self.options.min_pixels),
                "longest_edge": int(self.options.max_pixels),
            }
            vision = b.image_processor(images=list(images), size=size, return_tensors="pt")
            merge = int(getattr(b.image_processor, "merge_size", 2))
            grids = vision["image_grid_thw"]
            counts = [int(g.prod().item()) // merge**2 for g in grids]
            pieces = prompt.split(IMAGE_PAD)
            prompt = pieces[0] + "".join(
                IMAGE_PAD * n + rest for n, rest in zip(counts, pieces[1:], strict=True)
            )
            inputs["pixel_values"] = vision["pixel_values"]
            inputs["image_grid_thw"] = grids
        enc = b.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        ids = enc["input_ids"]
        inputs["input_ids"] = ids
        inputs["attention_mask"] = enc["attention_mask"]
        pad_id = b.tokenizer.convert_tokens_to_ids(IMAGE_PAD)
        inputs["mm_token_type_ids"] = (ids == pad_id).to(torch.int32)
        device = b.model.device
        inputs = {k: v.to(device) if hasattr(v, "to") else v for k, v in inputs.items()}
        if "pixel_values" in inputs:
            inputs["pixel_values"] = inputs["pixel_values"].to(b.compute_dtype)
        return inputs, prompt, counts

    def _gen_kwargs(
        self, max_new_tokens: int | None, temperature: float | None, top_p: float | None
    ) -> dict[str, Any]:
        temp = self.options.temperature if temperature is None else temperature
        kwargs: dict[str, Any] = {
            "max_new_tokens": int(max_new_tokens or self.options.max_new_tokens)
        }
        if temp and temp > 0:
            kwargs.update(
                do_sample=True,
                temperature=float(temp),
                top_p=float(self.options.top_p if top_p is None else top_p),
            )
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        tok = self.bundle.tokenizer
        eos = [
            i
            for i in {tok.convert_tokens_to_ids("<|im_end|>"), tok.eos_token_id}
            if isinstance(i, int) and i >= 0
        ]
        kwargs["eos_token_id"] = eos
        # An answer never holds vision tokens; forbidding them also keeps prompt-lookup drafts
        # (copied from the prompt) from proposing image slots that have no pixels behind them.
        vision = [tok.convert_tokens_to_ids(t) for t in VISION_TOKENS]
        kwargs["suppress_tokens"] = [
            i for i in vision if isinstance(i, int) and i >= 0 and i != tok.unk_token_id
        ]
        kwargs["pad_token_id"] = tok.pad_token_id if tok.pad_token_id is not None else eos[0]
        return kwargs

    # ---- generation ------------------------------------------------------------------------

    def _run(
        self, inputs: dict[str, Any], kwargs: dict[str, Any], streamer: TokenStreamer
    ) -> tuple[Any, dict[str, Any], dict[str, float]]:
        """``model.generate`` with the last conversation's KV cache and prompt-lookup drafts.

        Returns the output ids, notes (dtype, reused prefix, draft size) and stage timings.
        Call it under the bundle lock.
        """
        from transformers import DynamicCache

        b = self.bundle
        model = b.model
        ids = [int(t) for t in inputs["input_ids"][0].tolist()]
        pad_id = b.tokenizer.convert_tokens_to_ids(IMAGE_PAD)
        last_image = max((i for i, t in enumerate(ids) if t == pad_id), default=-1)
        key = image_key(inputs)
        call = dict(inputs)
        reused = 0
        inner = getattr(model, "model", None)
        taken = (
            b.prefix.take(ids, key, last_image)
            if b.prefix is not None and self.options.reuse_prefix and hasattr(inner, "rope_deltas")
            else None
        )
        if taken is not None:
            cache, deltas, reused = taken
            inner.rope_deltas = deltas  # type: ignore[union-attr]
            call.pop("pixel_values", None)  # the image is already in the cache
            call.pop("image_grid_thw", None)
        else:
            cache = DynamicCache(config=model.config)
        draft = int(self.options.prompt_lookup_tokens)
        # transformers' assisted decoding re-feeds the whole prompt on its first step, so it cannot
        # start from a filled cache: a follow-up that reuses the prefix decodes without drafts.
        if draft > 0 and not kwargs.get("do_sample") and not reused:
            kwargs = dict(kwargs, prompt_lookup_num_tokens=draft)
        else:
            draft = 0
        timer = VisionTimer(getattr(inner, "visual", None))
        start = time.perf_counter()
        streamer.started = start
        try:
            out = model.generate(**call, **kwargs, cache=cache, streamer=streamer)
        finally:
            timer.close()
        total_ms = (time.perf_counter() - start) * 1000
        if b.prefix is not None and self.options.reuse_prefix:
            b.prefix.keep(
                [int(t) for t in out[0].tolist()], key, cache, getattr(inner, "rope_deltas", None)
            )
        timings = {"vision": timer.ms, "generate": total_ms}
        ttft = streamer.ttft_ms()
        new_tokens = int(out.shape[1]) - len(ids)
        if ttft is not None:
            timings["first_token"] = ttft
            timings["prefill"] = max(ttft - timer.ms, 0.0)
            if new_tokens > 1:
                timings["decode_per_token"] = (total_ms - ttft) / (new_tokens - 1)
        notes = {
            "dtype": b.dtype.dtype,
            "dtype_reason": b.dtype.reason,
            "prefix_reused_tokens": reused,
            "prompt_lookup_tokens": draft,
        }
        return out, notes, timings

    def _stoppers(
        self, prompt_len: int, stop_on_loop: bool, stopped: Callable[[], bool]
    ) -> tuple[Any, Any]:
        """The loop check (first) and the cancel check: a timeout, a client that left or a
        shutdown stops generation at the next token, so the worker is free again."""
        from transformers import StoppingCriteriaList

        criteria = (
            make_loop_stopping_criteria(self.bundle.tokenizer, prompt_len) if stop_on_loop else None
        )
        stoppers = [criteria] if criteria is not None else []
        stoppers.append(make_cancel_stopping_criteria(stopped))
        return criteria, StoppingCriteriaList(stoppers)

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
        """Generate one reply. ``json_schema`` is not enforced locally; the task layer validates.
        (``stream`` hands the text on piece by piece.)"""
        import torch

        timings: dict[str, float] = {}
        start = time.perf_counter()
        inputs, prompt, counts = self.encode(messages, images)
        timings["encode"] = (time.perf_counter() - start) * 1000
        prompt_len = int(inputs["input_ids"].shape[1])
        kwargs = self._gen_kwargs(max_new_tokens, temperature, top_p)
        token = cancel.current()
        criteria, kwargs["stopping_criteria"] = self._stoppers(
            prompt_len, stop_on_loop, lambda: token is not None and token.cancelled
        )
        cancel.check()
        streamer = TokenStreamer(self.bundle.tokenizer)
        with self.bundle.lock, torch.inference_mode():
            try:
                out, notes, run_ms = self._run(inputs, kwargs, streamer)
            except RuntimeError as err:
                raise EngineUnavailableError(
                    f"generation failed: {str(err).splitlines()[0][:200]}",
                    "try a smaller --max-new-tokens or image, or --device cpu",
                ) from None
        timings.update(run_ms)
        cancel.check()  # a cancelled request gets its timeout error, not a cut-off answer
        new_ids = out[0, prompt_len:]
        text = self.bundle.tokenizer.decode(new_ids, skip_special_tokens=True)
        eos = set(kwargs["eos_token_id"])
        finish = "stop" if len(new_ids) and int(new_ids[-1]) in eos else "length"
        loop_cut = False
        if stop_on_loop:
            cut = detect_loop(text)
            if cut is not None or (criteria is not None and criteria.fired):
                loop_cut, finish = True, "loop"
                text = text[:cut] if cut is not None else text
        usage = Usage(
            prompt_tokens=prompt_len, completion_tokens=int(len(new_ids)), image_tokens=sum(counts)
        )
        return Generation(
            text=text.strip(),
            usage=usage,
            finish_reason=finish,
            loop_cut=loop_cut,
            timings_ms=timings,
            prompt=prompt,
            info=notes,
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
        """Yield text as soon as each token is decoded (a worker thread runs ``generate``), then
        the whole ``Generation`` (token usage, finish reason, timings, engine notes)."""
        start = time.perf_counter()
        inputs, prompt, counts = self.encode(messages, images)
        encode_ms = (time.perf_counter() - start) * 1000
        prompt_len = int(inputs["input_ids"].shape[1])
        kwargs = self._gen_kwargs(max_new_tokens, temperature, top_p)
        token = cancel.current()
        closed = threading.Event()  # set when the consumer stops reading (client gone)
        criteria, kwargs["stopping_criteria"] = self._stoppers(
            prompt_len,
            stop_on_loop,
            lambda: closed.is_set() or (token is not None and token.cancelled),
        )
        pieces: queue.Queue[str | None] = queue.Queue()
        streamer = TokenStreamer(self.bundle.tokenizer, on_text=pieces.put)
        errors: list[BaseException] = []
        outputs: list[Any] = []

        def work() -> None:
            import torch

            try:
                with self.bundle.lock, torch.inference_mode():
                    outputs.append(self._run(inputs, kwargs, streamer))
            except BaseException as err:  # surfaced to the consumer below
                errors.append(err)
            finally:
                pieces.put(None)

        thread = threading.Thread(target=work, name="vlocr-vlm-stream", daemon=True)
        thread.start()
        text = ""
        try:
            while True:
                try:
                    piece = pieces.get(timeout=self.options.timeout_s)
                except queue.Empty:
                    raise EngineTimeoutError(
                        f"no token for {self.options.timeout_s:.0f} s while streaming",
                        "raise --timeout or use a smaller image",
                    ) from None
                if piece is None:
                    break
                text += piece
                yield piece
        finally:
            # Stop generating and wait for it, so the worker (and the in-flight gauge) is free
            # only once the model really is.
            closed.set()
            thread.join()
        if errors:
            err = errors[0]
            if isinstance(err, VlocrError):
                raise err
            raise EngineUnavailableError(
                f"generation failed: {str(err).splitlines()[0][:200]}", "see the server log"
            ) from None
        notes: dict[str, Any] = {}
        timings = {"encode": encode_ms}
        if outputs:
            out, notes, run_ms = outputs[0]
            timings.update(run_ms)
            new_ids = out[0, prompt_len:]
            eos = set(kwargs["eos_token_id"])
            finish = "stop" if len(new_ids) and int(new_ids[-1]) in eos else "length"
            completion = int(len(new_ids))
        else:  # no output handed back: count the text's tokens
            completion = len(self.bundle.tokenizer(text, add_special_tokens=False)["input_ids"])
            finish = "length" if completion >= kwargs["max_new_tokens"] else "stop"
        if stop_on_loop:
            cut = detect_loop(text)
            if cut is not None or (criteria is not None and criteria.fired):
                finish = "loop"  # the pieces are out; the final text is cut as generate cuts it
                text = text[:cut] if cut is not None else text
        yield Generation(
            text=text.strip(),
            usage=Usage(
                prompt_tokens=prompt_len, completion_tokens=completion, image_tokens=sum(counts)
            ),
            finish_reason=finish,
            loop_cut=finish == "loop",
            timings_ms=timings,
            prompt=prompt,
            info=notes,
        )


def _for_template(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Normalise image parts to ``{"type": "image"}`` so every Qwen template renders them."""
    out = []
    for msg in messages:
        content = msg.get("content")
        if isinstance(content, list):
            parts = []
            for part in content:
                if isinstance(part, dict) and (
                    part.get("type") in ("image", "image_url") or "image_url" in part
                ):
                    parts.append({"type": "image"})
                else:
                    parts.append(part)
            out.append({"role": msg["role"], "content": parts})
        else:
            out.append({"role": msg["role"], "content": content or ""})
    return out
