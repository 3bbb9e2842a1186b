"""The extract table: one row per document page, one column per schema field, for spreadsheets and
dataframes. Columns come from the schema's ``properties`` (then any other key a result holds), so
whatever engine filled the fields, the table has the same shape. Nested values (an invoice's or
receipt's line items) are JSON text in the CSV and stay lists of records in the Parquet file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from vlocr.batch.store import write_atomic
from vlocr.batch.task_runner import BatchRecord

FIXED = ["source", "page", "status", "error"]


def field_names(schema: dict[str, Any] | None, records: list[BatchRecord]) -> list[str]:
    names = list((schema or {}).get("properties") or {})
    for rec in records:
        data = (rec.result or {}).get("data") or {}
        names.extend(k for k in data if k not in names)
    return [n for n in names if n not in FIXED]


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def rows(schema: dict[str, Any] | None, records: list[BatchRecord]) -> tuple[list[str], list[dict]]:
    """Header and rows (values as the results hold them, lists included); an invalid result
    keeps its fields and says why in ``error``."""
    fields = field_names(schema, records)
    out = []
    for rec in sorted(records, key=lambda r: (r.source, r.page)):
        result = rec.result or {}
        data = result.get("data") or {}
        error = rec.error.message if rec.error else "; ".join(result.get("validation_errors") or [])
        row = {"source": rec.source, "page": rec.page, "status": rec.status, "error": error}
        row.update({name: data.get(name) for name in fields})
        out.append(row)
    return FIXED + fields, out


def write_tables(
    out_dir: Path, schema: dict[str, Any] | None, records: list[BatchRecord]
) -> list[Path]:
    """``extract.csv`` always; ``extract.parquet`` too when pyarrow is installed."""
    header, table = rows(schema, [r for r in records if r.task == "extract"])
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header)
    writer.writeheader()
    writer.writerows({name: _cell(value) for name, value in row.items()} for row in table)
    written = [out_dir / "extract.csv"]
    write_atomic(written[0], buf.getvalue().encode("utf-8"))
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return written
    columns = {name: _arrow_column(pa, [row[name] for row in table]) for name in header}
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table(columns), sink)
    written.append(out_dir / "extract.parquet")
    write_atomic(written[1], sink.getvalue().to_pybytes())
    return written


def _arrow_column(pa: Any, values: list[Any]) -> Any:
    """Typed when the values agree (numbers stay numbers, line items a list of records), text
    when they do not (nested values as JSON, like the CSV)."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pa.array([None if v is None else str(_cell(v)) for v in values])
