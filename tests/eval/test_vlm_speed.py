"""The real-size VLM speed benchmark's code path, end to end on the tiny model (numbers not asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vlocr.eval.vlm import vlm_speed

pytestmark = pytest.mark.slow


@pytest.mark.timeout(1800)  # two processes, four OCR runs: minutes on a busy 2-core machine
def test_benchmark_runs_end_to_end_on_the_tiny_model(tmp_path: Path) -> None:
    from vlocr.testing.tiny_qwen import build_tiny_qwen3_vl

    model = build_tiny_qwen3_vl(tmp_path / "tiny")
    report = vlm_speed.run(
        tmp_path / "out",
        sizes=("2b",),
        dtypes=("float32",),
        budgets=(256,),
        hints=(True,),
        tokens=3,
        model_dirs={"2b": str(model)},
        default_in="float32",
        timeout_s=600,
    )
    saved = json.loads((tmp_path / "out" / "vlm-speed.json").read_text())
    assert saved["checks"] == report["checks"]
    (proc,) = saved["processes"]
    assert "error" not in proc and proc["dtype"] == "float32" and proc["ready_s"] > 0
    (cell,) = proc["cells"]
    assert cell["new_tokens"] == 3  # fixed length
    assert cell["visual_tokens"] > 0 and cell["first_token_ms"] > 0 and cell["peak_rss_mb"] > 0
    rows = proc["default"]
    assert rows["ask"]["sent"] == "lines"  # "total" names the TOTAL row of the receipt
    assert rows["chat_turn2"]["prefix_reused_tokens"] >= rows["chat_turn1"]["prompt_tokens"]
    assert rows["chat_turn2"]["vision_ms"] == 0.0
    assert report["checks"]["chat_turn2_over_turn1"] is not None
    assert report["checks"]["default_dtype"] == "float32"
    md = (tmp_path / "out" / "vlm-speed.md").read_text()
    assert "| 2b | float32 | 256 | yes |" in md and "chat_turn2" in md


def test_real_shape_config_matches_the_released_2b_and_4b() -> None:
    from vlocr.eval.vlm.real_shape_qwen import qwen3_vl_config

    ids = {t: i for i, t in enumerate(vlm_speed_tokens())}
    two = qwen3_vl_config("2b", ids)
    four = qwen3_vl_config("4b", ids)
    assert (two.text_config.hidden_size, two.text_config.num_hidden_layers) == (2048, 28)
    assert two.tie_word_embeddings and four.tie_word_embeddings
    assert (four.text_config.hidden_size, four.text_config.num_hidden_layers) == (2560, 36)
    assert two.vision_config.out_hidden_size == 2048 and four.vision_config.out_hidden_size == 2560
    assert list(two.vision_config.deepstack_visual_indexes) == [5, 11, 17]


def vlm_speed_tokens() -> list[str]:
    from vlocr.testing.tiny_qwen import SPECIAL_TOKENS

    return SPECIAL_TOKENS


@pytest.mark.parametrize(("size", "billions"), [("2b", 2.13), ("4b", 4.44)])
def test_real_shape_parameter_counts(size: str, billions: float) -> None:
    import torch
    from transformers import Qwen3VLForConditionalGeneration

    from vlocr.eval.vlm.real_shape_qwen import qwen3_vl_config

    config = qwen3_vl_config(size, {t: i for i, t in enumerate(vlm_speed_tokens())})
    with torch.device("meta"):
        model = Qwen3VLForConditionalGeneration(config)
    count = sum(p.numel() for p in model.parameters())  # tied embeddings count once
    assert abs(count / 1e9 - billions) < 0.02
