"""The hand-written floor on a few hand-made raw rows: versions, tombstones, exact FX, the
TikTok reports and the automation settings from the lookups it reads."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from bench import floor

DAY = date(2025, 3, 3)
USD_PER_EUR = Decimal("1.234567")
JPY_PER_EUR = Decimal("160.123456")
PURCHASE = '[{"action_type": "omni_purchase", "value": "2", "7d_click": "3"}]'


def _expected_jpy(usd: str) -> Decimal:
    """``usd`` in JPY via EUR, rounded once to cents, half away from zero."""
    amount = Decimal(usd)
    converted = (abs(amount) * JPY_PER_EUR / USD_PER_EUR).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return converted if amount >= 0 else -converted


def _placement(ad_id: str, spend: str, pulled_hour: int, *, deleted: bool = False) -> tuple:
    return (
        *("act_1", "USD", "c1", "campaign", "s1", "adset", ad_id, "ad", DAY),
        *("facebook", "feed", "100", "7", spend, PURCHASE, PURCHASE),
        *(f"sync-{pulled_hour}", f"2025-03-04 {pulled_hour:02d}:00:00+00", deleted),
    )


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute("create schema raw")
    connection.execute(
        "create table raw.fx__ecb_rates (provider varchar, date date, currency varchar, "
        "rate varchar, _sync_id varchar, _pulled_at timestamptz, _is_deleted boolean)"
    )
    connection.executemany(
        "insert into raw.fx__ecb_rates values ('ecb', $1, $2, $3, 's', now(), false)",
        [(DAY, "USD", str(USD_PER_EUR)), (DAY, "JPY", str(JPY_PER_EUR))],
    )
    connection.execute(
        "create table raw.meta__ad_insights_placement (account_id varchar, "
        "account_currency varchar, campaign_id varchar, campaign_name varchar, "
        "adset_id varchar, adset_name varchar, ad_id varchar, ad_name varchar, "
        "date_start date, publisher_platform varchar, platform_position varchar, "
        "impressions varchar, clicks varchar, spend varchar, actions json, action_values json, "
        "_sync_id varchar, _pulled_at timestamptz, _is_deleted boolean)"
    )
    connection.executemany(
        "insert into raw.meta__ad_insights_placement values "
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        [
            _placement("small", "1.00", 1),
            _placement("small", "1234.56", 2),
            _placement("negative", "-0.07", 1),
            _placement("huge", "9999999999999.99", 1),
            _placement("gone", "5.00", 1),
            _placement("gone", "5.00", 2, deleted=True),
        ],
    )
    _create_tiktok_reports(connection)
    _create_lookups(connection)
    yield connection
    connection.close()


def _tiktok_row(ad_id: str, placement: str, spend: str, pulled_hour: int, **extra) -> tuple:
    deleted = extra.get("deleted", False)
    automation = extra.get("automation_type")
    return (
        *("adv1", ad_id, DAY, placement, spend, "10", "2", "1", "1", "-"),
        *([] if extra.get("smart_plus") else [automation]),
        *(f"sync-{pulled_hour}", f"2025-03-04 {pulled_hour:02d}:00:00+00", deleted),
    )


def _create_tiktok_reports(connection: duckdb.DuckDBPyConnection) -> None:
    fields = (
        "stat_time_day date, placement varchar, spend varchar, impressions varchar, "
        "clicks varchar, conversion varchar, complete_payment varchar, "
        "total_complete_payment_rate varchar"
    )
    load = "_sync_id varchar, _pulled_at timestamptz, _is_deleted boolean"
    connection.execute(
        "create table raw.tiktok__ad_placement_report_daily (advertiser_id varchar, "
        f"ad_id varchar, {fields}, campaign_automation_type varchar, {load})"
    )
    connection.execute(
        "create table raw.tiktok__smart_plus_ad_placement_report_daily (advertiser_id varchar, "
        f"ad_id_v2 varchar, {fields}, {load})"
    )
    connection.executemany(
        "insert into raw.tiktok__ad_placement_report_daily values "
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        [
            _tiktok_row("a1", "PLACEMENT_TIKTOK", "1.00", 1),
            _tiktok_row("a1", "PLACEMENT_TIKTOK", "2.50", 2),
            _tiktok_row("a1", "PLACEMENT_NEW", "0.50", 1),
            _tiktok_row("a1", "PLACEMENT_PANGLE", "3.00", 1),
            _tiktok_row("a1", "PLACEMENT_PANGLE", "3.00", 2, deleted=True),
            _tiktok_row(
                "c1",
                "PLACEMENT_TIKTOK",
                "9.00",
                1,
                automation_type=("UPGRADED_SMART_PLUS_CREATIVE"),
            ),
        ],
    )
    connection.executemany(
        "insert into raw.tiktok__smart_plus_ad_placement_report_daily values "
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        [_tiktok_row("a1", "LEMON8", "4.00", 1, smart_plus=True)],
    )


def _create_lookups(connection: duckdb.DuckDBPyConnection) -> None:
    """The small relations the floor reads from dbt (bench.floor.LOOKUPS), by hand."""
    lookups = floor.LOOKUPS
    connection.execute("create schema intermediate")
    connection.execute("create schema staging")
    connection.execute(
        f"create table {lookups['meta_automation']} as select 's1' as adset_id, "
        "'advantage_plus' as placement_mode, 'automatic' as threads_inclusion, "
        "true as is_advantage_plus_campaign, null::date as valid_from_date, "
        "null::date as valid_to_date"
    )
    connection.execute(
        f"create table {lookups['tiktok_ads']} as select * from (values "
        "('adv1', 'a1', false, 'tc1', 'auction', 'ag1', 'group', 'auction ad'), "
        "('adv1', 'a1', true, 'tc2', 'smart', 'ag2', 'smart group', 'smart ad')) as t("
        "advertiser_id, ad_id, is_smart_plus_ad, campaign_id, campaign_name, adgroup_id, "
        "adgroup_name, ad_name)"
    )
    connection.execute(
        f"create table {lookups['tiktok_advertisers']} as "
        "select 'adv1' as advertiser_id, 'USD' as account_currency"
    )
    connection.execute(
        f"create table {lookups['tiktok_placements']} as select * from (values "
        "('PLACEMENT_TIKTOK', 'tiktok', 'all'), ('LEMON8', 'lemon8', 'all')) "
        "as t(placement, publisher_platform, platform_position)"
    )
    connection.execute(
        f"create table {lookups['tiktok_placement_modes']} as select * from (values "
        "('adv1', 'ag1', 'manual', null::date, date '2025-03-03'), "
        "('adv1', 'ag1', 'automatic', date '2025-03-03', null::date), "
        "('adv1', 'ag2', 'automatic', null::date, null::date)) "
        "as t(advertiser_id, adgroup_id, placement_mode, valid_from_date, valid_to_date)"
    )


def test_floor_keeps_latest_live_versions_and_converts_exactly(con):
    floor.build_placement(con, "JPY", 7, "omni_purchase")
    rows = con.execute(
        "select ad_id, spend, spend_reporting, purchases, purchase_value_7d_click "
        f"from {floor.SCHEMA}.fct_placement_performance_daily where platform = 'meta' "
        "order by ad_id"
    ).fetchall()
    assert rows == [
        ("huge", Decimal("9999999999999.99"), _expected_jpy("9999999999999.99"), 2, 3),
        ("negative", Decimal("-0.07"), _expected_jpy("-0.07"), 2, 3),
        ("small", Decimal("1234.56"), _expected_jpy("1234.56"), 2, 3),
    ]


def test_floor_carries_meta_automation_settings_in_effect_on_the_day(con):
    floor.build_placement(con, "JPY", 7, "omni_purchase")
    flags = con.execute(
        "select distinct is_advantage_plus_campaign, placement_mode, threads_inclusion "
        f"from {floor.SCHEMA}.fct_placement_performance_daily where platform = 'meta'"
    ).fetchall()
    assert flags == [(True, "advantage_plus", "automatic")]


def test_floor_computes_tiktok_rows_from_both_audience_reports(con):
    """Latest live versions only; the auction report's Smart+ creatives left out; ids and
    names from the ad of the same list; an unmapped placement kept as it came; the ad
    group's placement mode on the day; "-" as no value; converted from the advertiser's
    currency; no Meta attribution windows."""
    floor.build_placement(con, "JPY", 7, "omni_purchase")
    rows = con.execute(
        "select campaign_id, adset_id, ad_name, publisher_platform, platform_position, spend, "
        "spend_reporting, purchase_value, placement_mode, is_advantage_plus_campaign, "
        "threads_inclusion, purchases_7d_click "
        f"from {floor.SCHEMA}.fct_placement_performance_daily where platform = 'tiktok' "
        "order by campaign_id, publisher_platform"
    ).fetchall()
    assert rows == [
        (
            "tc1",
            "ag1",
            "auction ad",
            "PLACEMENT_NEW",
            "all",
            Decimal("0.50"),
            _expected_jpy("0.50"),
            None,
            "automatic",
            False,
            None,
            None,
        ),
        (
            "tc1",
            "ag1",
            "auction ad",
            "tiktok",
            "all",
            Decimal("2.50"),
            _expected_jpy("2.50"),
            None,
            "automatic",
            False,
            None,
            None,
        ),
        (
            "tc2",
            "ag2",
            "smart ad",
            "lemon8",
            "all",
            Decimal("4.00"),
            _expected_jpy("4.00"),
            None,
            "automatic",
            False,
            None,
            None,
        ),
    ]


def test_floor_leaves_amounts_unconverted_past_the_fx_carry_forward(con):
    con.execute("update raw.meta__ad_insights_placement set date_start = date '2025-03-11'")
    con.execute("delete from raw.tiktok__ad_placement_report_daily")
    con.execute("delete from raw.tiktok__smart_plus_ad_placement_report_daily")
    floor.build_placement(con, "JPY", 7, "omni_purchase")
    (converted,) = con.execute(
        f"select count(spend_reporting) from {floor.SCHEMA}.fct_placement_performance_daily"
    ).fetchone()
    assert converted == 0
