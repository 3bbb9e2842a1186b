"""Benchmark inputs: users' labelled folders, the truth-line type and drawing surface, and the fonts pages are rendered with."""
