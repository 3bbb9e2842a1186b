"""The question and key-field benchmarks: the L1-L3 questions, the OCR-only answerer and the SROIE field score."""
