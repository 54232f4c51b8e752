"""Stand-in contract: Shop orders have a true channel, and each report counts the right ones.

TikTok documents that Product GMV Max counts "all paid and organic orders for the products you
chose ... whether or not they engaged with one of your ads" and LIVE GMV Max the conversions in
its LIVE event (https://ads.tiktok.com/help/article/about-attribution-for-gmv-max); the seller's
affiliate order search returns creator-content orders, including those "generated through Shop
Ads" (``shop_ads_commission_rate``, TikTok Shop SDK model
``affiliateSeller/V202410/SearchSellerAffiliateOrdersResponseDataOrdersSkus``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

from test_tiktok_shop_contract import ORDERS_PATH, _handle, _orders_query, _walk, api

from sandbox.tiktok.scenario import build_scenario as build_ads_scenario
from sandbox.tiktok.truth import ad_day_truth, gmv_max_truth
from sandbox.tiktok_shop import channels
from sandbox.tiktok_shop.api import TikTokShopApi
from sandbox.tiktok_shop.scenario import build_scenario
from sandbox.tiktok_shop.truth import channel_order_truth, spark_overlap_truth

__all__ = ["api"]  # the Shop stand-in fixture

SEED = 42
NOW = datetime(2026, 10, 8, 12, tzinfo=UTC)
DAYS = (date(2026, 10, 1), date(2026, 10, 7))


def test_every_channel_occurs_and_the_order_book_holds_only_affiliate_orders() -> None:
    rows = channel_order_truth(SEED, *DAYS, NOW)
    assert {row["channel"] for row in rows} == set(channels.CHANNELS)
    in_book = {(row["channel"], row["shop_cipher"]) for row in rows if row["in_order_book"]}
    assert {channel for channel, _ in in_book} == {"affiliate_content", "spark_ad"}
    eu = build_scenario().unauthorized_shops[0].cipher
    assert eu not in {cipher for _, cipher in in_book}
    assert any(row["shop_cipher"] == eu and row["channel"] == "spark_ad" for row in rows)


def test_the_order_search_serves_spark_ad_orders_as_creator_content(api: TikTokShopApi) -> None:
    shop = api.scenario.shops[0]
    zone = channels._timezone(shop)
    ge, _ = channels._local_bounds(zone, DAYS[0])
    _, lt = channels._local_bounds(zone, DAYS[1])
    served = {
        order["id"]: order
        for page in _walk(api, 100, {"create_time_ge": ge, "create_time_lt": lt}, shop.cipher)
        for order in page["orders"]
    }
    truth = {
        row["order_id"]: row
        for row in channel_order_truth(SEED, *DAYS, NOW)
        if row["shop_cipher"] == shop.cipher and row["in_order_book"]
    }
    assert set(served) == set(truth)
    items = {ad.tiktok_item_id for ad in channels.spark_shop_ads(shop)}
    spark = [served[order_id] for order_id, row in truth.items() if row["channel"] == "spark_ad"]
    assert spark and all(
        sku["content_type"] == "VIDEO" and sku["content_id"] in items and sku["creator_username"]
        for order in spark
        for sku in order["skus"]
    )
    # Orders generated through Shop Ads carry the Shop Ads rate; organic creator orders "0".
    assert all(int(sku["shop_ads_commission_rate"]) > 0 for o in spark for sku in o["skus"])
    organic = [served[i] for i, row in truth.items() if row["channel"] == "affiliate_content"]
    assert organic and all(
        sku["shop_ads_commission_rate"] == "0" for o in organic for sku in o["skus"]
    )


def test_a_shop_that_did_not_authorize_the_app_is_not_served(api: TikTokShopApi) -> None:
    eu = api.scenario.unauthorized_shops[0]
    answer = _handle(api, "/authorization/202309/shops", {}, method="GET")
    assert eu.cipher not in {shop["cipher"] for shop in answer["data"]["shops"]}
    refused = _handle(api, ORDERS_PATH, _orders_query(shop=eu.cipher), body={})
    assert refused["code"] != 0


def test_spark_ad_shop_revenue_is_the_orders_it_counts() -> None:
    counted: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in channel_order_truth(SEED, *DAYS, NOW):
        if row["spark_ad_id"]:
            counted[(row["spark_ad_id"], row["date"].isoformat())] += row["gross"]
    shop_ads = {
        ad.ad_id for shop in build_scenario().all_shops for ad in channels.spark_shop_ads(shop)
    }
    reported = {
        (row["ad_id"], row["date"]): row["purchase_value"]
        for row in ad_day_truth(SEED, *DAYS, as_of=NOW)
        if row["ad_id"] in shop_ads and row["purchase_value"]
    }
    assert counted and reported == dict(counted)
    overlap = spark_overlap_truth(SEED, *DAYS, NOW)
    assert sum(r["spark_revenue"] for r in overlap) == sum(counted.values())
    eu_ads = {ad.ad_id for ad in channels.spark_shop_ads(build_scenario().unauthorized_shops[0])}
    assert all((r["in_order_book"] == 0) == (r["ad_id"] in eu_ads) for r in overlap)


def test_gmv_max_revenue_is_every_order_of_the_store_while_it_runs() -> None:
    rows = channel_order_truth(SEED, *DAYS, NOW)
    by_campaign: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    channels_of: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["gmv_max_campaign_id"]:
            by_campaign[(row["gmv_max_campaign_id"], row["date"].isoformat())] += row["gross"]
            channels_of[row["gmv_max_campaign_id"]].add(row["channel"])
    reported = {
        (row["campaign_id"], row["date"]): row["gross_revenue"]
        for row in gmv_max_truth(SEED, *DAYS, as_of=NOW)
        if row["gross_revenue"]
    }
    assert reported == dict(by_campaign)
    kinds = {c.campaign_id: c.promotion_type for c in build_ads_scenario().gmv_campaigns}
    for campaign_id, seen in channels_of.items():
        if kinds[campaign_id] == "PRODUCT_GMV_MAX":
            assert seen == set(channels.CHANNELS)  # paid, organic and affiliate alike
        else:
            assert seen == {"gmv_max_ad"}
    # Every order of a store with a Product GMV Max campaign is counted by one campaign.
    stores = {c.store_id for c in build_ads_scenario().gmv_campaigns}
    shops = {s.cipher for s in build_scenario().all_shops if s.shop_id in stores}
    assert all(row["gmv_max_campaign_id"] for row in rows if row["shop_cipher"] in shops)
