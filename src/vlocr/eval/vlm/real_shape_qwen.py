"""Randomly initialised Qwen3-VL checkpoints with the real 2B / 4B shapes, for speed and memory.

Speed and memory do not depend on the weights' values, so a random model of the released shape,
saved as safetensors with tokenizer and preprocessor files, measures what the real one costs
through the same ``from_pretrained`` path, without a download. The answers are noise.

The weights are created on the meta device and materialised directly in the target dtype, so the
build never holds a float32 copy next to the bfloat16 one (the 2B build peaks near its 4.3 GB).
The tokenizer is a byte-level BPE trained here on synthetic receipt text and the task prompts, so
a prompt costs roughly as many tokens as with Qwen's own tokenizer (the JSON reports chars/token).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vlocr.testing.tiny_qwen import (
    CHAT_TEMPLATE,
    MERGE_SIZE,
    PATCH_SIZE,
    SPECIAL_TOKENS,
    write_processor_files,
)

# The released Qwen3-VL-2B/4B-Instruct shapes (config.json of the hub checkpoints).
VISION_SHAPE: dict[str, Any] = {
    "depth": 24,
    "hidden_size": 1024,
    "num_heads": 16,
    "intermediate_size": 4096,
    "patch_size": PATCH_SIZE,
    "spatial_merge_size": MERGE_SIZE,
    "temporal_patch_size": 2,
    "num_position_embeddings": 2304,
    "deepstack_visual_indexes": [5, 11, 17],
    "hidden_act": "gelu_pytorch_tanh",
}
TEXT_SHAPE_2B: dict[str, Any] = {
    "hidden_size": 2048,
    "num_hidden_layers": 28,
    "num_attention_heads": 16,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "intermediate_size": 6144,
}
TEXT_SHAPE_4B: dict[str, Any] = {
    "hidden_size": 2560,
    "num_hidden_layers": 36,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "intermediate_size": 9728,
}
VOCAB_SIZE = 151_936
ROPE_THETA = 5_000_000.0
MROPE_SECTION = [24, 20, 20]
SHAPES: dict[str, dict[str, Any]] = {"2b": TEXT_SHAPE_2B, "4b": TEXT_SHAPE_4B}
TOKENIZER_VOCAB = 16_000


def qwen3_vl_config(size: str, token_ids: dict[str, int]) -> Any:
    """The Qwen3VLConfig of the real ``size`` ("2b" or "4b") with this tokenizer's special ids."""
    from transformers import Qwen3VLConfig

    text = SHAPES[size]
    return Qwen3VLConfig(
        text_config={
            **text,
            "vocab_size": VOCAB_SIZE,
            "max_position_embeddings": 262144,
            "rms_norm_eps": 1e-6,
            "rope_parameters": {
                "rope_type": "default",
                "rope_theta": ROPE_THETA,
                "mrope_section": MROPE_SECTION,
                "mrope_interleaved": True,
            },
            "bos_token_id": token_ids["<|endoftext|>"],
            "eos_token_id": token_ids["<|im_end|>"],
            "pad_token_id": token_ids["<|endoftext|>"],
        },
        vision_config={**VISION_SHAPE, "out_hidden_size": text["hidden_size"]},
        image_token_id=token_ids["<|image_pad|>"],
        video_token_id=token_ids["<|video_pad|>"],
        vision_start_token_id=token_ids["<|vision_start|>"],
        vision_end_token_id=token_ids["<|vision_end|>"],
        tie_word_embeddings=True,  # both released sizes tie (2.13 B and 4.44 B parameters)
    )


def _training_text(samples: int = 60) -> list[str]:
    """Receipt text in English and Chinese plus every prompt, so hints tokenise like real text."""
    from vlocr.eval.synth import long_receipt
    from vlocr.tasks import prompts

    texts = [long_receipt(10_000 + i).text for i in range(samples)]
    for table in (prompts.SYSTEM, prompts.TRANSCRIBE, prompts.HINTS_INTRO, prompts.EXTRACT):
        texts.extend(str(v) for v in table.values())
    return texts


def build_tokenizer(path: Path, vocab_size: int = TOKENIZER_VOCAB) -> dict[str, int]:
    """Train a byte-level BPE with the Qwen special tokens; return their ids."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_training_text(), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=SPECIAL_TOKENS[1:],
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.model_max_length = 262144
    fast.save_pretrained(str(path))
    return {t: int(fast.convert_tokens_to_ids(t)) for t in SPECIAL_TOKENS}  # type: ignore[arg-type]


def build_real_shape_qwen3_vl(path: Path, size: str = "2b", dtype: str = "bfloat16") -> Path:
    """Write a random Qwen3-VL of the real ``size`` at ``path`` (safetensors in ``dtype``)."""
    import torch
    from transformers import Qwen3VLForConditionalGeneration

    if size not in SHAPES:
        raise ValueError(f"unknown size '{size}': use one of {sorted(SHAPES)}")
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    ids = build_tokenizer(path)
    config = qwen3_vl_config(size, ids)
    torch_dtype = getattr(torch, dtype)
    with torch.device("meta"):
        model = Qwen3VLForConditionalGeneration._from_config(config, dtype=torch_dtype)
    model = model.to_empty(device="cpu")
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith(("norm.weight", "norm1.weight", "norm2.weight")):
                param.fill_(1.0)
            elif name.endswith("bias"):
                param.zero_()
            else:
                param.normal_(0.0, 0.02, generator=gen)
    if config.tie_word_embeddings:
        model.tie_weights()
    model.eval()
    model.generation_config.eos_token_id = ids["<|im_end|>"]
    model.generation_config.pad_token_id = ids["<|endoftext|>"]
    model.generation_config.do_sample = False
    model.save_pretrained(str(path))
    del model
    write_processor_files(path)
    (path / "vlocr-random-weights.json").write_text(
        json.dumps({"size": size, "dtype": dtype, "note": "random weights: answers are noise"})
    )
    return path


if __name__ == "__main__":  # pragma: no cover - manual helper
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "qwen3-vl-2b-random")
    print(build_real_shape_qwen3_vl(out, sys.argv[2] if len(sys.argv) > 2 else "2b"))
