"""Both gates on PostgreSQL judge exactly as on DuckDB: the same marts, staging and raw
tables (built in DuckDB as the other gate tests build them, then copied to a throw-away
PostgreSQL database) give the same results, expectation by expectation, with the same
observed values; and PostgreSQL's audit tables and health schema record them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime

import duckdb
import pytest
from gate_raw_rows import placement_row
from mart_tables import AD_PERFORMANCE, PLACEMENTS, ad_totals, contract_columns
from pg_support import PostgresServer, copy_schema

from expectations.gate import GateOutcome, run_gate, run_raw_gate
from expectations.suites import marts
from socialmart import pg_warehouse, warehouse
from socialmart.settings import Settings

Copy = Callable[..., None]
PLACEMENT_STAGING = {
    "report_date": "date",
    "ad_account_id": "varchar",
    "account_currency": "varchar",
    "spend": "decimal(18, 2)",
}
ACCOUNT_TOTALS = {"ad_account_id": "varchar", "report_date": "date", "spend": "decimal(18, 2)"}
SMART_PLUS = {"report_date": "date", "advertiser_id": "varchar", "spend": "decimal(18, 2)"}
AD_COLUMNS = contract_columns("fct_ad_performance_daily")


@pytest.fixture
def to_postgres(
    settings: Settings,
    pg_settings: Settings,
    pg_cluster: PostgresServer,
) -> Copy:
    """Copy the named schemas of the DuckDB warehouse into ``pg_settings``' database."""
    server = dataclasses.replace(pg_cluster, dbname=pg_settings.postgres.dbname)

    def copy(*schemas: str) -> None:
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as duck:
            for schema in schemas:
                copy_schema(duck, server, schema)

    return copy


def _results(outcome: GateOutcome) -> list[tuple]:
    return [
        (r.suite, r.expectation_type, r.columns, r.severity, r.success, r.observed_value, r.details)
        for r in outcome.results
    ]


def _same_results(duck: GateOutcome, pg: GateOutcome) -> dict[str, list]:
    """Assert both outcomes hold the same results in the same order; return them by suite."""
    assert _results(pg) == _results(duck)
    assert (pg.passed, len(pg.errors), len(pg.warnings)) == (
        duck.passed,
        len(duck.errors),
        len(duck.warnings),
    )
    by_suite: dict[str, list] = {}
    for result in duck.results:
        by_suite.setdefault(result.suite, []).append(result)
    return by_suite


def _copy_build_audit(settings: Settings, pg_settings: Settings) -> None:
    """The recorded dbt builds and mart tests into PostgreSQL's own audit tables (their
    ``json`` keeps the text as written, as the pipeline writes it there)."""
    with (
        duckdb.connect(str(settings.warehouse_path), read_only=True) as duck,
        pg_warehouse.connect(pg_settings) as pg,
    ):
        warehouse.ensure_writer_table(pg, "mart_test_results")
        for table in ("dbt_builds", "mart_test_results"):
            for row in duck.execute(f"select * from audit.{table}").fetchall():
                pg.execute(f"insert into audit.{table} values ({', '.join('?' * len(row))})", row)


def _pg_fetch(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with pg_warehouse.connect(settings) as con:
        return con.execute(sql, params or []).fetchall()


def _placement_day(write_placements, write_table, write_raw, rows: list[dict]) -> None:
    """The placement mart (with the ad mart and dimensions it implies), its staging models,
    a load of it and of Meta's account-level totals, and those totals (all matching)."""
    write_placements(rows)
    write_table(
        "staging.stg_meta__ad_insights_placement",
        PLACEMENT_STAGING,
        [{name: row[name] for name in PLACEMENT_STAGING} for row in rows],
    )
    write_table("staging.stg_tiktok__ad_placement_report_daily", SMART_PLUS, [])
    for relation in (marts.SMART_PLUS_ADS, marts.SMART_PLUS_PLACEMENTS):
        write_table(relation, {**SMART_PLUS, "ad_id": "varchar"}, [])
    write_raw("meta", "ad_insights_placement", [], run_id="r1", account="111")
    totals = ad_totals(rows)
    for account in sorted({row["ad_account_id"] for row in totals}):
        write_raw("meta", "account_insights", [], run_id="r1", account=account)
    write_table(
        "staging.stg_meta__account_insights",
        ACCOUNT_TOTALS,
        [
            {"ad_account_id": row["ad_account_id"], "report_date": row["report_date"]}
            | {"spend": row["spend"]}
            for row in totals
        ],
    )


def test_a_passing_day_gives_the_same_results_and_is_recorded_in_postgres(
    settings: Settings,
    pg_settings: Settings,
    to_postgres: Copy,
    write_placements,
    write_table,
    write_raw,
    good_rows: list[dict],
) -> None:
    _placement_day(write_placements, write_table, write_raw, good_rows)
    to_postgres("marts", "staging", "raw")
    duck = run_gate(settings, "run-pass")
    pg = run_gate(pg_settings, "run-pass")
    suites = _same_results(duck, pg)
    assert pg.passed and not pg.warnings, pg.summary()
    # every kind of check ran (none is vacuous); no previous publication: no volume check
    assert {
        f"{PLACEMENTS}.shares",
        f"{PLACEMENTS}.freshness",
        f"{PLACEMENTS}.reconciliation",
        f"{AD_PERFORMANCE}.day_coverage",
        f"{AD_PERFORMANCE}.account_totals",
        "marts.dim_ad_accounts.values",
    } <= set(suites)
    assert not [suite for suite in suites if suite.endswith((".published_volume", "_rows"))]

    # recorded in PostgreSQL's audit tables, and the health schema refreshed
    assert _pg_fetch(
        pg_settings,
        "select count(*), bool_and(success) from audit.gate_results where run_id = ?",
        ["run-pass"],
    ) == [(len(pg.results), True)]
    assert _pg_fetch(
        pg_settings, "select run_id, passed, error_count, warning_count from audit.gate_runs"
    ) == [("run-pass", True, 0, 0)]
    assert _pg_fetch(
        pg_settings,
        "select gate, passed, expectation_count, data_docs_path from audit.gate_validations",
    ) == [("marts", True, len(pg.results), str(pg.data_docs_path))]
    assert _pg_fetch(pg_settings, "select run_id, passed from health.gate_runs") == [
        ("run-pass", True)
    ]


def test_a_failing_mart_check_and_dbt_test_give_the_same_results(
    settings: Settings,
    pg_settings: Settings,
    to_postgres: Copy,
    write_placements,
    dbt_tests,
    good_rows: list[dict],
) -> None:
    # a negative spend: dbt's expression test fails, and a share goes negative (GX)
    write_placements([good_rows[0] | {"spend": "-0.01"}, *good_rows[1:]])
    dbt_tests("run-broken", "fct_placement_performance_daily")
    to_postgres("marts")
    _copy_build_audit(settings, pg_settings)
    duck = run_gate(settings, "run-broken")
    pg = run_gate(pg_settings, "run-broken")
    _same_results(duck, pg)
    failed = {(r.suite, r.expectation_type) for r in pg.errors}
    assert {
        (f"{PLACEMENTS}.dbt", "dbt.expression_is_true"),
        (f"{PLACEMENTS}.shares", "expect_column_min_to_be_between"),
    } <= failed
    assert _pg_fetch(pg_settings, "select passed, error_count from audit.gate_runs") == [
        (False, len(pg.errors))
    ]


def test_a_raw_contract_breach_gives_the_same_results(
    settings: Settings,
    pg_settings: Settings,
    to_postgres: Copy,
    write_raw,
) -> None:
    rows = [
        placement_row(spend="-1.00"),
        placement_row(ad_id="302", account_currency="EURO"),
        placement_row(ad_id="303", date_start=date(2026, 6, 9)),  # outside the window
        placement_row(ad_id=None, clicks="1,234"),
    ]
    write_raw("meta", "ad_insights_placement", rows, run_id="r1", account="111")
    # a load that saw far fewer rows than the previous one over as long a window
    write_raw("meta", "ad_insights", [], run_id="r0", account="111", rows_seen=40)
    write_raw("meta", "ad_insights", [], run_id="r1", account="111", rows_seen=3)
    seen_at = datetime(2026, 6, 4, 9, 30, tzinfo=UTC)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            "insert into raw._schema_drift values (?, ?, ?, ?, ?, ?, ?)",
            ["meta", "ad_insights", "new_metric", "r0", seen_at, "r1", seen_at],
        )
    duck = run_raw_gate(settings, "r1")  # creates every stream's (empty) tables first
    to_postgres("raw", "quarantine")
    pg = run_raw_gate(pg_settings, "r1")
    suites = _same_results(duck, pg)
    assert not pg.passed
    failed = {(r.suite, r.expectation_type, r.columns) for r in pg.errors}
    suite = "raw.meta__ad_insights_placement"
    assert {
        (suite, "expect_column_values_to_not_be_null", ("ad_id",)),
        (suite, "expect_column_pair_values_a_to_be_greater_than_b", ("_window_end", "date_start")),
        (suite, "expect_column_values_to_match_regex", ("spend",)),
        (suite, "expect_column_values_to_be_in_set", ("account_currency",)),
    } <= failed
    [columns] = suites["raw.columns"]  # declared types read from either catalog
    assert columns.success, columns.observed_value
    warned = {r.suite: r.observed_value for r in pg.warnings}
    assert "meta/ad_insights account 111: 3 rows, previous load 40" in warned["raw.volume"]
    assert (
        "undeclared field new_metric (first seen in run r0 at 2026-06-04 09:30 UTC)"
        in (warned["raw.schema_drift"])
    )
    assert _pg_fetch(pg_settings, "select run_id, gate, passed from audit.gate_validations") == [
        ("r1", "raw", False)
    ]
    assert _pg_fetch(pg_settings, "select count(*) from audit.gate_runs") == [(0,)]


def _ad_day(day: int, ads: int, account: str = "111", spend: str = "10.00") -> list[dict]:
    """``ads`` ad rows of account ``account`` on 2026-06-0``day``."""
    return [
        {"platform": "meta", "ad_account_id": account, "account_currency": "EUR"}
        | {"ad_id": f"{account}-{i}", "campaign_id": "c1", "adset_id": "as1"}
        | {"report_date": f"2026-06-0{day}", "spend": spend, "reporting_currency": "EUR"}
        | {"impressions": 100, "clicks": 3, "is_clickless": False}
        for i in range(ads)
    ]


def test_a_drop_against_the_previous_publication_gives_the_same_results(
    settings: Settings,
    pg_settings: Settings,
    to_postgres: Copy,
    write_table,
) -> None:
    previous = [*_ad_day(1, 5), *_ad_day(2, 5), *_ad_day(3, 5), *_ad_day(1, 2, account="222")]
    # the previous publication: schema published of PostgreSQL, the published file of DuckDB
    write_table(f"published.{marts.FCT_AD_PERFORMANCE_DAILY.name}", AD_COLUMNS, previous)
    to_postgres("published")
    settings.published_marts_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.published_marts_path)) as published:
        published.execute(f"attach '{settings.warehouse_path}' as warehouse (read_only)")
        published.execute(
            "create table main.fct_ad_performance_daily as "
            "select * from warehouse.published.fct_ad_performance_daily"
        )
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("drop schema published cascade")
    # account 111 lost 2 of 5 rows on 06-02 and its whole 06-03; account 222 lost its day
    write_table(AD_PERFORMANCE, AD_COLUMNS, [*_ad_day(1, 5), *_ad_day(2, 3), *_ad_day(4, 1)])
    to_postgres("marts")
    duck = run_gate(settings, "run-drop")
    pg = run_gate(pg_settings, "run-drop")
    suites = _same_results(duck, pg)
    [volume] = suites[f"{AD_PERFORMANCE}.published_volume"]
    assert not volume.success and not pg.passed
    assert volume.details["result"]["partial_unexpected_list"] == [
        "platform meta, ad_account_id 111, report_date 2026-06-02..2026-06-03: 3 rows (spend"
        " 30.00) now against 10 rows (spend 100.00) in the previous publication, a drop of"
        " more than 20%",
        "platform meta, ad_account_id 222, report_date 2026-06-01: 0 rows (spend 0.00) now"
        " against 2 rows (spend 20.00) in the previous publication, a drop of more than 20%",
    ]


def test_a_check_whose_query_fails_on_postgres_blocks_with_the_database_error(
    settings: Settings, pg_settings: Settings, to_postgres: Copy, write_mart, good_rows
) -> None:
    write_mart(good_rows)
    to_postgres("marts")
    with pg_warehouse.connect(pg_settings) as con:
        con.execute(f"alter table {PLACEMENTS} rename column spend to amount_spent")
    outcome = run_gate(pg_settings, "run-1")
    assert not outcome.passed
    [failed] = outcome.errors
    assert (failed.suite, failed.columns) == (f"{PLACEMENTS}.shares", ("query_error",))
    assert failed.details["result"]["partial_unexpected_list"] == ['column "spend" does not exist']
    # the connection stays usable after the error: the result is recorded
    assert _pg_fetch(pg_settings, "select passed, error_count from audit.gate_runs") == [(False, 1)]
