"""The pipeline on a PostgreSQL warehouse (``SOCIALMART_WAREHOUSE=postgres``).

The build's bookkeeping (``audit.dbt_builds``, the marts' dbt test results the gate reads,
the currency check) runs through the same functions as on DuckDB.
"""

from __future__ import annotations

from datetime import UTC

import pytest

from socialmart import pg_warehouse, transform
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
