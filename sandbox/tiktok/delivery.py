"""Rows the reports are built from, as a pull at a given time sees them.

Shared by the API (which renders them) and the ground truth (which sums them), so both
describe the same numbers; both derive them from :mod:`sandbox.tiktok.generator`.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from sandbox.tiktok.scenario import Ad, Advertiser, GmvMaxCampaign, Scenario


@dataclass(frozen=True)
class AdDay:
    """One ad on one day, on one placement (``placement`` None = all placements summed)."""

    day: date
    ad: Ad
    placement: str | None
    metrics: AdMetrics


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
    rows = []
    ads = sorted(scenario.ads_of(advertiser.advertiser_id), key=lambda ad: ad.ad_id)
    for day, age in _reported_days(advertiser, start, end, now):
        for ad in ads:
            for placement in ad.placements:
                final = ad_metrics(seed, day, ad, placement)
                if final is not None:
                    rows.append(AdDay(day, ad, placement, as_pulled(final, age)))
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
    grouped: dict[tuple[date, str], list[AdDay]] = {}
    for row in placement_rows(scenario, seed, advertiser, start, end, now):
        grouped.setdefault((row.day, row.ad.ad_id), []).append(row)
    return [
        AdDay(group[0].day, group[0].ad, None, reduce(add, (r.metrics for r in group)))
        for group in grouped.values()
    ]


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
        GmvDay(day, campaign, metrics)
        for day, _age in _reported_days(advertiser, start, end, now)
        for campaign in campaigns
        if (metrics := gmv_metrics(seed, day, campaign)) is not None
    ]
