"""The TikTok ad-performance intermediate on a pulled stand-in window equals the ground truth."""

from __future__ import annotations

from datetime import datetime

import pytest
from test_creators_reconciliation import NOW, SEED, WINDOW, creator_warehouse, query

from sandbox.tiktok.truth import ad_day_truth, gmv_max_truth, placement_truth
from socialmart.settings import Settings

__all__ = ["creator_warehouse"]  # the shared session fixture

pytestmark = pytest.mark.e2e

MODEL = "intermediate.int_tiktok__ad_performance_daily"
WINDOW_COLUMNS = [
    f"{measure}_{window}"
    for window in ("1d_click", "7d_click", "28d_click", "1d_view")
    for measure in ("purchases", "purchase_value")
]
CONTRACT = [
    ("platform", "VARCHAR"),
    ("ad_account_id", "VARCHAR"),
    ("account_currency", "VARCHAR"),
    ("account_timezone", "VARCHAR"),
    ("campaign_id", "VARCHAR"),
    ("campaign_name", "VARCHAR"),
    ("adgroup_id", "VARCHAR"),
    ("adgroup_name", "VARCHAR"),
    ("ad_id", "VARCHAR"),
    ("ad_name", "VARCHAR"),
    ("report_date", "DATE"),
    ("spend", "DECIMAL(18,2)"),
    ("impressions", "BIGINT"),
    ("clicks", "BIGINT"),
    ("conversions", "BIGINT"),
    ("purchases", "DECIMAL(18,2)"),
    ("purchase_value", "DECIMAL(18,2)"),
    *((name, "DECIMAL(18,2)") for name in WINDOW_COLUMNS),
    ("is_clickless", "BOOLEAN"),
]


def _as_of() -> datetime:
    return datetime.fromisoformat(NOW)


def test_columns_and_types_are_the_contract(creator_warehouse: Settings) -> None:
    columns = query(
        creator_warehouse,
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'intermediate'"
        " and table_name = 'int_tiktok__ad_performance_daily' order by ordinal_position",
    )
    assert columns == CONTRACT


def test_ad_rows_equal_the_basic_report_truth(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select ad_account_id, account_currency, campaign_id, adgroup_id, ad_id,"
        " cast(report_date as varchar), spend, impressions, clicks, conversions, purchases,"
        f" purchase_value from {MODEL} where not is_clickless and platform = 'tiktok'",
    )
    expected = [
        (
            t["advertiser_id"],
            t["currency"],
            t["campaign_id"],
            t["adgroup_id"],
            t["ad_id"],
            t["date"],
            t["spend"],
            t["impressions"],
            t["clicks"],
            t["conversion"],
            t["complete_payment"],
            t["purchase_value"],
        )
        for t in ad_day_truth(SEED, WINDOW.start, WINDOW.end, as_of=_as_of())
    ]
    assert expected
    assert sorted(rows) == sorted(expected)


def test_gmv_max_rows_are_clickless_campaign_days(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select ad_account_id, campaign_id, cast(report_date as varchar), spend, purchases,"
        f" conversions, purchase_value, impressions, clicks, ad_id = campaign_id"
        f" from {MODEL} where is_clickless",
    )
    expected = [
        (
            t["advertiser_id"],
            t["campaign_id"],
            t["date"],
            t["cost"],
            t["orders"],
            t["orders"],
            t["gross_revenue"],
            None,
            None,
            True,
        )
        for t in gmv_max_truth(SEED, WINDOW.start, WINDOW.end, as_of=_as_of())
    ]
    assert any(row[4] is None for row in expected), "no '-' orders: nulls go untested"
    assert sorted(rows, key=str) == sorted(expected, key=str)


def test_attribution_window_columns_are_null(creator_warehouse: Settings) -> None:
    nulls = " and ".join(f"{name} is null" for name in WINDOW_COLUMNS)
    assert query(creator_warehouse, f"select count(*) from {MODEL} where not ({nulls})") == [(0,)]


def test_placement_staging_equals_the_audience_report_truth(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select advertiser_id, ad_id, cast(report_date as varchar), placement, spend,"
        " impressions, clicks, purchases, purchase_value"
        " from staging.stg_tiktok__ad_placement_report_daily",
    )
    expected = [
        (
            t["advertiser_id"],
            t["ad_id"],
            t["date"],
            t["placement"],
            t["spend"],
            t["impressions"],
            t["clicks"],
            t["complete_payment"],
            t["purchase_value"],
        )
        for t in placement_truth(SEED, WINDOW.start, WINDOW.end, as_of=_as_of())
    ]
    assert expected
    assert sorted(rows) == sorted(expected)
