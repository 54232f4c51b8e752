"""Cross-row GX mart checks: shares, freshness, reconciliation with staging, findings."""

from __future__ import annotations

from datetime import date

from mart_tables import PLACEMENTS as DATASET
from mart_tables import spec_table

from expectations.gate import run_gate
from expectations.suites import marts
from socialmart import warehouse
from socialmart.settings import Settings

PLACEMENT_STAGING = {
    "report_date": "date",
    "ad_account_id": "varchar",
    "account_currency": "varchar",
    "spend": "decimal(18, 2)",
}
TIKTOK_STAGING = {"report_date": "date", "advertiser_id": "varchar", "spend": "decimal(18, 2)"}
SMART_PLUS_STAGING = {**TIKTOK_STAGING, "ad_id": "varchar"}


def _staging(write_table, meta_rows: list[tuple], tiktok_rows: list[tuple] = ()) -> None:
    """Both placement staging models: Meta (report_date, account, currency, spend) and
    TikTok (report_date, advertiser, spend)."""
    write_table(
        "staging.stg_meta__ad_insights_placement",
        PLACEMENT_STAGING,
        [dict(zip(PLACEMENT_STAGING, row, strict=True)) for row in meta_rows],
    )
    write_table(
        "staging.stg_tiktok__ad_placement_report_daily",
        TIKTOK_STAGING,
        [dict(zip(TIKTOK_STAGING, row, strict=True)) for row in tiktok_rows],
    )
    for relation in (marts.SMART_PLUS_ADS, marts.SMART_PLUS_PLACEMENTS):  # no Smart+ ads
        write_table(relation, SMART_PLUS_STAGING, [])


def _by_suite(outcome, suite: str) -> list:
    return [r for r in outcome.results if r.suite == suite]


def test_reconciles_each_platform_with_its_staging_over_the_loaded_window(
    settings: Settings, write_mart, write_raw, write_table, good_rows
) -> None:
    tiktok = good_rows[0] | {"platform": "tiktok", "ad_account_id": "t1", "spend": "5.00"}
    write_mart([*good_rows, tiktok])
    write_raw("meta", "ad_insights_placement", [], run_id="r1", account="111")
    inside = [
        ("2026-06-01", "111", "EUR", "41.87"),
        ("2026-06-01", "111", "EUR", "41.87"),
        ("2026-06-01", "222", "USD", "41.87"),
    ]
    # a Meta day outside the requested window (2026-06-01..03) is not compared; TikTok has
    # no load recorded, so all its days are
    _staging(
        write_table,
        [*inside, ("2026-05-01", "222", "USD", "9.99")],
        [("2026-06-01", "t1", "5.00")],
    )
    outcome = run_gate(settings, "run-ok")
    assert outcome.passed, outcome.summary()
    reconciliation = _by_suite(outcome, f"{DATASET}.reconciliation")
    assert len(reconciliation) == 2 and all(r.success for r in reconciliation)

    _staging(
        write_table,
        [*inside[:2], ("2026-06-02", "222", "USD", "41.88")],
        [("2026-06-01", "t1", "5.00"), ("2026-06-02", "t1", "1.00")],
    )
    outcome = run_gate(settings, "run-off")
    failed = {r.columns: r.observed_value for r in outcome.errors}
    assert set(failed) == {("mart_spend", "staging_spend"), ("mart_rows", "staging_rows")}
    assert "41.870000" in failed[("mart_spend", "staging_spend")]
    assert "6.000000" in failed[("mart_spend", "staging_spend")]


def test_meta_placements_reconcile_over_the_days_their_staging_holds(
    settings: Settings, write_mart, write_table, good_rows
) -> None:
    """Meta's placement staging holds only recent days (the mart rebuilt older ones from raw):
    without a recorded load, the mart's days before the staging's earliest are not compared;
    the days it holds still are, a missing row among them fails; an empty staging limits
    nothing. TikTok's staging holds every day and limits nothing."""
    older = good_rows[0] | {"report_date": "2026-05-01", "spend": "7.00"}
    tiktok_older = older | {"platform": "tiktok", "ad_account_id": "t1"}
    write_mart([*good_rows, older, tiktok_older])
    held = [
        ("2026-06-01", "111", "EUR", "41.87"),
        ("2026-06-01", "111", "EUR", "41.87"),
        ("2026-06-01", "222", "USD", "41.87"),
    ]
    _staging(write_table, held, [("2026-05-01", "t1", "7.00")])
    outcome = run_gate(settings, "run-held")
    reconciliation = _by_suite(outcome, f"{DATASET}.reconciliation")
    assert reconciliation and all(r.success for r in reconciliation), outcome.summary()

    for meta_rows in (held[1:], []):  # a held row missing; nothing staged at all
        _staging(write_table, meta_rows, [("2026-05-01", "t1", "7.00")])
        outcome = run_gate(settings, "run-missing")
        failed = {r.columns for r in _by_suite(outcome, f"{DATASET}.reconciliation")}
        assert not outcome.passed and ("mart_rows", "staging_rows") in {
            r.columns for r in outcome.errors
        }, failed

    _staging(write_table, held, [])  # TikTok's older day is compared: its staging lost it
    outcome = run_gate(settings, "run-tiktok")
    assert ("mart_rows", "staging_rows") in {r.columns for r in outcome.errors}


def test_reconciliation_waits_when_raw_changed_after_the_build(
    settings: Settings, write_mart, write_raw, write_table, good_rows
) -> None:
    write_mart(good_rows)
    _staging(write_table, [("2026-06-01", "111", "EUR", "999.99")])  # would not reconcile
    with warehouse.connect(settings) as con:
        con.execute(
            "insert into audit.dbt_builds values ('run-b', null, false,"
            " '2026-06-03 23:00:00+00', '2026-06-03 23:10:00+00', true)"
        )
    write_raw("meta", "ad_insights_placement", [], run_id="r-later", account="111")  # 06-04
    outcome = run_gate(settings, "run-b")
    assert _by_suite(outcome, f"{DATASET}.reconciliation") == []
    assert outcome.passed, outcome.summary()


def test_freshness_warns_when_the_mart_lags_the_requested_window(
    settings: Settings, write_mart, write_raw, good_rows
) -> None:
    write_mart(good_rows)  # report_date 2026-06-01
    write_raw("meta", "ad_insights_placement", [], run_id="r1", account="111")  # to 06-03
    outcome = run_gate(settings, "run-1")
    freshness = _by_suite(outcome, f"{DATASET}.freshness")
    assert len(freshness) == 2 and all(r.success for r in freshness)  # 2 days <= 2

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


def test_advantage_plus_shares_must_add_up_per_campaign_week(
    settings: Settings, write_table
) -> None:
    columns = spec_table(marts.RPT_ADVANTAGE_PLUS_PLACEMENT_SPLIT, spend_share="decimal(18, 6)")
    week = {"ad_account_id": "111", "account_currency": "EUR", "campaign_id": "c1"}
    week |= {"week_start_date": "2026-06-01", "spend": "1.00", "campaign_spend": "3.00"}
    rows = [
        week | {"publisher_platform": "facebook", "platform_position": "feed"},
        week | {"publisher_platform": "instagram", "platform_position": "feed"},
        week | {"publisher_platform": "threads", "platform_position": "threads_feed"},
    ]
    shares = ["0.333333", "0.333333", "0.333334"]
    dataset = "marts.rpt_advantage_plus_placement_split"
    write_table(
        dataset, columns, [r | {"spend_share": s} for r, s in zip(rows, shares, strict=True)]
    )
    outcome = run_gate(settings, "run-1")
    assert outcome.passed, outcome.summary()

    write_table(dataset, columns, [r | {"spend_share": "0.3"} for r in rows])
    outcome = run_gate(settings, "run-2")
    [failure] = outcome.errors
    assert failure.suite == f"{dataset}.shares" and failure.columns[0] == "spend_share"
    assert failure.observed_value == "min_share_total: 0.9"


def test_ad_performance_reconciles_auction_smart_plus_and_gmv_max_rows_per_account_day(
    settings: Settings, write_table
) -> None:
    mart = spec_table(marts.FCT_AD_PERFORMANCE_DAILY, is_clickless="boolean")
    day = {"account_currency": "USD", "report_date": "2026-06-01", "reporting_currency": "EUR"}
    day |= {"campaign_id": "c", "adset_id": "g", "is_clickless": False}
    write_table(
        "marts.fct_ad_performance_daily",
        mart,
        [
            day | {"platform": "meta", "ad_account_id": "111", "ad_id": "1", "spend": "2.00"},
            day | {"platform": "tiktok", "ad_account_id": "t1", "ad_id": "2", "spend": "3.00"},
            # an Upgraded Smart+ ad's row, reconciled with the report by ad_id_v2
            day | {"platform": "tiktok", "ad_account_id": "t1", "ad_id": "sp", "spend": "6.00"},
            # a GMV Max campaign's row: clickless, reconciled with the GMV Max report
            day
            | {"platform": "tiktok", "ad_account_id": "t1", "ad_id": "gmv", "spend": "4.00"}
            | {"is_clickless": True},
        ],
    )
    meta = {"report_date": "date", "ad_account_id": "varchar", "spend": "decimal(18, 2)"}
    tiktok = {"report_date": "date", "advertiser_id": "varchar", "spend": "decimal(18, 2)"}
    gmv = {"report_date": "date", "advertiser_id": "varchar", "cost": "decimal(18, 2)"}
    when = {"report_date": "2026-06-01"}
    write_table(
        "staging.stg_meta__ad_insights", meta, [when | {"ad_account_id": "111", "spend": "2"}]
    )
    write_table(
        "staging.stg_tiktok__ad_report_daily",
        tiktok,
        [when | {"advertiser_id": "t1", "spend": "3"}],
    )
    write_table(
        "staging.stg_tiktok__gmv_max_report_daily",
        gmv,
        [when | {"advertiser_id": "t1", "cost": "4"}],
    )
    smart_plus = [when | {"advertiser_id": "t1", "ad_id": "sp", "spend": "6"}]
    write_table(marts.SMART_PLUS_ADS, SMART_PLUS_STAGING, smart_plus)
    outcome = run_gate(settings, "run-1")
    assert outcome.passed, outcome.summary()
    suite = "marts.fct_ad_performance_daily.reconciliation"
    assert len(_by_suite(outcome, suite)) == 2

    # the Smart+ row is not the auction report's: without its own report it is unexplained
    write_table(marts.SMART_PLUS_ADS, SMART_PLUS_STAGING, [])
    outcome = run_gate(settings, "run-smart-plus")
    spend = next(r for r in outcome.errors if r.columns[0] == "mart_spend")
    assert "13.000000" in spend.observed_value and "7.000000" in spend.observed_value
    write_table(marts.SMART_PLUS_ADS, SMART_PLUS_STAGING, smart_plus)

    write_table("staging.stg_tiktok__gmv_max_report_daily", gmv, [])
    outcome = run_gate(settings, "run-2")
    assert {(r.suite, r.columns[0]) for r in outcome.errors} == {
        (suite, "mart_spend"),
        (suite, "mart_rows"),
    }
    spend = next(r for r in outcome.errors if r.columns[0] == "mart_spend")
    assert "13.000000" in spend.observed_value and "9.000000" in spend.observed_value


def test_creator_gmv_reconciles_with_orders_without_cancelled_and_brand_lines(
    settings: Settings, write_table
) -> None:
    mart = spec_table(marts.FCT_CREATOR_PERFORMANCE_DAILY)
    write_table(
        "marts.fct_creator_performance_daily",
        mart,
        [
            {
                "report_date": "2026-06-01",
                "creator_id": "ana",
                "currency": "USD",
                "affiliate_gmv": "30.00",
                "reporting_currency": "EUR",
            }
        ],
    )
    orders = {
        "order_date": "date",
        "creator_username": "varchar",
        "currency": "varchar",
        "unit_price": "decimal(18, 2)",
        "quantity": "bigint",
        "refunded_quantity": "bigint",
        "is_cancelled": "boolean",
    }
    line = {"order_date": "2026-06-01", "currency": "USD", "unit_price": "10.00"}
    line |= {"refunded_quantity": 1, "is_cancelled": False}
    write_table(
        "staging.stg_tiktok_shop__affiliate_orders",
        orders,
        [
            line | {"creator_username": "ana.tt", "quantity": 4},  # 30.00
            line | {"creator_username": "ana.tt", "quantity": 9, "is_cancelled": True},
            line | {"creator_username": "brand.tt", "quantity": 2},
        ],
    )
    identities = {"identity_type": "varchar", "identity_value": "varchar", "is_brand": "boolean"}
    brand = {"identity_type": "tiktok_username", "identity_value": "brand.tt", "is_brand": True}
    write_table("intermediate.int_creator_identities_resolved", identities, [brand])
    outcome = run_gate(settings, "run-1")
    assert outcome.passed, outcome.summary()
    [reconciliation] = _by_suite(outcome, "marts.fct_creator_performance_daily.reconciliation")
    assert reconciliation.success

    write_table("intermediate.int_creator_identities_resolved", identities, [])
    [failure] = run_gate(settings, "run-2").errors
    assert failure.columns == ("mart_affiliate_gmv", "staging_affiliate_gmv")
    assert "40.000000" in failure.observed_value


def test_creators_without_registry_entry_warn_and_show_on_the_health_page(
    settings: Settings, write_table
) -> None:
    from dashboards.queries import health
    from socialmart.publish import publish

    creator = {"display_name": "x", "is_registered": True, "has_activity_data": True}
    rows = [
        creator | {"creator_id": "ana"},
        creator
        | {"creator_id": "tiktok_username:bo.tt", "is_registered": False}
        | {"tiktok_username": "bo.tt"},
        creator | {"creator_id": "threads_user_id:42", "is_registered": False},
    ]
    table = spec_table(marts.DIM_CREATORS, tiktok_username="varchar", instagram_handle="varchar")
    write_table("marts.dim_creators", table | {"threads_username": "varchar"}, rows)
    outcome = run_gate(settings, "run-1")
    assert outcome.passed
    [warning] = outcome.warnings
    assert (warning.suite, warning.columns) == (
        "marts.dim_creators.unregistered_creator",
        ("unregistered_creator",),
    )
    assert warning.observed_value == (
        '2 of 3 rows unexpected, e.g. ["bo.tt", "threads_user_id:42"]'
    )
    publish(settings, "run-1")  # a warning publishes
    failures = health.gate_failures(settings.published_health_path)
    [shown] = failures[failures["severity"] == "warning"].to_dict("records")
    assert "bo.tt" in shown["observed_value"]
