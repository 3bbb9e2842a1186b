"""The VLM speed bench and the randomly initialised real-shape Qwen3-VL checkpoints it measures."""
