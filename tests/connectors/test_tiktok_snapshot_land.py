"""Snapshot streams (``window_column=None``) in the generic loader: a key the latest pull no
longer returns is tombstoned whatever its dates; an unchanged pull inserts nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from connectors.common.land import load_unit
from connectors.common.spool import SpoolWriter, read_manifest
from connectors.common.streams import StreamSpec

SPEC = StreamSpec(
    name="things",
    source="snapshot_test",
    source_label="test",
    columns={"account": "VARCHAR", "thing_id": "VARCHAR", "status": "VARCHAR"},
    key=("account", "thing_id"),
    window_column=None,
    account_column="account",
)


def _pull(con: duckdb.DuckDBPyConnection, spool: Path, run: str, rows: list[dict]) -> tuple:
    writer = SpoolWriter(
        spool, run, "snapshot_test", "things", "a1", date(2026, 1, 1), date(2026, 1, 1)
    )
    writer.write_page(rows)
    manifest = writer.commit(request_count=1)
    report = load_unit(con, SPEC, read_manifest(manifest), manifest.parent)
    return report.rows_inserted, report.tombstones_inserted


def test_snapshot_tombstones_vanished_keys(tmp_path: Path) -> None:
    con = duckdb.connect()
    both = [
        {"account": "a1", "thing_id": "1", "status": "on"},
        {"account": "a1", "thing_id": "2", "status": "on"},
    ]
    assert SPEC.is_snapshot
    assert _pull(con, tmp_path, "r1", both) == (2, 0)
    assert _pull(con, tmp_path, "r2", both) == (0, 0)
    assert _pull(con, tmp_path, "r3", both[:1]) == (0, 1)
    latest = con.execute(
        "select thing_id, _is_deleted from raw.snapshot_test__things "
        "qualify row_number() over (partition by thing_id order by _pulled_at desc) = 1 "
        "order by thing_id"
    ).fetchall()
    assert latest == [("1", False), ("2", True)]
