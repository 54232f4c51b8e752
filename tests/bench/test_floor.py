"""The hand-written floor on a few hand-made raw rows: versions, tombstones, exact FX."""

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
    yield connection
    connection.close()


def test_floor_keeps_latest_live_versions_and_converts_exactly(con):
    floor.build_placement(con, "JPY", 7, "omni_purchase")
    rows = con.execute(
        "select ad_id, spend, spend_reporting, purchases, purchase_value_7d_click "
        f"from {floor.SCHEMA}.fct_placement_performance_daily order by ad_id"
    ).fetchall()
    assert rows == [
        ("huge", Decimal("9999999999999.99"), _expected_jpy("9999999999999.99"), 2, 3),
        ("negative", Decimal("-0.07"), _expected_jpy("-0.07"), 2, 3),
        ("small", Decimal("1234.56"), _expected_jpy("1234.56"), 2, 3),
    ]


def test_floor_leaves_amounts_unconverted_past_the_fx_carry_forward(con):
    con.execute("update raw.meta__ad_insights_placement set date_start = date '2025-03-11'")
    floor.build_placement(con, "JPY", 7, "omni_purchase")
    (converted,) = con.execute(
        f"select count(spend_reporting) from {floor.SCHEMA}.fct_placement_performance_daily"
    ).fetchone()
    assert converted == 0
