"""Cross-row mart checks: shares, currencies, freshness and reconciliation with staging."""

from __future__ import annotations

from datetime import date

from expectations.gate import run_gate
from expectations.suites.fct_placement_performance_daily import DATASET
from socialmart import warehouse
from socialmart.settings import Settings


def _staging(settings: Settings, rows: list[tuple[str, str, str, str]]) -> None:
    """Write staging.stg_meta__ad_insights_placement: (report_date, account, currency, spend)."""
    with warehouse.connect(settings) as con:
        con.execute("create schema if not exists staging")
        con.execute(
            "create or replace table staging.stg_meta__ad_insights_placement "
            "(report_date date, ad_account_id varchar, account_currency varchar, "
            "spend decimal(18, 2))"
        )
        con.executemany(
            "insert into staging.stg_meta__ad_insights_placement values (?, ?, ?, ?)", rows
        )


def _by_suite(outcome, check: str) -> list:
    return [r for r in outcome.results if r.suite == f"{DATASET}.{check}"]


def test_mixed_currencies_in_one_account_block(settings: Settings, write_mart, good_rows) -> None:
    write_mart([*good_rows, good_rows[0] | {"account_currency": "USD", "ad_id": "302"}])
    outcome = run_gate(settings, "run-1")
    [failure] = outcome.errors
    assert failure.suite == f"{DATASET}.currencies"
    assert failure.columns == ("account_currencies",)
    assert "[2]" in failure.observed_value


def test_reconciles_with_staging_over_the_loaded_window(
    settings: Settings, write_mart, write_raw, good_rows
) -> None:
    write_mart(good_rows)
    write_raw("meta", "ad_insights_placement", [], run_id="r1", account="111")
    inside = [
        ("2026-06-01", "111", "EUR", "41.87"),
        ("2026-06-01", "111", "EUR", "41.87"),
        ("2026-06-01", "222", "USD", "41.87"),
    ]
    # a day outside the requested window (2026-06-01..03) is not compared
    _staging(settings, [*inside, ("2026-05-01", "222", "USD", "9.99")])
    outcome = run_gate(settings, "run-ok")
    assert outcome.passed, outcome.summary()
    assert all(r.success for r in _by_suite(outcome, "reconciliation"))
    assert len(_by_suite(outcome, "reconciliation")) == 2

    _staging(settings, [*inside[:2], ("2026-06-02", "222", "USD", "41.88")])
    outcome = run_gate(settings, "run-off")
    failed = {r.columns: r.observed_value for r in outcome.errors}
    assert set(failed) == {("mart_spend", "staging_spend")}
    assert "41.870000" in failed[("mart_spend", "staging_spend")]


def test_reconciliation_waits_when_raw_changed_after_the_build(
    settings: Settings, write_mart, write_raw, good_rows
) -> None:
    write_mart(good_rows)
    _staging(settings, [("2026-06-01", "111", "EUR", "999.99")])  # would not reconcile
    with warehouse.connect(settings) as con:
        con.execute(
            "insert into audit.dbt_builds values ('run-b', null, false,"
            " '2026-06-03 23:00:00+00', '2026-06-03 23:10:00+00', true)"
        )
    write_raw("meta", "ad_insights_placement", [], run_id="r-later", account="111")  # 06-04
    outcome = run_gate(settings, "run-b")
    assert _by_suite(outcome, "reconciliation") == []
    assert outcome.passed, outcome.summary()


def test_freshness_warns_when_the_mart_lags_the_requested_window(
    settings: Settings, write_mart, write_raw, good_rows
) -> None:
    write_mart(good_rows)  # report_date 2026-06-01
    write_raw(
        "meta",
        "ad_insights_placement",
        [],
        run_id="r1",
        account="111",
        window=(date(2026, 6, 1), date(2026, 6, 3)),
    )
    outcome = run_gate(settings, "run-1")
    assert all(r.success for r in _by_suite(outcome, "freshness"))  # 2 days <= 2

    write_raw(
        "meta",
        "ad_insights_placement",
        [],
        run_id="r2",
        account="111",
        window=(date(2026, 6, 1), date(2026, 6, 6)),
    )
    outcome = run_gate(settings, "run-2")
    assert outcome.passed
    [warning] = outcome.warnings
    assert (warning.suite, warning.columns) == (f"{DATASET}.freshness", ("lag_days",))
    assert "[5]" in warning.observed_value
