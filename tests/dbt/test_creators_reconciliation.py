"""Creator marts on a warehouse pulled from the stand-ins equal their ground truth, exactly.

conftest's session fixture ``creator_warehouse`` runs extract and load once against the
stand-in (time pinned with SANDBOX_NOW), then ``dbt build`` of the whole project; the
TikTok, dims, docs and PostgreSQL modules read the same build.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from creator_window import NOW, SEED, WINDOW, query

from sandbox.meta.scenario import build_scenario as build_meta_scenario
from sandbox.meta.truth import ad_truth
from sandbox.tiktok.truth import creator_truth
from sandbox.tiktok_shop.truth import creator_day_truth, day_bounds, spark_overlap_truth
from socialmart.settings import Settings

pytestmark = pytest.mark.e2e

REGISTRY = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "creator_registry.csv"
ZERO = Decimal("0.00")


def registry_map(column: str) -> dict[str, str]:
    """Registry identity in ``column`` -> creator_id (creators only, not the brand)."""
    with REGISTRY.open(encoding="utf-8") as handle:
        return {
            row[column]: row["creator_id"]
            for row in csv.DictReader(handle)
            if row[column] and row["is_brand"] != "true"
        }


def _now() -> datetime:
    return datetime.fromisoformat(NOW)


def shop_truth() -> dict[tuple[date, str, str], dict[str, Decimal | int]]:
    """Affiliate truth per (day, creator_id, currency), shops of one currency added up."""
    creators = registry_map("tiktok_username")
    totals: dict[tuple[date, str, str], dict] = defaultdict(
        lambda: {"orders": 0, "gmv": ZERO, "estimated": ZERO, "actual": ZERO}
    )
    for row in creator_day_truth(SEED, WINDOW.start, WINDOW.end, _now()):
        key = (row["date"], creators[row["creator_username"]], row["currency"])
        totals[key]["orders"] += row["orders"]
        totals[key]["gmv"] += row["gmv"]
        totals[key]["estimated"] += row["estimated_commission"]
        totals[key]["actual"] += row["actual_commission"]
    return dict(totals)


def meta_partnership_truth() -> dict[tuple[date, str, str], Decimal]:
    """Purchase value of Meta partnership ads per (day, authoring creator, currency)."""
    scenario = build_meta_scenario()
    creators = registry_map("instagram_user_id")
    creatives = {creative.id: creative for creative in scenario.creatives}
    author = {
        ad.id: creators[creatives[ad.creative_id].creators[0].ig_user_id]
        for ad in scenario.ads
        if creatives[ad.creative_id].is_partnership
    }
    totals: dict[tuple[date, str, str], Decimal] = defaultdict(lambda: ZERO)
    for row in ad_truth(SEED, WINDOW.start, WINDOW.end, as_of=_now(), restatement_days=7):
        if row["ad_id"] in author:
            day = date.fromisoformat(str(row["date"]))
            totals[(day, author[row["ad_id"]], row["account_currency"])] += row["purchase_value"]
    return dict(totals)


def test_affiliate_sales_and_commission_equal_the_shop_truth(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select report_date, creator_id, currency, affiliate_orders, affiliate_gmv,"
        " affiliate_commission_estimated, affiliate_commission_actual"
        " from marts.fct_creator_performance_daily where affiliate_orders > 0",
    )
    mart = {(day, creator, cur): rest for day, creator, cur, *rest in rows}
    expected = {
        key: [v["orders"], v["gmv"], v["estimated"], v["actual"]] for key, v in shop_truth().items()
    }
    assert expected, "the stand-in produced no affiliate orders: the test would prove nothing"
    assert mart == expected


def test_spark_ads_spend_and_revenue_equal_the_tiktok_truth(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select identity_value, currency, sum(spend), sum(purchase_value)"
        " from intermediate.int_creator_paid_content_daily where platform = 'tiktok'"
        " group by all",
    )
    truth: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in creator_truth(SEED, WINDOW.start, WINDOW.end, as_of=_now()):
        totals = truth[(row["identity_id"], row["currency"])]
        totals[0] += row["spend"]
        totals[1] += row["purchase_value"]
    assert {(ident, cur): [spend, value] for ident, cur, spend, value in rows} == dict(truth)


def spark_overlap(seed: int) -> list[dict]:
    """Spark Ads Shop revenue per ad and advertiser day, with the part the pulled order book
    (the window's days in the shop time zone, UTC here) holds."""
    window = day_bounds(WINDOW.start, WINDOW.end)
    return spark_overlap_truth(seed, WINDOW.start, WINDOW.end, _now(), order_book_window=window)


def spark_truth() -> dict[tuple[date, str, str], dict[str, Decimal]]:
    """Spark Ads Shop revenue per (advertiser day, creator, currency): all of it, and the part
    whose orders the order book the app can read also holds (the stand-in knows which)."""
    creators = registry_map("tiktok_identity_id")
    totals: dict[tuple[date, str, str], dict[str, Decimal]] = defaultdict(
        lambda: {"revenue": ZERO, "in_order_book": ZERO}
    )
    for row in spark_overlap(SEED):
        key = (row["date"], creators[row["identity_id"]], row["currency"])
        totals[key]["revenue"] += row["spark_revenue"]
        totals[key]["in_order_book"] += row["in_order_book"]
    return dict(totals)


def test_creator_driven_revenue_equals_the_ground_truth(creator_warehouse: Settings) -> None:
    # Every Spark Ad of the stand-in promotes TikTok Shop. Its orders in a readable order book
    # are affiliate GMV already; those of the EU shop (no order data) are credited only here.
    expected: dict[tuple[date, str, str], Decimal] = defaultdict(lambda: ZERO)
    for key, totals in shop_truth().items():
        expected[key] += totals["gmv"]
    for key, value in meta_partnership_truth().items():
        expected[key] += value
    for key, spark in spark_truth().items():
        expected[key] += spark["revenue"] - spark["in_order_book"]
    rows = query(
        creator_warehouse,
        "select report_date, creator_id, currency, creator_driven_revenue"
        " from marts.fct_creator_performance_daily where creator_driven_revenue <> 0",
    )
    assert {(day, creator, cur): value for day, creator, cur, value in rows} == {
        key: value for key, value in expected.items() if value
    }


def test_only_spark_revenue_in_the_order_book_is_deducted(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select report_date, creator_id, currency, paid_attributed_revenue_shop,"
        " deduction_spark_orders_in_order_book from marts.fct_creator_performance_daily"
        " where paid_attributed_revenue_shop <> 0",
    )
    mart = {(day, creator, cur): [shop, deducted] for day, creator, cur, shop, deducted in rows}
    truth = {key: [v["revenue"], v["in_order_book"]] for key, v in spark_truth().items()}
    assert mart == truth
    # The EU shop has no order data: its Spark Ads revenue is credited, nothing deducted.
    eur = [values for (_, _, cur), values in mart.items() if cur == "EUR"]
    assert eur and all(shop > 0 and deducted == 0 for shop, deducted in eur)
    # Readable shops: what the Spark Ads brought is in the order book, except orders placed
    # outside the pulled window (advertiser days straddle the shop's UTC days).
    other = [values for (_, _, cur), values in mart.items() if cur != "EUR"]
    assert other and all(0 < deducted <= shop for shop, deducted in other)


def test_spark_order_book_overlap_per_ad_equals_the_truth(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select advertiser_id, ad_id, report_date, spark_shop_revenue, revenue_in_order_book"
        " from intermediate.int_creator_spark_order_book_overlap where spark_shop_revenue <> 0",
    )
    truth = {
        (r["advertiser_id"], r["ad_id"], r["date"]): [r["spark_revenue"], r["in_order_book"]]
        for r in spark_overlap(SEED)
    }
    assert truth and {(a, ad, day): [rev, book] for a, ad, day, rev, book in rows} == truth


def test_every_registered_creator_is_one_dimension_row(creator_warehouse: Settings) -> None:
    rows = query(
        creator_warehouse,
        "select creator_id, is_registered, tiktok_identity_id from marts.dim_creators",
    )
    creators = {creator: (registered, identity) for creator, registered, identity in rows}
    registered = set(registry_map("tiktok_username").values())
    assert set(creators) == registered  # no brand, no stray identity in the stand-in's data
    assert all(flag for flag, _ in creators.values())
    assert creators["stylecreator_ana"][1] == "6951234567890123401"


def test_threads_engagement_is_organic_and_brand_free(creator_warehouse: Settings) -> None:
    [(views, brand_rows, non_reporting)] = query(
        creator_warehouse,
        "select sum(threads_views),"
        " count(*) filter (where creator_id = 'nordlicht_apparel'),"
        " count(*) filter (where threads_posts > 0 and currency <> reporting_currency)"
        " from marts.fct_creator_performance_daily",
    )
    [(expected_views,)] = query(
        creator_warehouse,
        "select sum(views) from staging.stg_threads__post_insights"
        " where profile_id in ('27300000000000101', '27300000000000102',"
        " '27300000000000103', '27300000000000104')",
    )
    assert views == expected_views > 0
    assert (brand_rows, non_reporting) == (0, 0)


def test_reporting_amounts_are_converted_per_row(creator_warehouse: Settings) -> None:
    # Null only where the FX calendar has no rate for the day (the window opens on a Sunday
    # before the first pulled ECB publication); the mart warns about those rows.
    [(converted, missing_with_rate, same_currency_mismatch)] = query(
        creator_warehouse,
        "select count(*) filter (where creator_driven_revenue_reporting is not null),"
        " count(*) filter (where creator_driven_revenue_reporting is null and report_date in"
        "     (select rate_date from intermediate.int_fx_rates_daily)),"
        " count(*) filter (where currency = reporting_currency"
        "     and creator_driven_revenue_reporting <> creator_driven_revenue)"
        " from marts.fct_creator_performance_daily",
    )
    assert converted > 0
    assert (missing_with_rate, same_currency_mismatch) == (0, 0)
