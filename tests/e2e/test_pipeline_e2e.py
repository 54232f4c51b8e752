"""The whole pipeline on the stand-in APIs: published marts equal the ground truth, to the cent.

Runs the steps the way `socialmart run` does, then through Airflow: the ingest DAGs and the
transform DAG with `airflow dags test` (the demo's path). The real scheduler has its own
module (test_real_scheduler_e2e.py). All are slow-ish (dbt, Airflow start-up).
"""

import sqlite3

import duckdb
import pytest
from e2e_support import (
    SEED,
    WINDOW,
    all_text,
    assert_no_secret_in,
    mart_rows,
    published_run_id,
    raw_state,
)

from devtools import dags_test
from devtools.demo import TRANSFORM_DAG_ID, run_pipeline_dags
from devtools.reconcile import reconcile_placements
from socialmart import pipeline
from socialmart.airflow_env import prepare_airflow
from socialmart.orchestration import ingest_dag_ids

pytestmark = pytest.mark.e2e


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

    _assert_completeness_checks_ran(settings, first.gate)

    rows_before = mart_rows(settings.published_marts_path)
    versions_before, _ = raw_state(settings)
    second = pipeline.run(settings, WINDOW, "e2e-second")
    volume = [r for r in second.gate.results if r.suite.endswith(".published_volume")]
    assert len(volume) == 2 and all(r.success for r in volume)  # both facts, vs the first
    versions_after, inserted = raw_state(settings)

    assert mart_rows(settings.published_marts_path) == rows_before
    assert versions_after == versions_before
    assert inserted[-1] == ("e2e-second", 0)
    assert_no_secret_in(all_text(settings), settings)


def test_airflow_dag_run_publishes_the_ground_truth(settings):
    prepare_airflow(settings)
    run_pipeline_dags(settings, WINDOW.start, WINDOW.end)

    # One Airflow process ran every DAG; each DAG's log holds its own run.
    logs = settings.home / "airflow" / "dags-test"
    for dag_id in [*ingest_dag_ids(), TRANSFORM_DAG_ID]:
        log = (logs / f"{dag_id}.log").read_text()
        assert f"{dags_test.BEGIN}{dag_id}\n" in log and f"{dags_test.END}{dag_id} ok" in log
        assert log.count(dags_test.BEGIN) == 1, dag_id

    verdict = reconcile_placements(settings.published_marts_path, SEED, WINDOW.start, WINDOW.end)
    assert verdict.ok, verdict.mismatches[:5]
    assert published_run_id(settings).startswith("manual__")
    assert_no_secret_in(all_text(settings), settings)
    _assert_durations_are_real(settings)


def _assert_durations_are_real(settings) -> None:
    """The demo's runs and tasks (mapped ones included) last what they took: not weeks (a past
    logical date recorded as the start), never negative."""
    with sqlite3.connect(settings.home / "airflow" / "airflow.db") as db:
        tasks = db.execute(
            "select count(*), min(duration), max(duration) from task_instance "
            "where end_date is not null"
        ).fetchone()
        mapped = db.execute("select count(*) from task_instance where map_index >= 0").fetchone()
        runs = db.execute(
            "select max((julianday(end_date) - julianday(start_date)) * 86400), "
            "min((julianday(end_date) - julianday(start_date)) * 86400) from dag_run"
        ).fetchone()
    assert tasks[0] > 0 and mapped[0] > 0, (tasks, mapped)
    assert 0 <= tasks[1] <= tasks[2] < 3600, tasks
    assert 0 <= runs[1] <= runs[0] < 3600, runs


def _assert_completeness_checks_ran(settings, gate) -> None:
    """The completeness checks (the rollup is the build's dbt test) ran and passed, and the
    account-level totals of both platforms covered every account-day the ad mart has in the
    window."""
    checks = {(r.suite, r.expectation_type): r for r in gate.results}
    for check in (
        ("marts.fct_placement_performance_daily.dbt", "dbt.placement_rows_sum_to_the_ad_totals"),
        ("marts.fct_ad_performance_daily.day_coverage", "expect_column_values_to_be_null"),
        ("marts.fct_ad_performance_daily.account_totals", "expect_column_values_to_be_null"),
    ):
        assert checks[check].success, checks[check].observed_value
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        covered = con.execute(
            """
            select platform, count(*) from (
                select 'meta' as platform, ad_account_id, report_date
                from staging.stg_meta__account_insights where spend > 0
                union all
                select 'tiktok', advertiser_id, report_date
                from staging.stg_tiktok__advertiser_report_daily where spend > 0
            ) as totals
            join (
                select distinct platform, ad_account_id, report_date
                from marts.fct_ad_performance_daily
                where report_date between ? and ? and not is_clickless
            ) as mart using (platform, ad_account_id, report_date)
            group by all order by all
            """,
            [WINDOW.start, WINDOW.end],
        ).fetchall()
        days = (WINDOW.end - WINDOW.start).days + 1
        assert [p for p, n in covered] == ["meta", "tiktok"]
        assert all(n >= days for _, n in covered), covered
