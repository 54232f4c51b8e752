"""Rows the reports are built from, as a pull at a given time sees them.

Shared by the API (which renders them) and the ground truth (which sums them), so both
describe the same numbers; both derive them from :mod:`sandbox.tiktok.generator`.
"""

from __future__ import annotations

from collections.abc import Iterator
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


@dataclass(frozen=True)
class Pull:
    """What one report pull asks of an advertiser: the days ``start..end`` (advertiser time
    zone, inclusive) as a pull at ``now`` sees them (later days absent, recent days'
    conversions not yet final); ``now`` None gives the final numbers of every day."""

    scenario: Scenario
    seed: int
    advertiser: Advertiser
    start: date
    end: date
    now: datetime | None

    def reported_days(self) -> Iterator[tuple[date, int]]:
        """Days of the range with data at ``now``, with their age in days (99: final)."""
        now = self.now
        today = local_today(self.advertiser, now) if now is not None else None
        for day in days(self.start, self.end):
            if today is None:
                yield day, 99
            elif day <= today:
                yield day, (today - day).days


def report_rows(pull: Pull, *, smart_plus: bool, by_placement: bool) -> list[AdDay]:
    """Every delivering (day, ad, placement) of the advertiser's manual ads (or, with
    ``smart_plus``, its Upgraded Smart+ ads), ordered by day, ad and placement; without
    ``by_placement`` summed over placements, one row per (day, ad)."""
    advertiser_id = pull.advertiser.advertiser_id
    scenario = pull.scenario
    ads = sorted(
        scenario.smart_plus_ads_of(advertiser_id) if smart_plus else scenario.ads_of(advertiser_id),
        key=lambda ad: ad.ad_id,
    )
    rows = []
    for day, age in pull.reported_days():
        for ad in ads:
            for placement in ad.placements:
                final = ad_metrics(pull.seed, day, ad, placement)
                if final is not None:
                    pulled = _with_shop_orders(pull, day, ad, placement, as_pulled(final, age))
                    rows.append(AdDay(day, ad, placement, pulled))
    return rows if by_placement else _summed(rows)


def _summed(rows: list[AdDay]) -> list[AdDay]:
    grouped: dict[tuple[date, str], list[AdDay]] = {}
    for row in rows:
        grouped.setdefault((row.day, row.ad.ad_id), []).append(row)
    return [
        AdDay(group[0].day, group[0].ad, None, reduce(add, (r.metrics for r in group)))
        for group in grouped.values()
    ]


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
    pull: Pull, day: date, ad: Ad, placement: str, pulled: AdMetrics
) -> AdMetrics:
    """A Spark Ad selling for the advertiser's TikTok Shop reports the Shop orders it brought
    (:func:`sandbox.tiktok_shop.channels.spark_counted`); other ads keep ``pulled``."""
    shop = channels.shop_of_advertiser(pull.advertiser.advertiser_id)
    if shop is None or ad not in channels.spark_shop_ads(shop):
        return pulled
    counted = channels.spark_counted(pull.seed, shop, ad, day, placement, pull.now)
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


def gmv_rows(pull: Pull) -> list[GmvDay]:
    """Every GMV Max (day, campaign) with cost, ordered by day then campaign."""
    campaigns = sorted(
        pull.scenario.gmv_campaigns_of(pull.advertiser.advertiser_id), key=lambda c: c.campaign_id
    )
    return [
        GmvDay(day, campaign, _with_gmv_max_orders(pull.seed, day, campaign, metrics, pull.now))
        for day, _age in pull.reported_days()
        for campaign in campaigns
        if (metrics := gmv_metrics(pull.seed, day, campaign)) is not None
    ]
