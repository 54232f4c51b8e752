"""Write-audit-publish: only gated marts reach the published file, atomically."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from expectations.gate import run_gate
from socialmart import warehouse
from socialmart.publish import PublishRefused, publish, write_atomically
from socialmart.settings import Settings


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fetch(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _publish_good_run(settings: Settings, write_mart, rows: list[dict], run_id: str) -> None:
    write_mart(rows)
    assert run_gate(settings, run_id).passed
    publish(settings, run_id)


def test_good_run_publishes_the_mart(settings: Settings, write_mart, good_rows) -> None:
    write_mart(good_rows)
    assert run_gate(settings, "run-1").passed
    result = publish(settings, "run-1")
    assert result.row_counts == {"fct_placement_performance_daily": 3}
    assert result.path == settings.published_marts_path
    published = settings.published_marts_path
    totals = _fetch(
        published,
        "select account_currency, sum(spend) from fct_placement_performance_daily "
        "group by 1 order by 1",
    )
    assert totals == [("EUR", Decimal("83.74")), ("USD", Decimal("41.87"))]
    assert _fetch(published, "select run_id, table_name, row_count from _publication") == [
        ("run-1", "fct_placement_performance_daily", 3)
    ]
    [(run_id, counts)] = _fetch(
        settings.published_health_path, "select run_id, row_counts from publish_log"
    )
    assert (run_id, json.loads(counts)) == ("run-1", {"fct_placement_performance_daily": 3})
    leftovers = [p.name for p in settings.published_dir.iterdir()]
    assert sorted(leftovers) == ["health.duckdb", "marts.duckdb"]


def test_refuses_without_a_gate_run(settings: Settings, write_mart, good_rows) -> None:
    write_mart(good_rows)
    with pytest.raises(PublishRefused, match="no gate result"):
        publish(settings, "run-1")
    assert not settings.published_marts_path.exists()


def test_refuses_when_the_marts_were_rebuilt_after_the_gate(
    settings: Settings, write_mart, good_rows
) -> None:
    write_mart(good_rows)
    assert run_gate(settings, "run-1").passed
    with warehouse.connect(settings) as con:
        con.execute(
            "insert into audit.dbt_builds values ('run-2', null, false, ?, null, null)",
            [datetime.now(UTC) + timedelta(seconds=1)],
        )
    with pytest.raises(PublishRefused, match="rebuilt"):
        publish(settings, "run-1")


def test_open_reader_keeps_its_snapshot_and_does_not_block(
    settings: Settings, write_mart, good_rows
) -> None:
    # run-2 adds rows (a drop against the previous publication would block the gate)
    _publish_good_run(settings, write_mart, good_rows[:1], "run-1")
    reader = duckdb.connect(str(settings.published_marts_path), read_only=True)
    try:
        _publish_good_run(settings, write_mart, good_rows, "run-2")
        old = reader.execute("select count(*) from fct_placement_performance_daily").fetchone()
        assert old == (1,)
    finally:
        reader.close()
    assert _fetch(settings.published_marts_path, "select distinct run_id from _publication") == [
        ("run-2",)
    ]
    assert _fetch(
        settings.published_marts_path, "select count(*) from fct_placement_performance_daily"
    ) == [(3,)]


def test_failed_write_leaves_the_target_untouched(settings: Settings) -> None:
    target = settings.published_dir / "some.duckdb"
    settings.published_dir.mkdir(parents=True)
    target.write_bytes(b"old content")

    def fill(catalog: str) -> None:
        con.execute(f"create table {catalog}.main.t as select 1 as x")
        raise RuntimeError("boom")

    with warehouse.connect(settings) as con, pytest.raises(RuntimeError, match="boom"):
        write_atomically(con, target, fill)
    assert target.read_bytes() == b"old content"
    assert [p.name for p in settings.published_dir.iterdir()] == ["some.duckdb"]


# Publishes run-2 through the pipeline (run lock and all), but dies by SIGKILL at the moment
# the new file would be renamed over the published one: what a kill -9 mid-publish leaves.
_KILLED_PUBLISH = """
import os, signal, sys
from socialmart import pipeline
from socialmart.settings import load_settings
os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
pipeline.publish(load_settings(), sys.argv[1])
"""


def test_temp_files_of_a_killed_publish_are_removed_by_the_next_publish(
    settings: Settings, write_mart, good_rows
) -> None:
    from socialmart import pipeline
    from socialmart.run_lock import held_by_another_process

    _publish_good_run(settings, write_mart, good_rows, "run-1")
    before = _sha256(settings.published_marts_path)
    write_mart([row | {"spend": "50.00"} for row in good_rows])
    assert run_gate(settings, "run-2").passed

    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_PUBLISH, "run-2"],
        env=os.environ.copy(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    leftovers = sorted(p.name for p in settings.published_dir.glob(".marts.duckdb.*.tmp*"))
    assert leftovers, "the killed publish left no temp file (the test no longer simulates it)"
    assert _sha256(settings.published_marts_path) == before
    assert held_by_another_process(settings) is None, "the killed publish kept the run lock"

    result = pipeline.publish(settings, "run-2")

    assert result.row_counts == {"fct_placement_performance_daily": 3}
    assert sorted(p.name for p in settings.published_dir.iterdir()) == [
        "health.duckdb",
        "marts.duckdb",
    ]
    assert _fetch(settings.published_marts_path, "select run_id, row_count from _publication") == [
        ("run-2", 3)
    ]
    assert _fetch(
        settings.published_marts_path,
        "select account_currency, sum(spend) from fct_placement_performance_daily group by 1 "
        "order by 1",
    ) == [("EUR", Decimal("100.00")), ("USD", Decimal("50.00"))]


def test_leftover_temp_files_of_other_targets_are_kept(settings: Settings) -> None:
    from socialmart.publish import remove_leftover_temp_files

    settings.published_dir.mkdir(parents=True)
    target = settings.published_dir / "marts.duckdb"
    mine = [settings.published_dir / f".marts.duckdb.{n}.tmp" for n in ("a1", "b2")]
    theirs = settings.published_dir / ".health.duckdb.c3.tmp"
    for path in [*mine, mine[0].with_name(mine[0].name + ".wal"), theirs]:
        path.write_bytes(b"partial")
    removed = remove_leftover_temp_files(target)
    assert sorted(p.name for p in removed) == [
        ".marts.duckdb.a1.tmp",
        ".marts.duckdb.a1.tmp.wal",
        ".marts.duckdb.b2.tmp",
    ]
    assert [p.name for p in settings.published_dir.iterdir()] == [theirs.name]
