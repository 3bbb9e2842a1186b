"""The extract table's line items: JSON text in the CSV, a list of records in the Parquet file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from vlocr.batch.table import write_tables
from vlocr.batch.task_runner import BatchRecord
from vlocr.tasks.schemas import load_schema

ITEMS = [
    {"name": "Sourdough Bread", "qty": None, "unit_price": None, "price": 3.49},
    {"name": "Flat White", "qty": 2.0, "unit_price": 3.5, "price": 7.0},
]


def test_items_column_is_json_in_csv_and_a_list_in_parquet(tmp_path: Path) -> None:
    _, schema = load_schema("receipt")
    records = [
        BatchRecord(
            key="a" * 24,
            source="/in/a.png",
            task="extract",
            result={"data": {"merchant": "CORNER BAKERY", "items": ITEMS, "total": 10.49}},
        ),
        BatchRecord(
            key="b" * 24,
            source="/in/b.png",
            task="extract",
            result={"data": {"merchant": "NO ITEMS", "items": [], "total": 1.0}},
        ),
    ]
    written = write_tables(tmp_path, schema, records)
    with (tmp_path / "extract.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert "items" in rows[0]
    assert json.loads(rows[0]["items"]) == ITEMS and rows[1]["items"] == "[]"
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(written[-1])
    assert str(table.schema.field("items").type).startswith("list<")
    got = table.to_pylist()
    assert got[0]["items"][1] == {"name": "Flat White", "qty": 2.0, "unit_price": 3.5, "price": 7.0}
    assert got[0]["items"][0]["qty"] is None and got[1]["items"] == []
    assert got[0]["total"] == 10.49
