"""The mart gate on good and broken marts: verdicts, messages and stored results."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from expectations.gate import GateFailed, enforce, run_gate
from expectations.suites import mart_checks
from expectations.suites.fct_placement_performance_daily import DATASET, GRAIN
from expectations.suites.marts import FCT_PLACEMENT_PERFORMANCE_DAILY
from expectations.validation import validate_frame
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
    # only the placement mart exists here: its aggregates, contract and values (no loads,
    # no staging: no freshness, no reconciliation)
    assert {r.suite for r in outcome.results} == {
        DATASET,
        f"{DATASET}.columns",
        f"{DATASET}.values",
    }
    expectation_count = sum(
        len(check(FCT_PLACEMENT_PERFORMANCE_DAILY).expectations)
        for check in (
            mart_checks.profile_check,
            mart_checks.columns_check,
            mart_checks.values_check,
        )
    )
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
    failed = {(r.expectation_type, r.columns): r.observed_value for r in outcome.errors}
    assert failed == {
        ("expect_column_min_to_be_between", ("spend",)): "min_spend: -0.01",
        ("expect_column_max_to_be_between", ("ad_id",)): "null_ad_id_rows: 1",
        ("expect_column_max_to_be_between", GRAIN): "duplicate_grain_rows: 1",
        # the negative spend also makes a share negative
        ("expect_column_min_to_be_between", SHARE_COLUMNS): failed[
            ("expect_column_min_to_be_between", SHARE_COLUMNS)
        ],
    }
    assert failed[("expect_column_min_to_be_between", SHARE_COLUMNS)].startswith("min_share: -")
    with pytest.raises(GateFailed) as raised:
        enforce(outcome)
    message = str(raised.value)
    assert "FAILED" in message and "4 error(s)" in message
    assert f"{DATASET}: expect_column_min_to_be_between(spend): min_spend: -0.01" in message
    assert "expect_column_max_to_be_between(ad_id): null_ad_id_rows: 1" in message
    assert "expect_column_max_to_be_between(platform, report_date, ad_account_id" in message
    assert raised.value.outcome is outcome
    stored = _fetch(
        settings.warehouse_path,
        "select expectation_type, column_names, severity, observed_value, details "
        "from audit.gate_results where not success",
    )
    assert {row[1] for row in stored} == {
        "spend",
        "ad_id",
        ", ".join(GRAIN),
        ", ".join(SHARE_COLUMNS),
    }
    spend = next(row for row in stored if row[1] == "spend")
    assert spend[2] == "error" and spend[3] == "min_spend: -0.01"
    details = json.loads(spend[4])
    assert details["kwargs"]["min_value"] == 0 and details["result"]["observed_value"] == -0.01
    assert _fetch(settings.published_health_path, "select passed, error_count from gate_runs") == [
        (False, 4)
    ]


def test_unknown_publisher_platform_only_warns(
    settings: Settings, write_mart, good_rows: list[dict]
) -> None:
    write_mart([*good_rows, good_rows[0] | {"publisher_platform": "oculus"}])
    outcome = run_gate(settings, "run-warn")
    assert outcome.passed
    enforce(outcome)
    [warning] = outcome.warnings
    assert (warning.suite, warning.severity) == (f"{DATASET}.values", "warning")
    assert warning.columns == ("publisher_platform",)
    assert '["oculus"]' in warning.observed_value
    assert "WARNING" in outcome.summary() and "oculus" in outcome.summary()
    assert _fetch(settings.warehouse_path, "select warning_count from audit.gate_runs") == [(1,)]


def test_renamed_column_breaks_the_contract() -> None:
    frame = pd.DataFrame(columns=FCT_PLACEMENT_PERFORMANCE_DAILY.columns).rename(
        columns={"purchases": "purchase_count"}
    )
    [result] = validate_frame(
        mart_checks.columns_check(FCT_PLACEMENT_PERFORMANCE_DAILY).suite(), frame
    )
    assert not result.success and result.severity == "error"
    assert result.expectation_type == "expect_table_columns_to_match_ordered_list"
    assert "purchase_count" in result.observed_value


def test_a_check_whose_query_fails_blocks_with_the_database_error(
    settings: Settings, write_mart, good_rows: list[dict]
) -> None:
    write_mart(good_rows)
    with warehouse.connect(settings) as con:
        con.execute(f"alter table {DATASET} rename column spend to amount_spent")
    outcome = run_gate(settings, "run-1")
    assert not outcome.passed
    failed = {(r.suite, r.columns): r.observed_value for r in outcome.errors}
    assert set(failed) == {(DATASET, ("query_error",)), (f"{DATASET}.columns", ())}
    assert "spend" in failed[(DATASET, ("query_error",))]
