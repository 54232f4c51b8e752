"""The mart gate decides from the build's dbt tests and GX together: a fault the marts' dbt
contract catches blocks (error) or warns exactly as an expectation does, is stored with the GX
results and never reaches the published file."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from mart_tables import (
    AD_PERFORMANCE,
    PLACEMENT_ROW,
    PLACEMENTS,
    ad_totals,
    contract_columns,
    write_dimensions,
)

from expectations.gate import GateFailed, enforce, run_gate
from socialmart import transform
from socialmart.publish import PublishRefused, publish
from socialmart.settings import Settings

GRAIN = (
    "platform",
    "report_date",
    "ad_account_id",
    "campaign_id",
    "adset_id",
    "ad_id",
    "publisher_platform",
    "platform_position",
)
SHARE_COLUMNS = ("spend", "platform", "ad_account_id", "report_date", "campaign_id")
CURRENCY_GROUP = ("account_currency", "platform", "ad_account_id")
DBT_SUITE = f"{PLACEMENTS}.dbt"
ROLLUP = "dbt.placement_rows_sum_to_the_ad_totals"


def _fetch(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_broken_mart_is_blocked_naming_each_dbt_test(
    settings: Settings, write_placements, dbt_tests, good_rows
) -> None:
    negative_spend = good_rows[0] | {"spend": "-0.01"}
    null_key = good_rows[2] | {"ad_id": None}
    mixed_currency = good_rows[0] | {"account_currency": "USD", "ad_id": "302"}
    write_placements([negative_spend, good_rows[1], good_rows[1], null_key, mixed_currency])
    # only the marts' contract failed: the build returns, recorded as not succeeded
    dbt_tests("run-broken", "fct_placement_performance_daily")
    [(succeeded,)] = _fetch(
        settings.warehouse_path, "select succeeded from audit.dbt_builds order by started_at"
    )
    assert succeeded is False

    outcome = run_gate(settings, "run-broken")
    assert not outcome.passed
    failed = {(r.suite, r.expectation_type, r.columns): r.observed_value for r in outcome.errors}
    assert set(failed) == {
        (DBT_SUITE, "dbt.expression_is_true", ()),
        (DBT_SUITE, "dbt.not_null", ("ad_id",)),
        (DBT_SUITE, "dbt.unique_combination_of_columns", GRAIN),
        (DBT_SUITE, "dbt.single_currency_per_group", CURRENCY_GROUP),
        # the negative spend also makes a share negative (GX)
        (f"{PLACEMENTS}.shares", "expect_column_min_to_be_between", SHARE_COLUMNS),
    }
    negative = failed[(DBT_SUITE, "dbt.expression_is_true", ())]
    assert negative.startswith("1 failing row(s) where not (spend >= 0), e.g. [{")
    assert '"spend": "-0.01"' in negative
    assert failed[(DBT_SUITE, "dbt.not_null", ("ad_id",))].startswith("1 failing row(s)")
    assert failed[(DBT_SUITE, "dbt.unique_combination_of_columns", GRAIN)].startswith(
        "1 failing row(s)"
    )
    currencies = failed[(DBT_SUITE, "dbt.single_currency_per_group", CURRENCY_GROUP)]
    assert '"ad_account_id": "111"' in currencies and '"currency_count": 2' in currencies
    assert failed[(f"{PLACEMENTS}.shares", "expect_column_min_to_be_between", SHARE_COLUMNS)]
    assert failed[
        (f"{PLACEMENTS}.shares", "expect_column_min_to_be_between", SHARE_COLUMNS)
    ].startswith("min_share: -")
    with pytest.raises(GateFailed) as raised:
        enforce(outcome)
    message = str(raised.value)
    assert "FAILED" in message and "5 error(s)" in message
    assert f"{DBT_SUITE}: dbt.expression_is_true: 1 failing row(s) where not (spend >= 0)" in (
        message
    )
    assert f"{DBT_SUITE}: dbt.not_null(ad_id): 1 failing row(s)" in message
    assert f"{DBT_SUITE}: dbt.unique_combination_of_columns(platform, report_date" in message
    stored = _fetch(
        settings.warehouse_path,
        "select column_names, severity, details from audit.gate_results "
        "where not success and suite = ?",
        [DBT_SUITE],
    )
    assert {row[0] for row in stored} == {
        None,
        "ad_id",
        ", ".join(GRAIN),
        "account_currency, platform, ad_account_id",
    }
    assert {row[1] for row in stored} == {"error"}
    assert {json.loads(row[2])["status"] for row in stored} == {"fail"}
    assert _fetch(settings.published_health_path, "select passed, error_count from gate_runs") == [
        (False, 5)
    ]


def test_a_dbt_warning_is_recorded_and_published_with_the_data(
    settings: Settings, write_placements, dbt_tests, good_rows
) -> None:
    write_placements([*good_rows, good_rows[0] | {"publisher_platform": "oculus"}])
    dbt_tests("run-warn", "fct_placement_performance_daily")
    outcome = run_gate(settings, "run-warn")
    assert outcome.passed
    enforce(outcome)
    [warning] = outcome.warnings
    assert (warning.suite, warning.severity) == (DBT_SUITE, "warning")
    assert (warning.expectation_type, warning.columns) == (
        "dbt.accepted_values",
        ("publisher_platform",),
    )
    assert '"value_field": "oculus"' in warning.observed_value
    assert "WARNING" in outcome.summary() and "oculus" in outcome.summary()
    assert _fetch(settings.warehouse_path, "select warning_count from audit.gate_runs") == [(1,)]
    publish(settings, "run-warn")
    assert _fetch(
        settings.published_marts_path,
        "select count(*) from fct_placement_performance_daily where publisher_platform = 'oculus'",
    ) == [(1,)]


def test_a_failed_gate_leaves_the_published_file_byte_identical(
    settings: Settings, write_placements, dbt_tests, good_rows
) -> None:
    write_placements(good_rows)
    dbt_tests("run-1", "fct_placement_performance_daily")
    outcome = run_gate(settings, "run-1")
    assert outcome.passed and not outcome.warnings, outcome.summary()
    # the build's dbt tests and GX's expectations, judged and stored together
    dbt_results = [r for r in outcome.results if r.suite == DBT_SUITE]
    assert len(dbt_results) > 20 and all(r.success for r in dbt_results)
    assert {r.expectation_type for r in dbt_results} >= {
        "dbt.unique_combination_of_columns",
        "dbt.not_null",
        "dbt.expression_is_true",
        "dbt.single_currency_per_group",
        "dbt.accepted_values",
    }
    assert f"{PLACEMENTS}.shares" in {r.suite for r in outcome.results}
    stored = _fetch(
        settings.warehouse_path,
        "select count(*), count(*) filter (where suite = ?), bool_and(success) "
        "from audit.gate_results where run_id = 'run-1'",
        [DBT_SUITE],
    )
    assert stored == [(len(outcome.results), len(dbt_results), True)]
    assert _fetch(settings.published_health_path, "select count(*) from gate_results") == [
        (len(outcome.results),)
    ]
    publish(settings, "run-1")
    before = _sha256(settings.published_marts_path)

    # an expectation fails (a negative spend makes a negative share of its campaign's day)
    write_placements(
        [good_rows[0] | {"spend": "-5.00"}, good_rows[1], good_rows[1] | {"ad_id": "303"}]
    )
    assert not run_gate(settings, "run-2").passed
    with pytest.raises(PublishRefused, match="gate failed for run run-2"):
        publish(settings, "run-2")
    assert _sha256(settings.published_marts_path) == before

    # a dbt test of the build fails (a duplicate grain row)
    write_placements([good_rows[0], good_rows[1], good_rows[1]])
    dbt_tests("run-3", "fct_placement_performance_daily")
    for attempt in range(2):  # re-running the gate cannot turn the build's failure around
        assert not run_gate(settings, "run-3").passed, attempt
        with pytest.raises(PublishRefused, match="gate failed for run run-3"):
            publish(settings, "run-3")
    assert _sha256(settings.published_marts_path) == before
    # the blocked runs still show up in the health file
    assert _fetch(settings.published_health_path, "select run_id, passed from gate_runs") == [
        ("run-1", True),
        ("run-2", False),
        ("run-3", False),
        ("run-3", False),
    ]


def test_row_rules_of_the_reports_and_restatements_block(
    settings: Settings, write_table, dbt_tests
) -> None:
    week = {"ad_account_id": "111", "account_currency": "EUR", "threads_without_opt_in": True}
    week |= {"week_start_date": "2026-10-05", "campaign_spend": "10.00"}

    def campaign(campaign_id: str, threads_amount: str, facebook_amount: str) -> list[dict]:
        rows = [
            ("facebook", "feed", "6.00", "0.6", facebook_amount),
            ("threads", "threads_feed", "4.00", "0.4", threads_amount),
        ]
        return [
            week
            | {"campaign_id": campaign_id, "publisher_platform": platform}
            | {"platform_position": position, "spend": spend, "spend_share": share}
            | {"threads_spend_without_opt_in": amount}
            for platform, position, spend, share, amount in rows
        ]

    # c1 keeps the rule; c2's Threads amount exceeds its spend; c3 has one off Threads
    split = [*campaign("c1", "4.00", "0"), *campaign("c2", "4.01", "0")]
    split += campaign("c3", "4.00", "1.00")
    write_table(
        "marts.rpt_advantage_plus_placement_split",
        contract_columns("rpt_advantage_plus_placement_split"),
        split,
    )
    restatement = {"platform": "meta", "ad_account_id": "111", "ad_id": "1"}
    restatement |= {"account_currency": "EUR", "attribution_window": "default"}
    restatement |= {"version_count": 1, "report_date": "2026-06-01"}
    restatement |= {"is_restated": False, "is_gmv_max_campaign": False}
    restatement |= {"first_pulled_at": "2026-06-02 00:00", "latest_pulled_at": "2026-06-01 00:00"}
    write_table(
        "marts.fct_conversion_restatements",
        contract_columns("fct_conversion_restatements"),
        [restatement],
    )
    keys = [{"platform": "meta", **row} for row in split] + [{"campaign_id": "c1", **restatement}]
    write_dimensions(write_table, keys)

    dbt_tests("run-rules", "rpt_advantage_plus_placement_split", "fct_conversion_restatements")
    failed = {r.suite: r.observed_value for r in run_gate(settings, "run-rules").errors}
    assert set(failed) == {
        "marts.rpt_advantage_plus_placement_split.dbt",
        "marts.fct_conversion_restatements.dbt",
    }
    threads = failed["marts.rpt_advantage_plus_placement_split.dbt"]
    assert threads.startswith(
        "2 failing row(s) where not (threads_spend_without_opt_in between 0 and spend"
    )
    assert '"campaign_id": "c2"' in threads and '"campaign_id": "c3"' in threads
    assert failed["marts.fct_conversion_restatements.dbt"].startswith(
        "1 failing row(s) where not (version_count >= 1 and first_pulled_at <= latest_pulled_at)"
    )


def test_a_renamed_column_breaks_the_contract_and_the_build(
    settings: Settings, write_table, good_rows, tmp_path: Path
) -> None:
    """The placement mart's SQL renames a column: dbt's enforced contract refuses to build it."""
    project = tmp_path / "dbt_project"
    shutil.copytree(
        settings.dbt_project_dir, project, ignore=shutil.ignore_patterns("target", "logs")
    )
    write_table(
        "staging.placements_as_built",
        contract_columns("fct_placement_performance_daily"),
        good_rows,
    )
    (project / "models" / "marts" / "fct_placement_performance_daily.sql").write_text(
        "{{ config(materialized='table') }}\n"
        "select * rename (purchases as purchase_count) from staging.placements_as_built\n",
        encoding="utf-8",
    )
    renamed = dataclasses.replace(settings, dbt_project_dir=project)
    with pytest.raises(transform.TransformError, match="contract") as failure:
        transform.build(renamed, "run-renamed", select="fct_placement_performance_daily")
    assert "purchase_count" in str(failure.value)


def _rollup(outcome) -> list:
    return [r for r in outcome.results if r.expectation_type == ROLLUP]


def test_placement_rows_must_sum_to_the_ad_totals_to_the_cent(
    settings: Settings, write_placements, write_table, dbt_tests, good_rows
) -> None:
    # account 111's ad 301 has two placements of 41.87 / 5210 / 97 each on 2026-06-01
    meta = good_rows[:2]
    write_placements(meta)
    ad_columns = contract_columns("fct_ad_performance_daily")
    [ad] = ad_totals([PLACEMENT_ROW | row for row in meta])
    gmv_max = {"platform": "tiktok", "ad_account_id": "t1", "ad_id": "g1", "is_clickless": True}
    write_table(AD_PERFORMANCE, ad_columns, [ad, ad | gmv_max])  # GMV Max: no placements
    dbt_tests("run-ok", "fct_placement_performance_daily")
    [rollup] = _rollup(run_gate(settings, "run-ok"))
    assert rollup.success and rollup.suite == DBT_SUITE, rollup.observed_value

    write_table(AD_PERFORMANCE, ad_columns, [ad | {"spend": "83.75"}, ad | {"ad_id": "302"}])
    dbt_tests("run-off", "fct_placement_performance_daily")
    outcome = run_gate(settings, "run-off")
    assert not outcome.passed
    [error] = [r for r in outcome.errors if r.expectation_type == ROLLUP]
    assert error.severity == "error"
    count, sample = error.observed_value.split(", e.g. ", 1)
    assert count == "2 failing row(s)"
    key = {"platform": "meta", "ad_account_id": "111", "report_date": "2026-06-01"}
    placements = {"placement_impressions": 10420, "placement_clicks": 194}
    ads = {"ad_impressions": 10420, "ad_clicks": 194}
    assert sorted(json.loads(sample), key=lambda row: row["ad_id"]) == [
        key | {"ad_id": "301", "placement_spend": "83.74", "ad_spend": "83.75"} | placements | ads,
        key
        | {"ad_id": "302", "placement_spend": None, "ad_spend": "83.74"}
        | dict.fromkeys(placements)
        | ads,
    ]

    # a platform without any ad-level row is not compared (its ad stream never loaded)
    write_table(AD_PERFORMANCE, ad_columns, [ad | gmv_max])
    dbt_tests("run-tiktok-only", "fct_placement_performance_daily")
    [rollup] = _rollup(run_gate(settings, "run-tiktok-only"))
    assert rollup.success, rollup.observed_value
