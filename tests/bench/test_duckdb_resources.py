"""DuckDB resource settings reach dbt's connections and the warehouse's own."""

from __future__ import annotations

import json

import pytest

from bench import dbt_runner
from socialmart import warehouse
from socialmart.settings import load_settings

QUERY = (
    "select current_setting('memory_limit') as memory_limit, "
    "current_setting('threads') as threads, "
    "current_setting('temp_directory') as temp_directory"
)


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
    monkeypatch.delenv("SOCIALMART_WAREHOUSE_PATH", raising=False)
    monkeypatch.setenv("DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("DUCKDB_THREADS", "1")
    return load_settings()


def _shown(stdout: str) -> dict:
    """The row ``dbt show --output json --log-format json`` printed."""
    for line in stdout.splitlines():
        event = json.loads(line)
        if event["info"]["name"] == "ShowNode":
            return json.loads(event["data"]["preview"])[0]
    raise AssertionError(f"no ShowNode event in dbt's output:\n{stdout[-2000:]}")


def _spill_folder(settings) -> str:
    """DuckDB's default temp directory: next to the database file."""
    return f"{settings.warehouse_path}.tmp"


def test_dbt_runs_with_the_configured_memory_threads_and_spill_folder(settings):
    args = ["show", "--inline", QUERY, "--output", "json", "--log-format", "json"]
    row = _shown(dbt_runner.run_command(settings, args).stdout)
    # DuckDB reports 1GB (10^9 bytes) in binary units.
    assert row == {
        "memory_limit": "953.6 MiB",
        "threads": 1,
        "temp_directory": _spill_folder(settings),
    }


def test_warehouse_connections_get_the_same_settings(settings):
    with warehouse.connect(settings) as con:
        row = con.execute(QUERY).fetchone()
    assert row == ("953.6 MiB", 1, _spill_folder(settings))


def test_a_connection_after_a_spill_still_applies_the_settings(settings, monkeypatch):
    """dbt-duckdb applies the settings on every cursor: after a query spilled, applying them
    again must not try to move the temp directory (DuckDB refuses once it has been used)."""
    monkeypatch.setenv("DUCKDB_MEMORY_LIMIT", "64MB")
    small = load_settings()
    with warehouse.connect(small) as con:
        con.execute(
            "create table spilled as select i, md5(i::varchar) as s"
            " from range(3000000) t(i) order by s"
        )
        again = con.cursor()
        warehouse.apply_resource_settings(again, small)
        assert again.execute("select count(*) from spilled").fetchone() == (3000000,)
