"""The pipeline on a PostgreSQL warehouse (``SOCIALMART_WAREHOUSE=postgres``).

Three runs (a first pull, a re-pull after Meta restated conversions, a backfill of older
days) go through every step on the stand-in APIs into PostgreSQL: the publication (schema
``published``) reconciles to the stand-in's ground truth and equals, row by row, what a full
refresh builds from the same raw rows (tests/dbt/test_postgres.py shows PostgreSQL's full
build equal to DuckDB's, row by row); a failed gate leaves ``published`` untouched. The
build's bookkeeping, the run lock (an advisory lock) and the demo's cluster are tested too.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
from datetime import UTC, date

import pytest
from e2e_support import SEED
from pg_support import fetch_sorted

from devtools.reconcile import reconcile_published
from expectations.gate import GateFailed
from sandbox.client_env import client_env
from socialmart import pg_warehouse, pipeline, transform
from socialmart.publish import PublishRefused
from socialmart.run_lock import WarehouseBusy, warehouse_lock
from socialmart.settings import load_settings
from socialmart.stack import postgres
from socialmart.transform import MartTestResult

pytestmark = pytest.mark.e2e


def _failing_test(sql: str) -> MartTestResult:
    return MartTestResult(
        unique_id="test.socialmart.not_negative_spend",
        test_name="expression_is_true",
        model="fct_placement_performance_daily",
        column_names=("spend",),
        severity="error",
        status="fail",
        failures=1,
        message="Got 1 result, configured to fail if != 0",
        kwargs={"expression": "spend >= 0"},
        compiled_sql=sql,
    )


def test_build_audit_and_mart_test_results_on_postgres(pg_settings) -> None:
    command = transform.dbt_command(pg_settings, ["build"])
    assert command[command.index("--target") + 1] == "postgres"
    env = transform.dbt_env_overrides(pg_settings)
    assert env["SOCIALMART_PG_DBNAME"] == pg_settings.postgres.dbname
    assert "SOCIALMART_PG_PASSWORD" not in env  # overrides travel through XComs

    with pg_warehouse.connect(pg_settings) as con:
        con.execute("create table marts.fct_spend (reporting_currency varchar, spend numeric)")
        con.execute("insert into marts.fct_spend values ('EUR', 5.00), ('EUR', -1.50)")
        assert transform.latest_build_mart_tests(con) == (None, [])
    assert transform.currency_switch(pg_settings) is None

    started = transform.record_build_start(pg_settings, "pg-run", select="marts")
    test = _failing_test("select spend from marts.fct_spend where spend < 0")
    transform.record_build_end(pg_settings, "pg-run", started, succeeded=False, tests=[test])

    with pg_warehouse.connect(pg_settings) as con:
        build = con.execute(
            "select run_id, selector, finished_at is not null, succeeded from audit.dbt_builds"
        ).fetchall()
        latest, tests = transform.latest_build_mart_tests(con)
    assert build == [("pg-run", "marts", True, False)]
    assert latest == started.astimezone(UTC) and latest.tzinfo is not None
    [stored] = tests
    assert stored.failed and stored.kwargs == {"expression": "spend >= 0"}
    assert stored.failing_rows == ({"spend": "-1.50"},)  # amounts stored as JSON text

    with pg_warehouse.connect(pg_settings) as con:
        con.execute("update marts.fct_spend set reporting_currency = 'USD'")
    assert "marts.fct_spend holds amounts in USD" in transform.currency_switch(pg_settings)


HOLD_LOCK = """
import sys, time
from socialmart.run_lock import warehouse_lock
from socialmart.settings import load_settings
with warehouse_lock(load_settings(), sys.argv[1], sys.argv[2], shared=sys.argv[3] == "shared"):
    print("held", flush=True)
    time.sleep(600)
"""


@pytest.fixture
def lock_holder():
    """Start a child (same environment: the same warehouse) holding the run lock."""
    started: list[subprocess.Popen] = []

    def start(run_id: str, step: str, mode: str = "exclusive") -> subprocess.Popen:
        child = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, run_id, step, mode],
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        started.append(child)
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        return child

    yield start
    for child in started:
        child.kill()
        child.wait(timeout=30)


def test_a_second_operator_is_told_who_holds_the_postgres_build_lock(
    pg_settings, lock_holder
) -> None:
    holder = lock_holder("nightly-1", "transform")
    with pytest.raises(WarehouseBusy) as caught:
        with warehouse_lock(pg_settings, "r2", "publish", timeout=0.5):
            pass
    message = str(caught.value)
    assert f"holds the warehouse {pg_settings.postgres.dbname} on " in message
    assert f"run nightly-1, step transform, PID {holder.pid} on host {socket.gethostname()}" in (
        message
    )
    assert "waited 0.5 s" in message and "pg_terminate_backend(" in message
    assert not (pg_settings.home / "warehouse.lock").exists()  # no DuckDB file lock

    # Loads share the lock with each other, never with a build.
    holder.kill()
    holder.wait(timeout=30)  # its session ends: PostgreSQL releases the lock
    lock_holder("nightly-2", "load", "shared")
    with warehouse_lock(pg_settings, "r3", "load", timeout=0, shared=True) as me:
        assert me.run_id == "r3"
        with warehouse_lock(pg_settings, "r3", "prepare_raw_tables", shared=True) as inner:
            assert inner.step == "load/prepare_raw_tables"
    with pytest.raises(WarehouseBusy, match="run nightly-2, step load"):
        with warehouse_lock(pg_settings, "r4", "transform", timeout=0):
            pass


def test_the_demo_cluster_starts_under_the_home_with_the_settings_login_and_stops(
    tmp_path, monkeypatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
    monkeypatch.setenv("SOCIALMART_WAREHOUSE", "postgres")
    monkeypatch.setenv("SOCIALMART_PG_PORT", str(port))
    monkeypatch.setenv("SOCIALMART_PG_PASSWORD", "a-test-password")
    settings = load_settings()
    cluster = postgres.warehouse_cluster(settings)

    with postgres.running(cluster, tmp_path / "logs" / "pg.log"):
        with pg_warehouse.connect(settings) as con:
            (listen,) = con.execute("show listen_addresses").fetchone()
            (auth,) = con.execute("select current_user").fetchone()
        wrong = dataclasses.replace(settings.postgres, password="wrong")
        with pytest.raises(pg_warehouse.WarehouseUnreachable, match="password"):
            pg_warehouse.connect(dataclasses.replace(settings, postgres=wrong))  # SCRAM
        with pytest.raises(RuntimeError, match=f"127.0.0.1:{port} is already in use"):
            with postgres.running(cluster, tmp_path / "logs" / "pg.log"):
                pass
    assert (listen, auth) == ("127.0.0.1", settings.postgres.user)
    assert (postgres.cluster_dir(cluster) / "data" / "PG_VERSION").exists()
    with pytest.raises(pg_warehouse.WarehouseUnreachable):  # stopped
        pg_warehouse.connect(settings)


# --- the whole pipeline on PostgreSQL ------------------------------------------------------

#: The runs, in order: (run id, window, the stand-ins' "now"). The first pull is a day after
#: its window, so Meta's conversions of its last days are still maturing; the re-pull two
#: weeks later stores the restated versions; the backfill pulls the week before.
WEEK = pipeline.Window(date(2026, 9, 27), date(2026, 10, 4))
WEEK_BEFORE = pipeline.Window(date(2026, 9, 20), date(2026, 9, 26))
RUNS = (
    ("first", WEEK, "2026-10-05T06:00:00+00:00"),
    ("restated", WEEK, "2026-10-20T06:00:00+00:00"),
    ("backfill", WEEK_BEFORE, "2026-10-20T06:00:00+00:00"),
)
SPAN = pipeline.Window(WEEK_BEFORE.start, WEEK.end)
#: Published columns that say when this engine's run pulled or loaded, not what was pulled.
RUN_TIME_COLUMNS = {"first_pulled_at", "latest_pulled_at", "pulled_at", "loaded_at"}


@pytest.fixture(scope="module")
def postgres_runs(stand_in, pg_cluster, tmp_path_factory):
    """Every run of :data:`RUNS` against the stand-in, as `socialmart run` does; the settings."""
    database = pg_cluster.new_database("pipeline_runs")
    home = tmp_path_factory.mktemp("postgres-runs")
    with pytest.MonkeyPatch.context() as env:
        for name, value in {
            "SOCIALMART_HOME": str(home),
            "META_GRAPH_BASE_URL": f"{stand_in.base_url}/graph.facebook.com",
            "SANDBOX_PORT": stand_in.base_url.rsplit(":", 1)[1],
            "SANDBOX_SEED": str(SEED),
            "HTTP_BACKOFF_BASE_SECONDS": "0.01",
            **client_env(),
            **database.warehouse_env(),
        }.items():
            env.setenv(name, value)
        settings = load_settings()
        for run_id, window, now in RUNS:
            env.setenv("SANDBOX_NOW", now)
            summary = pipeline.run(settings, window, run_id)
            assert summary.gate.passed and summary.raw_gate.passed, run_id
    return settings


def _tables(settings, schema: str, names=None) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table of ``schema`` but ``_publication`` (or those ``names``): (columns, sorted
    rows)."""
    with pg_warehouse.connect(settings) as con:
        tables = names or [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_name <> '_publication' order by 1",
                [schema],
            ).fetchall()
        ]
        return {table: _rows(con.execute(f'select * from {schema}."{table}"')) for table in tables}


def _rows(cursor) -> tuple[list[str], list[tuple]]:
    names = [column[0] for column in cursor.description]
    keep = [i for i, name in enumerate(names) if name not in RUN_TIME_COLUMNS]
    rows = [tuple(row[i] for i in keep) for row in cursor.fetchall()]
    return [names[i] for i in keep], fetch_sorted(rows)


def test_postgres_runs_publish_the_ground_truth_with_restatements_and_a_backfill(
    postgres_runs,
) -> None:
    settings = postgres_runs
    verdict = reconcile_published(settings, SEED, SPAN.start, SPAN.end)
    assert verdict.ok, verdict.mismatches[:5]
    with pg_warehouse.connect(settings) as con:
        restated = con.execute(
            "select sum(rows_inserted) from raw._loads "
            "where run_id = 'restated' and stream = 'ad_insights_placement'"
        ).fetchone()[0]
        published = con.execute("select distinct run_id from published._publication").fetchall()
        builds = con.execute(
            "select run_id, succeeded from audit.dbt_builds order by started_at"
        ).fetchall()
    assert restated > 0, "the re-pull stored no restated version: the test proves nothing"
    assert published == [("backfill",)]
    assert builds == [(run_id, True) for run_id, _, _ in RUNS]
    assert pipeline.unbuilt_loads(settings, "check") == 0  # every load is in a published build


def test_the_published_marts_equal_a_full_refresh_row_by_row(postgres_runs) -> None:
    """The runs built incrementally (restated versions, a backfill of older days); a full
    refresh from the same raw rows builds the same marts, every column, every row."""
    published = _tables(postgres_runs, "published")
    assert published["fct_placement_performance_daily"][1], "no placement rows: proves nothing"
    transform.build(postgres_runs, "full-refresh", full_refresh=True)
    rebuilt = _tables(postgres_runs, "marts", sorted(published))
    for table, (columns, rows) in published.items():
        assert rebuilt[table][0] == columns, table
        # Decimals compare exactly (Decimal == Decimal), dates as dates, no float anywhere.
        assert rebuilt[table][1] == rows, table


def test_a_failed_gate_leaves_published_untouched(postgres_runs) -> None:
    settings = postgres_runs
    before = _tables(settings, "published")
    with pg_warehouse.connect(settings) as con:
        # A negative spend makes a negative share of its campaign's day (an expectation).
        corrupted = con.execute(
            "update marts.fct_placement_performance_daily set spend = -spend "
            "where ctid = (select ctid from marts.fct_placement_performance_daily "
            "where spend > 0 order by report_date, ad_id limit 1)"
        )
        assert corrupted.rowcount == 1
    with pytest.raises(GateFailed):
        pipeline.validate(settings, "corrupted")
    with pytest.raises(PublishRefused, match="gate failed for run corrupted"):
        pipeline.publish(settings, "corrupted")
    assert _tables(settings, "published") == before
    with pg_warehouse.connect(settings) as con:
        gates = con.execute("select run_id, passed from health.gate_runs order by validated_at")
        assert gates.fetchall()[-1] == ("corrupted", False)  # the health tables show it


def test_on_postgres_loads_share_the_writer_pool_and_the_transform_tasks_take_all_of_it(
    monkeypatch,
) -> None:
    from airflow.dag_processing.dagbag import BundleDagBag

    from socialmart.airflow_env import DAGS_FOLDER

    monkeypatch.setenv("SOCIALMART_WAREHOUSE", "postgres")
    monkeypatch.setenv("SOCIALMART_WRITER_POOL_SLOTS", "3")
    bag = BundleDagBag(dag_folder=DAGS_FOLDER, bundle_path=DAGS_FOLDER)
    assert bag.import_errors == {}
    load = bag.dags["ingest_meta"].get_task("load")
    assert (load.pool, load.pool_slots) == ("warehouse_writer", 1)
    transform_dag = bag.dags["transform_publish"]
    for task_id in ("has_new_loads", "validate_raw", "dbt_build", "validate", "publish"):
        task = transform_dag.get_task(task_id)
        assert (task.pool, task.pool_slots) == ("warehouse_writer", 3), task_id
