"""The whole pipeline on the stand-in APIs: published marts equal the ground truth, to the cent.

Runs the steps the way `socialmart run` does, then through Airflow: the ingest DAGs and the
transform DAG with `airflow dags test` (the demo's path), and once through a real scheduler
(`airflow standalone` on a free loopback port, triggered through the REST API, the transform
DAG started by the raw-table assets). All are slow-ish (dbt, Airflow start-up).
"""

import socket
from datetime import date

import duckdb
import pytest

from sandbox.client_env import client_env
from socialmart import pipeline
from socialmart.airflow_env import AirflowStack, prepare_airflow
from socialmart.demo import run_pipeline_dags
from socialmart.logs import secret_values
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
    monkeypatch.setenv("SANDBOX_PORT", stand_in.base_url.rsplit(":", 1)[1])
    monkeypatch.setenv("SANDBOX_SEED", str(SEED))
    monkeypatch.setenv("HTTP_BACKOFF_BASE_SECONDS", "0.01")
    for name, value in client_env().items():
        monkeypatch.setenv(name, value)
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


def assert_no_secret_in(text: str, settings) -> None:
    for secret in secret_values(settings):
        assert secret not in text, f"a credential ({secret[:4]}...) leaked into stored state"


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
    assert_no_secret_in(_all_text(settings), settings)


def _published_run_id(settings) -> str:
    with duckdb.connect(str(settings.published_marts_path), read_only=True) as con:
        return con.execute("select run_id from _publication").fetchone()[0]


def test_airflow_dag_run_publishes_the_ground_truth(settings):
    prepare_airflow(settings)
    run_pipeline_dags(settings, WINDOW.start, WINDOW.end)

    verdict = reconcile_placements(settings.published_marts_path, SEED, WINDOW.start, WINDOW.end)
    assert verdict.ok, verdict.mismatches[:5]
    assert _published_run_id(settings).startswith("manual__")
    assert_no_secret_in(_all_text(settings), settings)


def _task_instances(stack, dag_id: str, run_id: str) -> list[dict]:
    """Every task instance of a run, page by page (the API caps a page at 100)."""
    tasks: list[dict] = []
    while True:
        page = stack.api(
            "GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=100&offset={len(tasks)}"
        )
        tasks += page["task_instances"]
        if not page["task_instances"] or len(tasks) >= page["total_entries"]:
            return tasks


def test_real_scheduler_runs_ingest_then_the_asset_triggered_transform(settings, monkeypatch):
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "True")
    prepare_airflow(settings)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with AirflowStack(settings, port) as stack:
        stack.wait_until_ready(["ingest_meta", "transform_publish"], timeout=90)
        for dag_id in ("ingest_meta", "transform_publish"):
            stack.api("PATCH", f"/dags/{dag_id}", {"is_paused": False})
        run_id = stack.trigger("ingest_meta", WINDOW.as_dict())
        # Unpausing also starts the latest scheduled run (catchup=False): both ingest runs
        # and the transform runs they trigger share the one warehouse writer slot.
        stack.wait_for_run("ingest_meta", timeout=300, run_id=run_id)
        newest = stack.wait_until_idle("transform_publish", timeout=300)
        assert newest["state"] == "success", newest
        assert newest["run_type"] == "asset_triggered"
        tasks = _task_instances(stack, "transform_publish", newest["dag_run_id"])
    assert {"validate", "publish"} <= {t["task_id"] for t in tasks}
    assert any(t["task_id"].endswith("fct_placement_performance_daily.run") for t in tasks)
    assert all(t["state"] == "success" for t in tasks)

    verdict = reconcile_placements(settings.published_marts_path, SEED, WINDOW.start, WINDOW.end)
    assert verdict.ok, verdict.mismatches[:5]
    assert _published_run_id(settings).startswith("asset_triggered__")
    assert_no_secret_in(_all_text(settings), settings)
