"""Rows the reports are built from, as a pull at a given time sees them.

Shared by the API (which renders them) and the ground truth (which sums them), so both
describe the same numbers; both derive them from :mod:`sandbox.tiktok.generator`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from functools import reduce
from operator import add

from sandbox.tiktok.generator import (
    AdMetrics,
    GmvMetrics,
    ad_metrics,
    as_pulled,
    days,
    gmv_metrics,
    local_today,
)
from sandbox.tiktok.scenario import Ad, Advertiser, GmvMaxCampaign, Scenario, SmartPlusAd
from sandbox.tiktok_shop import channels


@dataclass(frozen=True)
class AdDay:
    """One ad on one day, on one placement (``placement`` None = all placements summed);
    ``creative_id`` set: the share of one creative of an Upgraded Smart+ ad."""

    day: date
    ad: Ad
    placement: str | None
    metrics: AdMetrics
    creative_id: str | None = None


@dataclass(frozen=True)
class GmvDay:
    day: date
    campaign: GmvMaxCampaign
    metrics: GmvMetrics


def _reported_days(advertiser: Advertiser, start: date, end: date, now: datetime | None):
    """Days of ``start..end`` with data at ``now`` (None = final), with their age in days."""
    today = local_today(advertiser, now) if now is not None else None
    for day in days(start, end):
        if today is None:
            yield day, 99
        elif day <= today:
            yield day, (today - day).days


def placement_rows(
    scenario: Scenario,
    seed: int,
    advertiser: Advertiser,
    start: date,
    end: date,
    now: datetime | None,
) -> list[AdDay]:
    """Every delivering (day, ad, placement) of an advertiser, ordered by day, ad, placement.

    Args:
        scenario: The advertisers.
        seed: Data seed.
        advertiser: Whose ads.
        start: First day (advertiser time zone), inclusive.
        end: Last day, inclusive.
        now: Pull time: later days are absent, recent days' conversions not yet final.
            None gives the final numbers of every day.
    """
    return _delivery(scenario.ads_of(advertiser.advertiser_id), seed, advertiser, start, end, now)


def _delivery(
    ads: Iterable[Ad],
    seed: int,
    advertiser: Advertiser,
    start: date,
    end: date,
    now: datetime | None,
) -> list[AdDay]:
    rows = []
    ads = sorted(ads, key=lambda ad: ad.ad_id)
    for day, age in _reported_days(advertiser, start, end, now):
        for ad in ads:
            for placement in ad.placements:
                final = ad_metrics(seed, day, ad, placement)
                if final is not None:
                    pulled = as_pulled(final, age)
                    pulled = _with_shop_orders(seed, advertiser, day, ad, placement, pulled, now)
                    rows.append(AdDay(day, ad, placement, pulled))
    return rows


def ad_rows(
    scenario: Scenario,
    seed: int,
    advertiser: Advertiser,
    start: date,
    end: date,
    now: datetime | None,
) -> list[AdDay]:
    """:func:`placement_rows` summed over placements: one row per (day, ad)."""
    return _summed(placement_rows(scenario, seed, advertiser, start, end, now))


def _summed(rows: list[AdDay]) -> list[AdDay]:
    grouped: dict[tuple[date, str], list[AdDay]] = {}
    for row in rows:
        grouped.setdefault((row.day, row.ad.ad_id), []).append(row)
    return [
        AdDay(group[0].day, group[0].ad, None, reduce(add, (r.metrics for r in group)))
        for group in grouped.values()
    ]


def smart_plus_placement_rows(
    scenario: Scenario,
    seed: int,
    advertiser: Advertiser,
    start: date,
    end: date,
    now: datetime | None,
) -> list[AdDay]:
    """:func:`placement_rows` of the advertiser's Upgraded Smart+ ads."""
    ads = scenario.smart_plus_ads_of(advertiser.advertiser_id)
    return _delivery(ads, seed, advertiser, start, end, now)


def smart_plus_ad_rows(
    scenario: Scenario,
    seed: int,
    advertiser: Advertiser,
    start: date,
    end: date,
    now: datetime | None,
) -> list[AdDay]:
    """:func:`smart_plus_placement_rows` summed over placements: one row per (day, ad)."""
    return _summed(smart_plus_placement_rows(scenario, seed, advertiser, start, end, now))


def creative_rows(rows: list[AdDay]) -> list[AdDay]:
    """Upgraded Smart+ rows as reports by ``ad_id`` show them: each ad's numbers split over
    its creatives (every count and amount exactly, the first creatives taking the
    remainders), one row per creative."""
    split = []
    for row in rows:
        ad = row.ad
        if not isinstance(ad, SmartPlusAd):
            raise TypeError(f"ad {ad.ad_id} is no Upgraded Smart+ ad: it has no creatives")
        count = len(ad.creative_ids)
        for index, creative_id in enumerate(ad.creative_ids):
            parts = {
                f.name: _share(getattr(row.metrics, f.name), index, count)
                for f in fields(AdMetrics)
            }
            split.append(replace(row, metrics=AdMetrics(**parts), creative_id=creative_id))
    return split


def _share(value: int | None, index: int, count: int) -> int | None:
    if value is None:
        return None
    return value // count + (1 if index < value % count else 0)


def _with_shop_orders(
    seed: int,
    advertiser: Advertiser,
    day: date,
    ad: Ad,
    placement: str,
    pulled: AdMetrics,
    now: datetime | None,
) -> AdMetrics:
    """A Spark Ad selling for the advertiser's TikTok Shop reports the Shop orders it brought
    (:func:`sandbox.tiktok_shop.channels.spark_counted`); other ads keep ``pulled``."""
    shop = channels.shop_of_advertiser(advertiser.advertiser_id)
    if shop is None or ad not in channels.spark_shop_ads(shop):
        return pulled
    counted = channels.spark_counted(seed, shop, ad, day, placement, now)
    return replace(
        pulled,
        complete_payment=len(counted),
        payment_value_cents=sum(order.gross_cents for order in counted),
    )


def _with_gmv_max_orders(
    seed: int, day: date, campaign: GmvMaxCampaign, metrics: GmvMetrics, now: datetime | None
) -> GmvMetrics:
    """GMV Max orders and gross revenue are the Shop orders the campaign counts: every order
    of the store's products on the day (:func:`sandbox.tiktok_shop.channels.gmv_max_counted`)."""
    counted = channels.gmv_max_counted(seed, campaign, day, now)
    if counted is None:
        return metrics
    return replace(
        metrics,
        orders=len(counted),
        gross_revenue_cents=sum(order.gross_cents for order in counted),
    )


def gmv_rows(
    scenario: Scenario,
    seed: int,
    advertiser: Advertiser,
    start: date,
    end: date,
    now: datetime | None,
) -> list[GmvDay]:
    """Every GMV Max (day, campaign) with cost, ordered by day then campaign."""
    campaigns = sorted(
        scenario.gmv_campaigns_of(advertiser.advertiser_id), key=lambda c: c.campaign_id
    )
    return [
        GmvDay(day, campaign, _with_gmv_max_orders(seed, day, campaign, metrics, now))
        for day, _age in _reported_days(advertiser, start, end, now)
        for campaign in campaigns
        if (metrics := gmv_metrics(seed, day, campaign)) is not None
    ]
