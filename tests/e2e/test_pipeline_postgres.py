"""The pipeline on a PostgreSQL warehouse (``SOCIALMART_WAREHOUSE=postgres``).

The build's bookkeeping (``audit.dbt_builds``, the marts' dbt test results the gate reads,
the currency check) runs through the same functions as on DuckDB.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
from datetime import UTC

import pytest

from socialmart import pg_warehouse, transform
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
