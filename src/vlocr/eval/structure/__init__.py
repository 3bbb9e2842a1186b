"""The structure benchmarks: layout regions and reading order, tables, and receipt line items."""
