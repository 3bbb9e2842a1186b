"""The benchmark: synthetic documents with exact truth, degradations, loaders for users' data,
CER/WER/field metrics, the interleaved runner and its report. Nothing here is imported at runtime
by the reading path; ``vlocr bench`` is the entry point."""
