"""Every order of a shop with its true channel, and which report counts it.

Channels (``OrderFacts.channel``):

* ``affiliate_content``: bought through a creator's affiliate video or LIVE, no ad involved
  (:func:`sandbox.tiktok_shop.generator.orders_on`).
* ``spark_ad``: bought through a Spark Ad on a creator's affiliate video (an ad group promoting
  TikTok Shop). TikTok Shop still records it as the creator's affiliate order, with
  ``content_id`` = the ad's ``tiktok_item_id``; its lines show the product's
  ``shop_ads_commission_rate`` ("the commission rate for orders generated through Shop Ads",
  paid instead of the standard rate), other lines "0". The Spark Ad's purchase value counts it.
* ``gmv_max_ad``: bought through a GMV Max ad (the brand's product ads or its LIVE room); not
  an affiliate order.
* ``organic``: the shop's own traffic (search, shop tab); not an affiliate order.

What each report counts:

* the affiliate order book (Shop API): ``affiliate_content`` and ``spark_ad`` orders of shops
  that authorized the app;
* a Spark Ad's complete-payment value: its ``spark_ad`` orders, as far as a pull sees them
  (the first ones of the day while conversions mature, and only orders already placed);
* Product GMV Max: every order of the shop placed on the advertiser's day while the campaign
  runs, whatever the channel ("all paid and organic orders for the products ... whether or
  not they engaged with one of your ads"), except the LIVE GMV Max campaign's orders;
  LIVE GMV Max: the orders in the brand's LIVE room (its own ``gmv_max_ad`` orders).

Days of ad-driven orders are the advertiser's days (its ``display_timezone``); affiliate-content
and organic orders are drawn per UTC day, as before.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sandbox.creators import TIKTOK_CREATORS
from sandbox.tiktok.generator import MATURITY, ad_metrics, gmv_metrics
from sandbox.tiktok.scenario import Ad, GmvMaxCampaign
from sandbox.tiktok.scenario import build_scenario as build_ads_scenario
from sandbox.tiktok_shop.generator import (
    AFFILIATE_CONTENT,
    DAY,
    LineFacts,
    OrderFacts,
    draw_fate,
    orders_between,
    unix,
)
from sandbox.tiktok_shop.scenario import Shop, ShopScenario, build_scenario

SPARK_AD = "spark_ad"
GMV_MAX_AD = "gmv_max_ad"
ORGANIC = "organic"
CHANNELS: tuple[str, ...] = (AFFILIATE_CONTENT, SPARK_AD, GMV_MAX_AD, ORGANIC)
#: Channels the seller's affiliate order search returns.
ORDER_BOOK_CHANNELS = frozenset({AFFILIATE_CONTENT, SPARK_AD})
#: Ad group ``promotion_type`` values whose purchases are TikTok Shop orders.
SHOP_PROMOTION_TYPES = frozenset({"TIKTOK_SHOP", "VIDEO_SHOPPING", "LIVE_SHOPPING"})


def _timezone(shop: Shop) -> ZoneInfo:
    advertiser = build_ads_scenario().advertiser(shop.advertiser_id)
    if advertiser is None:
        raise KeyError(f"shop {shop.shop_id} sells for unknown advertiser {shop.advertiser_id}")
    return ZoneInfo(advertiser.display_timezone)


def _local_bounds(zone: ZoneInfo, day: date) -> tuple[int, int]:
    after = day + timedelta(days=1)
    first = datetime(day.year, day.month, day.day, tzinfo=zone)
    return unix(first), unix(datetime(after.year, after.month, after.day, tzinfo=zone))


def _days(zone: ZoneInfo | None, ge: int, lt: int) -> list[date]:
    """Days (in ``zone``, UTC if None) that overlap ``[ge, lt)``."""
    zone = zone or UTC
    first = datetime.fromtimestamp(ge, zone).date()
    last = datetime.fromtimestamp(lt - 1, zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _shop_number(scenario: ShopScenario, shop: Shop) -> int:
    return scenario.all_shops.index(shop) + 1


def shop_of_advertiser(advertiser_id: str) -> Shop | None:
    """The shop (authorized or not) a TikTok advertiser's Shop ads sell for."""
    return build_scenario().shop_of_advertiser(advertiser_id)


@cache
def spark_shop_ads(shop: Shop) -> tuple[Ad, ...]:
    """Spark Ads of the shop's advertiser in ad groups promoting TikTok Shop, by ad id."""
    ads = build_ads_scenario()
    promotions = {g.adgroup_id: g.promotion_type for g in ads.adgroups}
    return tuple(
        sorted(
            (
                ad
                for ad in ads.ads_of(shop.advertiser_id)
                if ad.is_spark and promotions.get(ad.adgroup_id) in SHOP_PROMOTION_TYPES
            ),
            key=lambda ad: ad.ad_id,
        )
    )


def gmv_max_campaigns(shop: Shop) -> tuple[GmvMaxCampaign, ...]:
    """GMV Max campaigns selling for the shop (their ``store_id`` is the shop id)."""
    ads = build_ads_scenario()
    return tuple(c for c in ads.gmv_campaigns_of(shop.advertiser_id) if c.store_id == shop.shop_id)


def shop_of_store(store_id: str, scenario: ShopScenario | None = None) -> Shop | None:
    """The shop behind a GMV Max store id, authorized or not."""
    scenario = scenario or build_scenario()
    return next((s for s in scenario.all_shops if s.shop_id == store_id), None)


def _times(rng: random.Random, zone: ZoneInfo, day: date, count: int) -> list[int]:
    ge, lt = _local_bounds(zone, day)
    return sorted(ge + rng.randrange(lt - ge) for _ in range(count))


def spark_orders(
    scenario: ShopScenario, seed: int, shop: Shop, ad: Ad, day: date, placement: str
) -> list[OrderFacts]:
    """Final ``spark_ad`` orders of ``ad`` on ``placement`` and advertiser day ``day``.

    One order per final complete payment the ad reports there, oldest first.
    """
    metrics = ad_metrics(seed, day, ad, placement)
    if metrics is None or not metrics.complete_payment:
        return []
    creator = next(c for c in TIKTOK_CREATORS if c.identity_id == ad.identity_id)
    rng = random.Random(f"tiktok_shop:spark:{seed}:{ad.ad_id}:{placement}:{day.isoformat()}")
    prefix = f"57697{_shop_number(scenario, shop)}{day.toordinal():07d}{ad.ad_id[-2:]}"
    prefix += str(ad.placements.index(placement))
    orders = []
    for n, moment in enumerate(_times(rng, _timezone(shop), day, metrics.complete_payment)):
        line = LineFacts(
            product=rng.choice(shop.products),
            quantity=rng.choice((1, 1, 2)),
            creator_username=creator.username,
            content_type="VIDEO",
            content_id=ad.tiktok_item_id or "",
            refund_units=0,
            returned=False,
            target_collaboration_id=None,
            via_shop_ads=True,
        )
        orders.append(
            draw_fate(
                rng,
                scenario.lifecycle,
                shop,
                f"{prefix}{n:02d}",
                moment,
                [line],
                channel=SPARK_AD,
                ad_id=ad.ad_id,
            )
        )
    return orders


def spark_counted(
    seed: int, shop: Shop, ad: Ad, day: date, placement: str, now: datetime | None
) -> list[OrderFacts]:
    """The ``spark_ad`` orders the ad's report counts when pulled at ``now`` (None = final):
    while conversions mature (``MATURITY``) the first share of the day's orders, and never an
    order not yet placed."""
    orders = spark_orders(build_scenario(), seed, shop, ad, day, placement)
    if now is None:
        return orders
    age = (now.astimezone(_timezone(shop)).date() - day).days
    if age < 0:
        return []
    wanted = len(orders) if age >= len(MATURITY) else math.floor(len(orders) * MATURITY[age])
    return [o for o in orders if o.create_time < unix(now)][:wanted]


def _line(rng: random.Random, shop: Shop) -> LineFacts:
    return LineFacts(
        product=rng.choice(shop.products),
        quantity=rng.choice((1, 1, 1, 2)),
        creator_username="",
        content_type="",
        content_id="",
        refund_units=0,
        returned=False,
        target_collaboration_id=None,
    )


def gmv_max_ad_orders(
    scenario: ShopScenario, seed: int, shop: Shop, campaign: GmvMaxCampaign, day: date
) -> list[OrderFacts]:
    """Orders placed through the GMV Max campaign's own ads on advertiser day ``day``."""
    metrics = gmv_metrics(seed, day, campaign)
    if metrics is None or not metrics.orders:
        return []
    rng = random.Random(f"tiktok_shop:gmv_max:{seed}:{campaign.campaign_id}:{day.isoformat()}")
    prefix = f"57698{_shop_number(scenario, shop)}{day.toordinal():07d}{campaign.campaign_id[-2:]}"
    return [
        draw_fate(
            rng,
            scenario.lifecycle,
            shop,
            f"{prefix}{n:03d}",
            moment,
            [_line(rng, shop)],
            channel=GMV_MAX_AD,
            ad_id=campaign.campaign_id,
        )
        for n, moment in enumerate(_times(rng, _timezone(shop), day, metrics.orders))
    ]


def organic_orders_on(scenario: ShopScenario, seed: int, shop: Shop, day: date) -> list[OrderFacts]:
    """The shop's organic orders on UTC ``day``."""
    rng = random.Random(f"tiktok_shop:organic:{seed}:{shop.shop_id}:{day.isoformat()}")
    start = unix(datetime(day.year, day.month, day.day, tzinfo=UTC))
    times = sorted(start + rng.randrange(DAY) for _ in range(rng.randint(3, 9)))
    prefix = f"57699{_shop_number(scenario, shop)}{day.toordinal():07d}"
    return [
        draw_fate(
            rng,
            scenario.lifecycle,
            shop,
            f"{prefix}{n:05d}",
            t,
            [_line(rng, shop)],
            channel=ORGANIC,
        )
        for n, t in enumerate(times, start=1)
    ]


def shop_orders_between(
    scenario: ShopScenario, seed: int, shop: Shop, ge: int, lt: int
) -> list[OrderFacts]:
    """Every order of ``shop`` (all channels) with ``ge <= create_time < lt``, oldest first."""
    if lt <= ge:
        return []
    orders = list(orders_between(scenario, seed, shop, ge, lt))
    for day in _days(None, ge, lt):
        orders.extend(organic_orders_on(scenario, seed, shop, day))
    zone = _timezone(shop)
    for day in _days(zone, ge, lt):
        for ad in spark_shop_ads(shop):
            for placement in ad.placements:
                orders.extend(spark_orders(scenario, seed, shop, ad, day, placement))
        for campaign in gmv_max_campaigns(shop):
            orders.extend(gmv_max_ad_orders(scenario, seed, shop, campaign, day))
    return sorted(
        (o for o in orders if ge <= o.create_time < lt), key=lambda o: (o.create_time, o.order_id)
    )


def order_book_between(
    scenario: ShopScenario, seed: int, shop: Shop, ge: int, lt: int
) -> list[OrderFacts]:
    """What the affiliate order search returns for ``[ge, lt)``: affiliate orders only."""
    return [
        o
        for o in shop_orders_between(scenario, seed, shop, ge, lt)
        if o.channel in ORDER_BOOK_CHANNELS
    ]


def gmv_max_counted(
    seed: int, campaign: GmvMaxCampaign, day: date, now: datetime | None
) -> list[OrderFacts] | None:
    """The orders a GMV Max campaign's report counts on advertiser day ``day`` at ``now``
    (None = final); None when its store is no shop of the scenario."""
    scenario = build_scenario()
    shop = shop_of_store(campaign.store_id, scenario)
    if shop is None:
        return None
    ge, lt = _local_bounds(_timezone(shop), day)
    if now is not None:
        lt = min(lt, unix(now))
    orders = shop_orders_between(scenario, seed, shop, ge, lt)
    if campaign.promotion_type == "LIVE_GMV_MAX":
        return [o for o in orders if o.ad_id == campaign.campaign_id]
    live = {c.campaign_id for c in gmv_max_campaigns(shop) if c.promotion_type == "LIVE_GMV_MAX"}
    return [o for o in orders if o.ad_id not in live]
