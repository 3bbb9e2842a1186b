"""Helpers for tests of vlocr and of code built on it (e.g. a tiny Qwen3-VL checkpoint)."""
