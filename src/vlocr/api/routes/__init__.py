"""The REST routes, one module per group: OCR, VLM tasks, the OpenAI-compatible API, health, bad cases."""
