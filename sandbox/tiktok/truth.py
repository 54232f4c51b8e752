"""Ground truth of the TikTok stand-in, computed from the generator (never from the server).

Money is exact :class:`~decimal.Decimal` in the advertiser's currency; counts the API renders
as ``"-"`` are ``None``. ``as_of`` is the pull time whose numbers are wanted (days after it
are absent, recent conversions not yet final); ``None`` gives the final numbers.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sandbox.creators import TIKTOK_CREATORS
from sandbox.tiktok.delivery import (
    AdDay,
    ad_rows,
    gmv_rows,
    placement_rows,
    smart_plus_ad_rows,
    smart_plus_placement_rows,
)
from sandbox.tiktok.scenario import Scenario, build_scenario


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _ad_row(row: AdDay, currency: str) -> dict[str, Any]:
    m = row.metrics
    return {
        "date": row.day.isoformat(),
        "advertiser_id": row.ad.advertiser_id,
        "currency": currency,
        "campaign_id": row.ad.campaign_id,
        "adgroup_id": row.ad.adgroup_id,
        "ad_id": row.ad.ad_id,
        **({"placement": row.placement} if row.placement else {}),
        "spend": _money(m.spend_cents),
        "impressions": m.impressions,
        "clicks": m.clicks,
        "conversion": m.conversion,
        "complete_payment": m.complete_payment,
        "purchase_value": _money(m.payment_value_cents),
        "video_play_actions": m.video_play_actions,
        "video_watched_2s": m.video_watched_2s,
        "video_views_p100": m.video_views_p100,
    }


def ad_day_truth(
    seed: int,
    start: date,
    end: date,
    *,
    as_of: datetime | None = None,
    scenario: Scenario | None = None,
) -> list[dict[str, Any]]:
    """Every (advertiser, day, ad) row of the BASIC ad report, deleted ads included.

    Args:
        seed: Data seed (as given to the server).
        start: First day, inclusive (advertiser time zone).
        end: Last day, inclusive.
        as_of: Pull time (see the module docstring).
        scenario: The advertisers (default :func:`build_scenario`).

    Returns:
        Rows ordered by advertiser, day and ad; ``date`` is ISO ``YYYY-MM-DD``.
    """
    scenario = scenario or build_scenario()
    return [
        _ad_row(row, adv.currency)
        for adv in scenario.advertisers
        for row in ad_rows(scenario, seed, adv, start, end, as_of)
    ]


def placement_truth(
    seed: int,
    start: date,
    end: date,
    *,
    as_of: datetime | None = None,
    scenario: Scenario | None = None,
) -> list[dict[str, Any]]:
    """Every (advertiser, day, ad, placement) row of the AUDIENCE report by ``placement``."""
    scenario = scenario or build_scenario()
    return [
        _ad_row(row, adv.currency)
        for adv in scenario.advertisers
        for row in placement_rows(scenario, seed, adv, start, end, as_of)
    ]


def smart_plus_ad_day_truth(
    seed: int,
    start: date,
    end: date,
    *,
    as_of: datetime | None = None,
    scenario: Scenario | None = None,
) -> list[dict[str, Any]]:
    """Every (advertiser, day, Upgraded Smart+ ad) row of the BASIC report by ``ad_id_v2``
    (``ad_id`` is the ``smart_plus_ad_id``), in the shape of :func:`ad_day_truth`."""
    scenario = scenario or build_scenario()
    return [
        _ad_row(row, adv.currency)
        for adv in scenario.advertisers
        for row in smart_plus_ad_rows(scenario, seed, adv, start, end, as_of)
    ]


def smart_plus_placement_truth(
    seed: int,
    start: date,
    end: date,
    *,
    as_of: datetime | None = None,
    scenario: Scenario | None = None,
) -> list[dict[str, Any]]:
    """Every (advertiser, day, Upgraded Smart+ ad, placement) row of the AUDIENCE report
    by ``ad_id_v2`` and ``placement`` (Lemon8 and PineDrama included)."""
    scenario = scenario or build_scenario()
    return [
        _ad_row(row, adv.currency)
        for adv in scenario.advertisers
        for row in smart_plus_placement_rows(scenario, seed, adv, start, end, as_of)
    ]


def advertiser_spend_truth(
    seed: int,
    start: date,
    end: date,
    *,
    as_of: datetime | None = None,
    scenario: Scenario | None = None,
) -> dict[tuple[str, str], Decimal]:
    """Spend per (advertiser, ISO day) of the advertiser-level BASIC report: every auction
    ad, deleted and Upgraded Smart+ ones included (GMV Max is not in BASIC reports)."""
    totals: dict[tuple[str, str], Decimal] = {}
    for truth in (ad_day_truth, smart_plus_ad_day_truth):
        for row in truth(seed, start, end, as_of=as_of, scenario=scenario):
            key = (row["advertiser_id"], row["date"])
            totals[key] = totals.get(key, Decimal(0)) + row["spend"]
    return totals


def creator_truth(
    seed: int,
    start: date,
    end: date,
    *,
    as_of: datetime | None = None,
    scenario: Scenario | None = None,
) -> list[dict[str, Any]]:
    """Spark Ads totals per (advertiser, creator identity) over ``start..end``.

    Returns:
        Rows with ``advertiser_id``, ``currency``, ``identity_id``, ``username``, ``spend``,
        ``impressions``, ``complete_payment`` and ``purchase_value``, ordered by advertiser
        and identity.
    """
    scenario = scenario or build_scenario()
    usernames = {c.identity_id: c.username for c in TIKTOK_CREATORS}
    spark_ads = {ad.ad_id: ad for ad in scenario.ads if ad.is_spark}
    totals: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in ad_day_truth(seed, start, end, as_of=as_of, scenario=scenario):
        ad = spark_ads.get(row["ad_id"])
        if ad is None:
            continue
        key = (row["advertiser_id"], row["currency"], ad.identity_id)
        found = totals.setdefault(
            key,
            {
                "advertiser_id": key[0],
                "currency": key[1],
                "identity_id": key[2],
                "username": usernames.get(key[2]),
                "spend": Decimal(0),
                "impressions": 0,
                "complete_payment": 0,
                "purchase_value": Decimal(0),
            },
        )
        for name in ("spend", "impressions", "complete_payment", "purchase_value"):
            found[name] += row[name]
    return [totals[key] for key in sorted(totals)]


def gmv_max_truth(
    seed: int,
    start: date,
    end: date,
    *,
    as_of: datetime | None = None,
    scenario: Scenario | None = None,
) -> list[dict[str, Any]]:
    """Every (advertiser, day, GMV Max campaign) row; ``orders`` None where TikTok shows "-"."""
    scenario = scenario or build_scenario()
    rows = []
    for adv in scenario.advertisers:
        for row in gmv_rows(scenario, seed, adv, start, end, as_of):
            m = row.metrics
            rows.append(
                {
                    "date": row.day.isoformat(),
                    "advertiser_id": adv.advertiser_id,
                    "currency": adv.currency,
                    "store_id": row.campaign.store_id,
                    "campaign_id": row.campaign.campaign_id,
                    "promotion_type": row.campaign.promotion_type,
                    "cost": _money(m.cost_cents),
                    "net_cost": _money(m.net_cost_cents),
                    "orders": m.orders or None,
                    "gross_revenue": _money(m.gross_revenue_cents),
                    "product_impressions": m.product_impressions,
                    "product_clicks": m.product_clicks,
                }
            )
    return rows
