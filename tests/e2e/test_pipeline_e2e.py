"""The whole pipeline on the stand-in APIs: published marts equal the ground truth, to the cent.

Runs the steps the way `socialmart run` does, then through Airflow (`airflow dags test`, the
demo's path). Both are slow-ish (dbt start-up, Airflow start-up), so they share fixtures.
"""

from datetime import date

import duckdb
import pytest

from socialmart import pipeline
from socialmart.airflow_env import migrate_metadata_db
from socialmart.demo import run_pipeline_dag
from socialmart.reconcile import reconcile_placements
from socialmart.settings import load_settings

pytestmark = pytest.mark.e2e

SEED = 7
WINDOW = pipeline.Window(date(2026, 9, 27), date(2026, 10, 4))  # Threads switches on 10-01
RAW_TABLE = "raw.meta__ad_insights_placement"


@pytest.fixture(scope="module")
def stand_in():
    from sandbox.server import serve_in_thread

    with serve_in_thread(port=0, seed=SEED) as running:
        yield running


@pytest.fixture
def settings(stand_in, tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("META_GRAPH_BASE_URL", f"{stand_in.base_url}/graph.facebook.com")
    monkeypatch.setenv("SANDBOX_SEED", str(SEED))
    monkeypatch.setenv("HTTP_BACKOFF_BASE_SECONDS", "0.01")
    return load_settings()


def _mart_rows(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select * from fct_placement_performance_daily order by all").fetchall()


def _raw_state(settings):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        versions = con.execute(f"select count(*) from {RAW_TABLE}").fetchone()[0]
        inserted = con.execute(
            "select run_id, sum(rows_inserted) from raw._loads"
            " group by run_id order by min(loaded_at)"
        ).fetchall()
    return versions, inserted


def _all_text(settings) -> str:
    """Every value of every warehouse and published table, plus every file under the home."""
    chunks = []
    for db in (settings.warehouse_path, settings.published_marts_path):
        with duckdb.connect(str(db), read_only=True) as con:
            tables = con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
            for schema, table in tables:
                frame = con.execute(f'select * from "{schema}"."{table}"').df()
                chunks.append(frame.to_csv())
    for path in settings.home.rglob("*"):
        if path.is_file() and path.suffix not in (".duckdb", ".wal"):
            chunks.append(path.read_text(errors="replace"))
    return "\n".join(chunks)


def test_run_publishes_the_ground_truth_and_rerunning_changes_nothing(settings):
    first = pipeline.run(settings, WINDOW, "e2e-first")
    assert first.gate.passed

    verdict = reconcile_placements(settings.published_marts_path, SEED, WINDOW.start, WINDOW.end)
    assert verdict.ok, verdict.mismatches[:5]
    with duckdb.connect(str(settings.published_marts_path), read_only=True) as con:
        threads_days = con.execute(
            "select count(distinct report_date) from fct_placement_performance_daily"
            " where publisher_platform = 'threads' and spend > 0"
        ).fetchone()[0]
    assert threads_days == 4, "Threads spend starts on 2026-10-01 in the stand-in's story"

    rows_before = _mart_rows(settings.published_marts_path)
    versions_before, _ = _raw_state(settings)
    pipeline.run(settings, WINDOW, "e2e-second")
    versions_after, inserted = _raw_state(settings)

    assert _mart_rows(settings.published_marts_path) == rows_before
    assert versions_after == versions_before
    assert inserted[-1] == ("e2e-second", 0)
    assert settings.meta.access_token not in _all_text(settings)


def test_airflow_dag_run_publishes_the_ground_truth(settings):
    migrate_metadata_db(settings)
    run_pipeline_dag(settings, WINDOW.start, WINDOW.end)

    verdict = reconcile_placements(settings.published_marts_path, SEED, WINDOW.start, WINDOW.end)
    assert verdict.ok, verdict.mismatches[:5]
    with duckdb.connect(str(settings.published_marts_path), read_only=True) as con:
        (run_id,) = con.execute("select run_id from _publication").fetchone()
    assert run_id.startswith("manual__")
    assert settings.meta.access_token not in _all_text(settings)
