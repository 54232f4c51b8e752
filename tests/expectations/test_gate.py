"""The gate on good and broken marts: verdicts, messages and stored results."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from expectations.gate import GateFailed, enforce, run_gate
from expectations.suites import fct_placement_performance_daily as suite_module
from expectations.suites.fct_placement_performance_daily import DATASET
from expectations.validation import validate_frame
from socialmart.settings import Settings


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
    # the mart's own suite plus the applicable cross-row checks (no loads, no staging here)
    suites = {r.suite for r in outcome.results}
    assert suites == {
        suite_module.DATASET,
        *(f"{suite_module.DATASET}.{check}" for check in ("placement_shares", "currencies")),
    }
    expectation_count = len(suite_module.build_suite().expectations) + 5
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


def test_broken_mart_is_blocked_naming_each_expectation(
    settings: Settings, write_mart, good_rows: list[dict]
) -> None:
    negative_spend = good_rows[0] | {"spend": "-0.01"}
    null_key = good_rows[2] | {"ad_id": None}
    write_mart([negative_spend, good_rows[1], good_rows[1], null_key])
    outcome = run_gate(settings, "run-broken")
    assert not outcome.passed
    failed = {(r.expectation_type, r.columns) for r in outcome.errors if r.suite == DATASET}
    # the negative spend also pushes a placement share outside [0, 1]
    assert {r.columns for r in outcome.errors if r.suite != DATASET} == {
        ("min_share",),
        ("max_share",),
    }
    assert failed == {
        ("expect_column_values_to_be_between", ("spend",)),
        ("expect_compound_columns_to_be_unique", suite_module.GRAIN),
        ("expect_column_values_to_not_be_null", ("ad_id",)),
    }
    with pytest.raises(GateFailed) as raised:
        enforce(outcome)
    message = str(raised.value)
    assert "FAILED" in message and "5 error(s)" in message
    assert "expect_column_values_to_be_between(spend): 1 of 4 rows unexpected, e.g. [-0.01]" in (
        message
    )
    assert "expect_column_values_to_not_be_null(ad_id)" in message
    assert "expect_compound_columns_to_be_unique(report_date, ad_account_id" in message
    assert raised.value.outcome is outcome
    stored = _fetch(
        settings.warehouse_path,
        "select expectation_type, column_names, severity, observed_value, details "
        "from audit.gate_results where not success",
    )
    assert {row[1] for row in stored} == {
        "spend",
        "ad_id",
        ", ".join(suite_module.GRAIN),
        "min_share",
        "max_share",
    }
    spend = next(row for row in stored if row[1] == "spend")
    assert spend[2] == "error" and "-0.01" in spend[3]
    assert json.loads(spend[4])["kwargs"]["min_value"] == 0
    assert _fetch(settings.published_health_path, "select passed, error_count from gate_runs") == [
        (False, 5)
    ]


def test_unknown_publisher_platform_only_warns(
    settings: Settings, write_mart, good_rows: list[dict]
) -> None:
    write_mart([*good_rows, good_rows[0] | {"publisher_platform": "oculus"}])
    outcome = run_gate(settings, "run-warn")
    assert outcome.passed
    enforce(outcome)
    [warning] = outcome.warnings
    assert warning.severity == "warning"
    assert warning.columns == ("publisher_platform",)
    assert '["oculus"]' in warning.observed_value
    assert "WARNING" in outcome.summary() and "oculus" in outcome.summary()
    assert _fetch(settings.warehouse_path, "select warning_count from audit.gate_runs") == [(1,)]


def test_renamed_column_breaks_the_contract(good_rows: list[dict]) -> None:
    frame = pd.DataFrame(good_rows).rename(columns={"spend": "amount_spent"})
    results = validate_frame(suite_module.build_suite(), frame)
    failed = [r for r in results if not r.success]
    assert "expect_table_columns_to_match_ordered_list" in {r.expectation_type for r in failed}
    assert all(r.severity == "error" for r in failed)
