"""A tiny, randomly initialised Qwen3-VL checkpoint for tests.

It has the same files as the hub repo (config.json, safetensors weights, tokenizer files with the
Qwen special tokens and a Qwen-style chat template, preprocessor_config.json), so the real loading
code (``from_pretrained`` on a directory) runs against it offline. Answers are random bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

from vlocr.vlm.chat_template import QWEN_CHAT_TEMPLATE as CHAT_TEMPLATE

# Special tokens in the order the Qwen vocab lists them; ids follow the 256 byte tokens.
SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
]


PATCH_SIZE = 16
MERGE_SIZE = 2


def _build_tokenizer(path: Path) -> int:
    """Byte-level BPE without merges: 256 byte tokens + the Qwen special tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {ch: i for i, ch in enumerate(sorted(alphabet))}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=SPECIAL_TOKENS[1:],
    )
    fast.add_special_tokens({"additional_special_tokens": SPECIAL_TOKENS[1:]})
    fast.chat_template = CHAT_TEMPLATE
    fast.model_max_length = 32768
    fast.save_pretrained(str(path))
    return len(fast)


def build_tiny_qwen3_vl(path: Path) -> Path:
    """Write a tiny Qwen3-VL model directory at ``path`` and return it.

    ~0.3 MB of float32 weights: hidden size 64, 2 text layers, a 2-block vision tower with
    16 px patches merged 2x2 (one visual token per 32x32 pixels, as in the real model).
    """
    import torch
    from transformers import Qwen3VLConfig, Qwen3VLForConditionalGeneration

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    vocab_size = _build_tokenizer(path)
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(path))
    ids: dict[str, int] = {t: tok.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}  # type: ignore[misc]

    config = Qwen3VLConfig(
        text_config={
            "vocab_size": vocab_size,
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "head_dim": 16,
            "max_position_embeddings": 4096,
            "rope_parameters": {
                "rope_type": "default",
                "rope_theta": 10000.0,
                "mrope_section": [2, 3, 3],
                "mrope_interleaved": True,
            },
            "bos_token_id": ids["<|endoftext|>"],
            "eos_token_id": ids["<|im_end|>"],
            "pad_token_id": ids["<|endoftext|>"],
        },
        vision_config={
            "depth": 2,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 2,
            "patch_size": PATCH_SIZE,
            "spatial_merge_size": MERGE_SIZE,
            "temporal_patch_size": 2,
            "out_hidden_size": 64,
            "num_position_embeddings": 256,
            "deepstack_visual_indexes": [0],
        },
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
        tie_word_embeddings=False,
    )
    config.eos_token_id = ids["<|im_end|>"]
    config.pad_token_id = ids["<|endoftext|>"]
    torch.manual_seed(0)
    model = Qwen3VLForConditionalGeneration(config).eval()
    model.generation_config.eos_token_id = ids["<|im_end|>"]
    model.generation_config.pad_token_id = ids["<|endoftext|>"]
    model.generation_config.do_sample = False
    model.save_pretrained(str(path))

    write_processor_files(path)
    return path


def write_processor_files(path: Path) -> None:
    """The image processor settings and chat template a Qwen3-VL checkpoint folder carries, as
    the released models ship them; any checkpoint vlocr builds (tiny or real-shape) gets these."""
    preprocessor = {
        "image_processor_type": "Qwen2VLImageProcessor",
        "processor_class": "Qwen3VLProcessor",
        "size": {"shortest_edge": 65536, "longest_edge": 16777216},
        "patch_size": PATCH_SIZE,
        "temporal_patch_size": 2,
        "merge_size": MERGE_SIZE,
        "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5],
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "do_resize": True,
        "do_convert_rgb": True,
    }
    (path / "preprocessor_config.json").write_text(json.dumps(preprocessor, indent=2))
    (path / "chat_template.json").write_text(json.dumps({"chat_template": CHAT_TEMPLATE}))


if __name__ == "__main__":  # pragma: no cover - manual helper
    import sys

    print(build_tiny_qwen3_vl(Path(sys.argv[1] if len(sys.argv) > 1 else "tiny-qwen3-vl")))
