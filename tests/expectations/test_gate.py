"""The mart gate's GX checks on good and broken marts: verdicts, messages and stored results
(the faults the marts' dbt contract catches: test_gate_dbt_tests.py)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from mart_tables import PLACEMENTS as DATASET

from expectations.gate import GateFailed, enforce, run_gate
from expectations.suites import mart_checks
from expectations.suites.marts import FCT_PLACEMENT_PERFORMANCE_DAILY
from socialmart import warehouse
from socialmart.settings import Settings

SHARE_COLUMNS = ("spend", "platform", "ad_account_id", "report_date", "campaign_id")


def _fetch(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_good_mart_passes_and_every_result_is_stored(
    settings: Settings, write_mart, good_rows: list[dict]
) -> None:
    write_mart(good_rows)
    outcome = run_gate(settings, "run-good")
    assert outcome.passed and not outcome.errors and not outcome.warnings
    enforce(outcome)
    # only the placement mart exists here, no build recorded: its shares (no loads, no
    # staging: no freshness, no reconciliation)
    assert {r.suite for r in outcome.results} == {f"{DATASET}.shares"}
    spec = FCT_PLACEMENT_PERFORMANCE_DAILY
    expectation_count = len(mart_checks.shares_check(spec, spec.shares).expectations)
    assert len(outcome.results) == expectation_count
    stored = _fetch(
        settings.warehouse_path,
        "select count(*), bool_and(success) from audit.gate_results where run_id = ?",
        ["run-good"],
    )
    assert stored == [(expectation_count, True)]
    runs = _fetch(
        settings.warehouse_path, "select run_id, passed, error_count from audit.gate_runs"
    )
    assert runs == [("run-good", True, 0)]
    # the published health file carries the same history
    assert _fetch(settings.published_health_path, "select count(*) from gate_results") == [
        (expectation_count,)
    ]


def test_broken_shares_block_naming_the_expectation(
    settings: Settings, write_mart, good_rows: list[dict]
) -> None:
    # shares of the campaign's day: -0.0001, 0.5, 0.5 (the total stays 100 %)
    negative_spend = good_rows[0] | {"spend": "-0.01"}
    write_mart([negative_spend, good_rows[1], good_rows[1] | {"ad_id": "303"}])
    outcome = run_gate(settings, "run-broken")
    assert not outcome.passed
    [failure] = outcome.errors
    assert (failure.suite, failure.expectation_type, failure.columns) == (
        f"{DATASET}.shares",
        "expect_column_min_to_be_between",
        SHARE_COLUMNS,
    )
    assert failure.observed_value.startswith("min_share: -")
    with pytest.raises(GateFailed) as raised:
        enforce(outcome)
    message = str(raised.value)
    assert "FAILED" in message and "1 error(s)" in message
    assert f"{DATASET}.shares: expect_column_min_to_be_between(spend, platform" in message
    assert raised.value.outcome is outcome
    stored = _fetch(
        settings.warehouse_path,
        "select column_names, severity, observed_value, details "
        "from audit.gate_results where not success",
    )
    [(columns, severity, observed, details)] = stored
    assert (columns, severity) == (", ".join(SHARE_COLUMNS), "error")
    assert observed == failure.observed_value
    assert json.loads(details)["kwargs"]["min_value"] == 0
    assert _fetch(settings.published_health_path, "select passed, error_count from gate_runs") == [
        (False, 1)
    ]


def test_a_check_whose_query_fails_blocks_with_the_database_error(
    settings: Settings, write_mart, good_rows: list[dict]
) -> None:
    write_mart(good_rows)
    with warehouse.connect(settings) as con:
        con.execute(f"alter table {DATASET} rename column spend to amount_spent")
    outcome = run_gate(settings, "run-1")
    assert not outcome.passed
    failed = {(r.suite, r.columns): r.observed_value for r in outcome.errors}
    assert set(failed) == {(f"{DATASET}.shares", ("query_error",))}
    assert "spend" in failed[(f"{DATASET}.shares", ("query_error",))]
