"""The gate's completeness checks on small hand-made marts: contiguous days per platform,
volume against the previous publication, and the platforms' own account-level totals (the
placement rows against the ad totals are a dbt test: test_gate_dbt_tests.py). Each check
fails with its exact sentence and passes."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from mart_tables import spec_table

from connectors.common.land import ensure_raw_table
from connectors.common.streams import get_stream
from expectations.gate import run_gate
from expectations.suites import marts
from socialmart import warehouse
from socialmart.settings import Settings

ADS = marts.AD_PERFORMANCE
AD_COLUMNS = spec_table(
    marts.FCT_AD_PERFORMANCE_DAILY,
    is_clickless="boolean",
    impressions="bigint",
    clicks="bigint",
)
AD_ROW = {
    "platform": "meta",
    "ad_account_id": "111",
    "ad_id": "301",
    "campaign_id": "c1",
    "adset_id": "as1",
    "account_currency": "EUR",
    "reporting_currency": "EUR",
    "report_date": "2026-06-01",
    "spend": "83.74",
    "impressions": 10420,
    "clicks": 194,
    "purchase_value": "0",
    "spend_reporting": "83.74",
    "purchase_value_reporting": "0",
    "is_clickless": False,
}


def _suite(outcome, suffix: str) -> list:
    return [r for r in outcome.results if r.suite.endswith(suffix)]


def _failures(outcome, suffix: str) -> list[str]:
    """The observed value of each failed expectation of the suite ending in ``suffix``."""
    return [r.observed_value for r in _suite(outcome, suffix) if not r.success]


def _ad_rows(*rows: dict) -> list[dict]:
    return [AD_ROW | row for row in rows]


# --- contiguous days per platform -------------------------------------------------------------


def test_a_missing_day_blocks_and_a_platform_ending_early_warns(
    settings: Settings, write_table
) -> None:
    meta = [{"report_date": f"2026-06-0{d}", "ad_id": f"m{d}"} for d in (1, 2, 5, 7)]
    tiktok = [
        {"platform": "tiktok", "ad_account_id": "t1", "report_date": f"2026-06-0{d}"}
        for d in (2, 3, 4)
    ]
    write_table(ADS, AD_COLUMNS, _ad_rows(*meta, *tiktok))
    outcome = run_gate(settings, "run-holes")
    assert not outcome.passed
    failed = {r.expectation_type: r for r in _suite(outcome, ".day_coverage") if not r.success}
    error = failed["expect_column_values_to_be_null"]
    by_column = {r.columns: r for r in _suite(outcome, ".day_coverage")}
    hole, early = by_column[("finding",)], by_column[("ends_early",)]
    assert (hole.severity, early.severity) == ("error", "warning")
    assert error.suite == f"{ADS}.day_coverage"
    assert hole.observed_value == (
        '1 of 2 rows unexpected, e.g. ["platform meta has no rows on 3 day(s) between '
        '2026-06-01 and 2026-06-07: 2026-06-03..2026-06-04, 2026-06-06"]'
    )
    assert early.observed_value == (
        '1 of 2 rows unexpected, e.g. ["platform tiktok ends on 2026-06-04, 3 day(s) '
        'before meta (2026-06-07)"]'
    )
    assert [w.suite for w in outcome.warnings] == [f"{ADS}.day_coverage"]

    meta = [{"report_date": f"2026-06-0{d}", "ad_id": f"m{d}"} for d in range(1, 5)]
    write_table(ADS, AD_COLUMNS, _ad_rows(*meta, *tiktok))
    outcome = run_gate(settings, "run-contiguous")
    assert all(r.success for r in _suite(outcome, ".day_coverage")), outcome.summary()


def test_a_day_the_platform_reports_without_spend_is_no_hole(
    settings: Settings, write_table
) -> None:
    meta = [{"report_date": f"2026-06-0{d}", "ad_id": f"m{d}"} for d in (1, 2, 4)]
    write_table(ADS, AD_COLUMNS, _ad_rows(*meta))
    _loaded(settings, "meta", "account_insights", "111", (date(2026, 6, 1), date(2026, 6, 4)))
    totals = [("2026-06-01", "83.74"), ("2026-06-02", "83.74"), ("2026-06-04", "83.74")]
    write_table(
        "staging.stg_meta__account_insights",
        META_TOTALS,
        [{"ad_account_id": "111", "report_date": d, "spend": spend} for d, spend in totals],
    )
    [hole, _] = _suite(run_gate(settings, "run-quiet"), ".day_coverage")
    assert hole.success, hole.observed_value  # Meta's own total has no spend on 06-03

    totals.append(("2026-06-03", "12.00"))
    write_table(
        "staging.stg_meta__account_insights",
        META_TOTALS,
        [{"ad_account_id": "111", "report_date": d, "spend": spend} for d, spend in totals],
    )
    [hole, _] = _suite(run_gate(settings, "run-hole"), ".day_coverage")
    assert hole.observed_value == (
        '1 of 1 rows unexpected, e.g. ["platform meta has no rows on 1 day(s) between '
        '2026-06-01 and 2026-06-04: 2026-06-03"]'
    )


# --- volume against the previous publication ------------------------------------------------


def _publish(settings: Settings, rows: list[dict]) -> None:
    """A previous publication holding the ad mart with ``rows``."""
    settings.published_marts_path.parent.mkdir(parents=True, exist_ok=True)
    ddl = ", ".join(f"{name} {kind}" for name, kind in AD_COLUMNS.items())
    with duckdb.connect(str(settings.published_marts_path)) as con:
        con.execute(f"create table fct_ad_performance_daily ({ddl})")
        con.executemany(
            f"insert into fct_ad_performance_daily values ({', '.join('?' * len(AD_COLUMNS))})",
            [[row.get(name) for name in AD_COLUMNS] for row in rows],
        )


def _day_rows(day: int, ads: int, account: str = "111", spend: str = "10.00") -> list[dict]:
    return [
        {"ad_account_id": account, "ad_id": f"{account}-{i}", "report_date": f"2026-06-0{day}"}
        | {"spend": spend}
        for i in range(ads)
    ]


def test_nothing_to_compare_on_the_first_publication(settings: Settings, write_table) -> None:
    write_table(ADS, AD_COLUMNS, _ad_rows(*_day_rows(1, 5)))
    outcome = run_gate(settings, "run-first")
    assert _suite(outcome, ".published_volume") == []
    # nor with a publication that predates a compared column
    settings.published_marts_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.published_marts_path)) as con:
        con.execute("create table fct_ad_performance_daily (ad_account_id varchar, spend int)")
    outcome = run_gate(settings, "run-old")
    assert _suite(outcome, ".published_volume") == [] and outcome.passed, outcome.summary()


def test_a_drop_against_the_previous_publication_blocks_naming_the_days(
    settings: Settings, write_table
) -> None:
    previous = [*_day_rows(1, 5), *_day_rows(2, 5), *_day_rows(3, 5), *_day_rows(4, 5)]
    previous += _day_rows(1, 2, account="222")
    _publish(settings, _ad_rows(*previous))
    # account 111 lost 2 of 5 rows on 06-02 and everything on 06-03; 06-04 is only 1 row
    # short (20 %: allowed); account 222 lost its day; a new day 06-05 is not compared
    current = [*_day_rows(1, 5), *_day_rows(2, 3), *_day_rows(4, 4), *_day_rows(5, 1)]
    write_table(ADS, AD_COLUMNS, _ad_rows(*current))
    outcome = run_gate(settings, "run-drop")
    assert not outcome.passed
    [result] = _suite(outcome, ".published_volume")
    assert (result.suite, result.severity) == (f"{ADS}.published_volume", "error")
    assert result.observed_value == (
        '2 of 2 rows unexpected, e.g. ["platform meta, ad_account_id 111, report_date '
        "2026-06-02..2026-06-03: 3 rows (spend 30.00) now against 10 rows (spend 100.00) in "
        'the previous publication, a drop of more than 20%", "platform meta, ad_account_id '
        "222, report_date 2026-06-01: 0 rows (spend 0.00) now against 2 rows (spend 20.00) in "
        'the previous publication, a drop of more than 20%"]'
    )


def test_spend_drop_blocks_and_a_small_change_passes(
    settings: Settings, write_table, monkeypatch: pytest.MonkeyPatch
) -> None:
    _publish(settings, _ad_rows(*_day_rows(1, 4), *_day_rows(2, 4)))
    # same rows; 06-01 spend restated by a few cents, 06-02 spend halved
    current = [*_day_rows(1, 4, spend="9.99"), *_day_rows(2, 4, spend="5.00")]
    write_table(ADS, AD_COLUMNS, _ad_rows(*current))
    outcome = run_gate(settings, "run-spend")
    [result] = _suite(outcome, ".published_volume")
    assert result.observed_value == (
        '1 of 1 rows unexpected, e.g. ["platform meta, ad_account_id 111, report_date '
        "2026-06-02: 4 rows (spend 20.00) now against 4 rows (spend 40.00) in the previous "
        'publication, a drop of more than 20%"]'
    )
    # the threshold is a setting
    monkeypatch.setenv("GATE_MAX_VOLUME_DROP_RATIO", "0.6")
    from socialmart.settings import load_settings

    outcome = run_gate(load_settings(), "run-lenient")
    [result] = _suite(outcome, ".published_volume")
    assert result.success, result.observed_value


# --- ad-level spend against the platforms' account-level totals -----------------------------

META_TOTALS = {
    "ad_account_id": "varchar",
    "report_date": "date",
    "spend": "decimal(18, 2)",
}
TIKTOK_TOTALS = {
    "advertiser_id": "varchar",
    "report_date": "date",
    "spend": "decimal(18, 2)",
}


def _loaded(
    settings: Settings,
    source: str,
    stream: str,
    account: str,
    window: tuple[date, date] = (date(2026, 6, 1), date(2026, 6, 3)),
) -> None:
    """Record a load of ``source/stream`` for ``account`` over ``window`` in raw._loads."""
    with warehouse.connect(settings) as con:
        ensure_raw_table(con, get_stream(source, stream))
        con.execute(
            "insert into raw._loads (run_id, source, stream, account_id, window_start,"
            " window_end, pulled_at, loaded_at, rows_seen, rows_inserted, tombstones_inserted)"
            " values ('r1', ?, ?, ?, ?, ?, now(), now(), 0, 0, 0)",
            [source, stream, account, *window],
        )


def test_ad_spend_must_equal_the_platforms_account_level_totals(
    settings: Settings, write_table
) -> None:
    ads = _ad_rows(
        {},
        {"ad_id": "302", "spend": "16.26"},
        {"report_date": "2026-06-02"},
        {"report_date": "2026-05-20"},  # outside the loaded window: not compared
        {"platform": "tiktok", "ad_account_id": "t1", "spend": "5.00"},
        # GMV Max is not in TikTok's advertiser-level BASIC report
        {"platform": "tiktok", "ad_account_id": "t1", "ad_id": "g1", "is_clickless": True},
    )
    write_table(ADS, AD_COLUMNS, ads)
    _loaded(settings, "meta", "account_insights", "111")  # 06-01..06-03
    _loaded(settings, "tiktok", "advertiser_report_daily", "t1")
    write_table(
        "staging.stg_meta__account_insights",
        META_TOTALS,
        [
            {"ad_account_id": "111", "report_date": "2026-06-01", "spend": "100.00"},
            {"ad_account_id": "111", "report_date": "2026-06-02", "spend": "83.74"},
        ],
    )
    write_table(
        "staging.stg_tiktok__advertiser_report_daily",
        TIKTOK_TOTALS,
        [{"advertiser_id": "t1", "report_date": "2026-06-01", "spend": "5.00"}],
    )
    outcome = run_gate(settings, "run-ok")
    [totals] = _suite(outcome, ".account_totals")
    assert totals.success, totals.observed_value

    write_table(
        "staging.stg_meta__account_insights",
        META_TOTALS,
        [
            {"ad_account_id": "111", "report_date": "2026-06-01", "spend": "100.02"},
            {"ad_account_id": "111", "report_date": "2026-06-03", "spend": "7.50"},
        ],
    )
    outcome = run_gate(settings, "run-off")
    assert not outcome.passed
    [totals] = _suite(outcome, ".account_totals")
    assert (totals.suite, totals.severity) == (f"{ADS}.account_totals", "error")
    assert totals.observed_value.startswith("3 of 3 rows unexpected, e.g. [")
    assert totals.details["result"]["partial_unexpected_list"] == [
        "meta account 111 on 2026-06-01: ad-level spend 100.00, the platform's account-level"
        " total 100.02: an object type the ad-level pull misses",
        "meta account 111 on 2026-06-02: ad-level spend 83.74, the platform's account-level"
        " total missing: ad-level rows the platform does not count (duplicated ad rows, or"
        " the account-level pull failed)",
        "meta account 111 on 2026-06-03: ad-level spend 0.00, the platform's account-level"
        " total 7.50: an object type the ad-level pull misses",
    ]


def test_one_cent_of_rounding_passes(settings: Settings, write_table) -> None:
    write_table(ADS, AD_COLUMNS, _ad_rows({}))
    _loaded(settings, "meta", "account_insights", "111", (date(2026, 6, 1), date(2026, 6, 1)))
    write_table(
        "staging.stg_meta__account_insights",
        META_TOTALS,
        [{"ad_account_id": "111", "report_date": "2026-06-01", "spend": "83.75"}],
    )
    [totals] = _suite(run_gate(settings, "run-cent"), ".account_totals")
    assert totals.success, totals.observed_value
