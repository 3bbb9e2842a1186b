"""The benchmark, fenced by what each part measures: ``data`` (users' labelled folders, truth
lines, fonts), ``synth`` (synthetic pages with exact truth and their degradations), ``reading``
(the interleaved OCR runner, text metrics, speed, peers, report, the script bench), ``questions``
(L1-L3 questions, key-field score), ``structure`` (layout, tables, line items) and ``vlm`` (the
Qwen3-VL speed bench). Nothing here is imported at runtime by the reading path; ``vlocr bench``
is the entry point."""
