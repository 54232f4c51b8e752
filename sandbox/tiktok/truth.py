"""Ground truth of the TikTok stand-in, computed from the generator (never from the server).

Money is exact :class:`~decimal.Decimal` in the advertiser's currency; counts the API renders
as ``"-"`` are ``None``. ``as_of`` is the pull time whose numbers are wanted (days after it
are absent, recent conversions not yet final); ``None`` gives the final numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sandbox.creators import TIKTOK_CREATORS
from sandbox.tiktok.delivery import AdDay, Pull, gmv_rows, report_rows
from sandbox.tiktok.scenario import Scenario, configured_scenario


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


# A truth function: ``(seed, start, end, *, as_of=None, scenario=None)`` -> report rows.
Truth = Callable[..., list[dict[str, Any]]]


def _pulls(
    seed: int, start: date, end: date, as_of: datetime | None, scenario: Scenario | None
) -> Iterator[Pull]:
    """One pull per advertiser of the scenario (default :func:`configured_scenario`)."""
    scenario = scenario or configured_scenario()
    for advertiser in scenario.advertisers:
        yield Pull(scenario, seed, advertiser, start, end, as_of)


def _report_truth(*, smart_plus: bool, by_placement: bool, doc: str) -> Truth:
    """The truth of one ad report (:func:`~sandbox.tiktok.delivery.report_rows`), ordered by
    advertiser, day, ad (and placement); ``date`` is ISO ``YYYY-MM-DD``."""

    def truth(
        seed: int,
        start: date,
        end: date,
        *,
        as_of: datetime | None = None,
        scenario: Scenario | None = None,
    ) -> list[dict[str, Any]]:
        return [
            _ad_row(row, pull.advertiser.currency)
            for pull in _pulls(seed, start, end, as_of, scenario)
            for row in report_rows(pull, smart_plus=smart_plus, by_placement=by_placement)
        ]

    truth.__doc__ = doc
    return truth


ad_day_truth = _report_truth(
    smart_plus=False,
    by_placement=False,
    doc="""Every (advertiser, day, ad) row of the BASIC ad report, deleted ads included.

    Args:
        seed: Data seed (as given to the server).
        start: First day, inclusive (advertiser time zone).
        end: Last day, inclusive.
        as_of: Pull time (see the module docstring).
        scenario: The advertisers (default :func:`configured_scenario`).

    Returns:
        Rows ordered by advertiser, day and ad; ``date`` is ISO ``YYYY-MM-DD``.
    """,
)
placement_truth = _report_truth(
    smart_plus=False,
    by_placement=True,
    doc="Every (advertiser, day, ad, placement) row of the AUDIENCE report by ``placement``.",
)
smart_plus_ad_day_truth = _report_truth(
    smart_plus=True,
    by_placement=False,
    doc="""Every (advertiser, day, Upgraded Smart+ ad) row of the BASIC report by ``ad_id_v2``
    (``ad_id`` is the ``smart_plus_ad_id``), in the shape of :func:`ad_day_truth`.""",
)
smart_plus_placement_truth = _report_truth(
    smart_plus=True,
    by_placement=True,
    doc="""Every (advertiser, day, Upgraded Smart+ ad, placement) row of the AUDIENCE report
    by ``ad_id_v2`` and ``placement`` (Lemon8 and PineDrama included).""",
)


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
    scenario = scenario or configured_scenario()
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
    rows = []
    for pull in _pulls(seed, start, end, as_of, scenario):
        adv = pull.advertiser
        for row in gmv_rows(pull):
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
