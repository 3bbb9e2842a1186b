"""The real TransformersEngine (from_pretrained on a tiny random Qwen3-VL directory), on CPU."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from vlocr.config import VlmOptions
from vlocr.errors import EngineUnavailableError
from vlocr.vlm import Generation, get_engine
from vlocr.vlm.transformers_engine import IMAGE_PAD, TransformersEngine

pytestmark = pytest.mark.slow

ASK = [
    {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What is the total?"}]}
]


def test_prompt_has_one_pad_per_visual_token(tiny_opts: VlmOptions, rgb: np.ndarray) -> None:
    engine = get_engine(tiny_opts)
    gen = engine.generate(ASK, images=[rgb])
    # 300x400 -> smart_resize to multiples of 32 (patch 16 x merge 2) -> 288x384 -> 9 x 12 tokens
    assert gen.usage.image_tokens == 9 * 12
    assert gen.prompt.count(IMAGE_PAD) == 108
    assert gen.prompt.count("<|vision_start|>") == 1
    assert "What is the total?" in gen.prompt and gen.prompt.endswith("<|im_start|>assistant\n")
    assert gen.usage.completion_tokens <= tiny_opts.max_new_tokens
    assert gen.finish_reason in ("stop", "length")
    assert gen.usage.prompt_tokens > gen.usage.image_tokens


def test_pixel_budget_caps_a_12_megapixel_photo(tiny_opts: VlmOptions) -> None:
    big = np.full((3000, 4000, 3), 200, dtype=np.uint8)
    engine = get_engine(tiny_opts)
    inputs, prompt, counts = engine.encode(ASK, [big])
    assert counts[0] <= tiny_opts.max_pixels // (32 * 32)
    assert counts[0] > 1000  # close to the budget, not collapsed
    assert (
        int((inputs["input_ids"] == engine.bundle.tokenizer.convert_tokens_to_ids(IMAGE_PAD)).sum())
        == counts[0]
    )
    small_budget = get_engine(tiny_opts.model_copy(update={"max_pixels": 256 * 32 * 32}))
    assert small_budget.bundle is engine.bundle  # same weights, different budget
    assert small_budget.encode(ASK, [big])[2][0] <= 256


def test_min_pixels_upscales_tiny_images(tiny_opts: VlmOptions) -> None:
    tiny = np.zeros((20, 30, 3), dtype=np.uint8)
    counts = get_engine(tiny_opts).encode(ASK, [tiny])[2]
    assert counts[0] >= tiny_opts.min_pixels // (32 * 32)


def test_engine_and_weights_are_cached(tiny_opts: VlmOptions) -> None:
    a = get_engine(tiny_opts)
    assert get_engine(tiny_opts.model_copy()) is a
    other = get_engine(tiny_opts.model_copy(update={"max_new_tokens": 3}))
    assert other is not a and other.bundle is a.bundle
    from vlocr.vlm.dtypes import choose_dtype

    # dtype auto follows this CPU: float32, or bfloat16 where it computes bfloat16 natively
    assert a.bundle.dtype.dtype == choose_dtype("auto", "cpu").dtype and a.bundle.device == "cpu"


def test_stream_yields_the_same_text_as_generate(tiny_opts: VlmOptions, rgb: np.ndarray) -> None:
    engine = get_engine(tiny_opts)
    full = engine.generate(ASK, images=[rgb], stop_on_loop=False).text
    *pieces, final = list(engine.stream(ASK, images=[rgb], stop_on_loop=False))
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces).strip() == full
    # the one final event: the whole reply with usage and the engine's notes, as generate gives
    assert isinstance(final, Generation) and final.text == full
    assert final.usage.image_tokens > 0 and "dtype" in final.info and "encode" in final.timings_ms


def test_scripted_repetitive_output_is_cut(
    tiny_opts: VlmOptions, rgb: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = get_engine(tiny_opts)
    tok = engine.bundle.tokenizer
    loop_ids = tok("The total is 89.50." + " 89.50" * 40, add_special_tokens=False)["input_ids"]

    def scripted_generate(**kwargs: object) -> torch.Tensor:
        prompt = kwargs["input_ids"]
        criteria = kwargs["stopping_criteria"][0]
        out = prompt
        for (
            token
        ) in loop_ids:  # feed tokens one by one, like generate does, until the criteria stop
            out = torch.cat([out, torch.tensor([[token]])], dim=1)
            if bool(criteria(out, None)[0]):
                break
        return out

    monkeypatch.setattr(engine.bundle.model, "generate", scripted_generate)
    gen = engine.generate(ASK, images=[rgb], max_new_tokens=400)
    assert gen.loop_cut and gen.finish_reason == "loop"
    assert gen.text == "The total is 89.50. 89.50"
    assert gen.usage.completion_tokens < len(loop_ids)  # stopped early by the StoppingCriteria


def test_placeholder_image_mismatch_is_rejected(tiny_opts: VlmOptions, rgb: np.ndarray) -> None:
    with pytest.raises(ValueError, match="placeholder"):
        get_engine(tiny_opts).generate(ASK, images=[rgb, rgb])


def test_missing_directory_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailableError) as info:
        TransformersEngine(VlmOptions(model=str(tmp_path / "nope" / "model"), device="cpu"))
    assert "does not exist" in info.value.message and "--model" in info.value.hint


def test_directory_without_a_model_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailableError) as info:
        TransformersEngine(VlmOptions(model=str(tmp_path), device="cpu"))
    assert str(tmp_path) in info.value.message and "checkpoint" in info.value.hint


def test_uncached_hub_model_offline_hints_at_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EngineUnavailableError) as info:
        TransformersEngine(
            VlmOptions(model="Qwen/Qwen3-VL-2B-Instruct", device="cpu", cache_dir=str(tmp_path))
        )
    assert "hf download Qwen/Qwen3-VL-2B-Instruct" in info.value.hint
    assert "--model DIR" in info.value.hint


def test_cuda_requested_without_cuda(tiny_model_dir: Path) -> None:
    if torch.cuda.is_available():
        pytest.skip("CUDA present")
    with pytest.raises(EngineUnavailableError, match="CUDA is not available"):
        TransformersEngine(VlmOptions(model=str(tiny_model_dir), device="cuda"))
