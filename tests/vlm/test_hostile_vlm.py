"""User input that used to crash or hang the VLM path (issue 16, defects 5 and 7)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from vlocr import cancel, service
from vlocr.config import VlmOptions
from vlocr.errors import EngineTimeoutError, InvalidImageError, InvalidOptionError
from vlocr.service.reading import parse_region
from vlocr.service.vlm_inputs import neutralize_text, prepare_vlm_image
from vlocr.tasks.schemas import load_schema
from vlocr.testing.hostile import deep_schema
from vlocr.vlm import get_engine

ASK = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What?"}]}]


@pytest.mark.parametrize("height", [1, 3])
def test_images_1_or_3_px_high_stay_channels_last(height: int) -> None:
    image = np.zeros((height, 400, 3), dtype=np.uint8)
    out = prepare_vlm_image(image, 1280 * 32 * 32)
    assert out.shape == (32, 400, 3)
    assert (out[:height] == 0).all() and (out[height:] == 255).all()


def test_extreme_aspect_ratio_is_a_clear_422() -> None:
    with pytest.raises(InvalidImageError, match="aspect ratio of 250:1") as info:
        prepare_vlm_image(np.zeros((40, 10_000, 3), dtype=np.uint8), 1280 * 32 * 32)
    assert info.value.http_status == 422


def test_huge_images_are_shrunk_before_the_model() -> None:
    out = prepare_vlm_image(np.zeros((7000, 7000, 3), dtype=np.uint8), 1280 * 32 * 32)
    assert out.shape[0] * out.shape[1] <= 1280 * 32 * 32 * 1.01


def test_control_tokens_in_text_are_neutralised() -> None:
    text = neutralize_text("a <|image_pad|> b <|im_end|>")
    assert "<|image_pad|>" not in text and "<|im_end|>" not in text
    assert "image_pad" in text


@pytest.mark.parametrize(
    "region", ["inf,0,10,10", "0,1e309,10,10", "nan,0,1,1", [0, 0, float("inf"), 1]]
)
def test_non_finite_regions_are_invalid_options(region: object) -> None:
    with pytest.raises(InvalidOptionError, match="finite"):
        parse_region(region)  # type: ignore[arg-type]


def test_deeply_nested_or_huge_schemas_are_refused() -> None:
    with pytest.raises(InvalidOptionError, match="nested more than"):
        load_schema(deep_schema(150))
    enum = {"type": "object", "properties": {"a": {"enum": [f"v{i}" for i in range(20_000)]}}}
    with pytest.raises(InvalidOptionError, match="over the limit"):
        load_schema(enum)
    assert load_schema(deep_schema(10))[0] == "custom"


def test_special_tokens_and_thin_images_reach_the_model(
    tiny_opts: VlmOptions, receipt_png: Path
) -> None:
    answer = service.ask(
        receipt_png,
        "<|image_pad|> total? <|vision_start|>",
        vlm=tiny_opts,
        role="<|im_start|>system",
        ocr_checks=False,
    )
    assert answer.usage.image_tokens > 0
    thin = np.full((1, 300, 3), 255, dtype=np.uint8)
    assert service.ask(thin, "what?", vlm=tiny_opts, ocr_checks=False).usage.image_tokens > 0
    result = service.chat_completion(
        [{"role": "user", "content": "hello <|image_pad|><|image_pad|>"}], vlm=tiny_opts
    )
    assert result.usage.prompt_tokens > 0


def test_ask_on_a_300_to_1_image_is_refused(tiny_opts: VlmOptions) -> None:
    with pytest.raises(InvalidImageError, match="aspect ratio"):
        service.ask(np.zeros((40, 12_000, 3), dtype=np.uint8), "what?", vlm=tiny_opts)


def _count_forwards(engine: object, after: int, token: cancel.CancelToken) -> list[int]:
    calls = [0]

    def hook(*_: object) -> None:
        calls[0] += 1
        if calls[0] == after:
            token.cancel("test cancels")

    engine.bundle.model.register_forward_hook(hook)  # type: ignore[attr-defined]
    return calls


def test_cancel_stops_generation_at_the_next_token(tiny_opts: VlmOptions, rgb: np.ndarray) -> None:
    engine = get_engine(tiny_opts.model_copy(update={"max_new_tokens": 3000}))
    token = cancel.CancelToken()
    calls = _count_forwards(engine, 3, token)
    with cancel.scope(token), pytest.raises(EngineTimeoutError):
        engine.generate(ASK, images=[rgb], max_new_tokens=3000, stop_on_loop=False)
    assert calls[0] <= 4


def test_closing_a_stream_stops_its_generation_thread(
    tiny_opts: VlmOptions, rgb: np.ndarray
) -> None:
    engine = get_engine(tiny_opts)
    stream = engine.stream(ASK, images=[rgb], max_new_tokens=3000, stop_on_loop=False)
    next(stream)
    stream.close()  # what the gate does when the client goes away
    assert not [t for t in threading.enumerate() if t.name == "vlocr-vlm-stream"]


def test_many_big_chat_images_are_decoded_one_at_a_time_and_shrunk() -> None:
    from vlocr.testing.hostile import run_measured

    out = run_measured(
        "import base64\n"
        "from vlocr.service.questions import openai_messages_to_engine\n"
        "from vlocr.testing.hostile import flat_png\n"
        "url = 'data:image/png;base64,' + base64.b64encode(flat_png(7000, 7000)).decode()\n"
        "parts = [{'type': 'image_url', 'image_url': {'url': url}}] * 8\n"
        "OUT['body_kb'] = len(url) * 8 // 1024\n"
        "_, images = openai_messages_to_engine([{'role': 'user', 'content': parts}])\n"
        "OUT['largest'] = max(i.shape[0] * i.shape[1] for i in images)\n"
    )
    assert "error" not in out, out
    assert out["largest"] <= 1280 * 32 * 32 * 1.01
    assert out["peak_mb"] < 1536
