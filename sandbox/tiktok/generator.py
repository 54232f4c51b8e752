"""Daily numbers of the TikTok stand-in: pure functions of (seed, day, ad, placement).

Money is integer minor units (cents). Conversions mature after the day: a pull ``age`` days
after the report day (account time zone) sees a share of the final conversions, so re-pulls
within the lookback restate them, like TikTok's attribution window does.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.tiktok.scenario import (
    APP_BUNDLE,
    LEMON8,
    PANGLE,
    PINE_DRAMA,
    TIKTOK,
    Ad,
    Advertiser,
    GmvMaxCampaign,
)

#: Share of final conversions visible at an age in days; from day 3 on numbers are final.
MATURITY: tuple[float, ...] = (0.55, 0.8, 0.93)

_WEIGHT = {TIKTOK: 0.78, PANGLE: 0.15, APP_BUNDLE: 0.07, LEMON8: 0.09, PINE_DRAMA: 0.06}
_CPM_CENTS = {TIKTOK: 650, PANGLE: 220, APP_BUNDLE: 180, LEMON8: 420, PINE_DRAMA: 310}
_CTR = {TIKTOK: 0.011, PANGLE: 0.006, APP_BUNDLE: 0.004, LEMON8: 0.008, PINE_DRAMA: 0.005}
_ORDER_CENTS = 4200


@dataclass(frozen=True, slots=True)
class AdMetrics:
    """One ad on one placement and day (or a sum); video counts None for non-video ads."""

    spend_cents: int
    impressions: int
    clicks: int
    conversion: int
    complete_payment: int
    payment_value_cents: int
    video_play_actions: int | None
    video_watched_2s: int | None
    video_views_p100: int | None

    def __add__(self, other: AdMetrics) -> AdMetrics:
        return AdMetrics(*(_add(a, b) for a, b in zip(_fields(self), _fields(other), strict=True)))


@dataclass(frozen=True, slots=True)
class GmvMetrics:
    cost_cents: int
    net_cost_cents: int
    orders: int
    gross_revenue_cents: int
    product_impressions: int
    product_clicks: int


def _fields(m: AdMetrics) -> tuple[int | None, ...]:
    return tuple(getattr(m, name) for name in AdMetrics.__slots__)


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)


def _uniforms(key: str) -> list[float]:
    digest = hashlib.blake2b(key.encode(), digest_size=32).digest()
    return [int.from_bytes(digest[i : i + 4], "little") / 4294967296.0 for i in range(0, 32, 4)]


def _sround(x: float, u: float) -> int:
    whole = math.floor(x)
    return whole + (1 if u < x - whole else 0)


def ad_metrics(seed: int, day: date, ad: Ad, placement: str) -> AdMetrics | None:
    """Final numbers of ``ad`` on ``placement`` on ``day``; None when it did not deliver."""
    if not ad.delivers_on(day) or placement not in ad.placements:
        return None
    u = _uniforms(f"{seed}|tiktok|{day.isoformat()}|{ad.ad_id}|{placement}")
    weight = _WEIGHT[placement] / sum(_WEIGHT[p] for p in ad.placements)
    spend = round(ad.daily_spend_cents * weight * (0.7 + 0.6 * u[0]))
    cpm = _CPM_CENTS[placement] * ad.money_scale * (0.85 + 0.3 * u[1])
    impressions = math.floor(spend * 1000 / cpm)
    if impressions == 0:
        return None
    clicks = _sround(impressions * _CTR[placement] * (0.7 + 0.6 * u[2]), u[3])
    conversion = _sround(clicks * (0.05 if ad.is_spark else 0.03), u[4])
    payments = _sround(conversion * 0.8, u[5])
    value = round(payments * _ORDER_CENTS * ad.money_scale * (0.7 + 0.8 * u[6]))
    if ad.ad_format == "CAROUSEL_ADS":
        return AdMetrics(spend, impressions, clicks, conversion, payments, value, None, None, None)
    plays = math.floor(impressions * 0.86)
    watched_2s = math.floor(plays * (0.28 + 0.1 * u[7]))
    return AdMetrics(
        spend, impressions, clicks, conversion, payments, value, plays, watched_2s, plays // 18
    )


def as_pulled(final: AdMetrics, age_days: int) -> AdMetrics:
    """What a pull ``age_days`` after the report day shows (conversions still maturing)."""
    if age_days >= len(MATURITY) or final.conversion == 0:
        return final
    share = MATURITY[max(age_days, 0)]
    payments = math.floor(final.complete_payment * share)
    value = (
        final.payment_value_cents * payments // final.complete_payment
        if final.complete_payment
        else 0
    )
    return replace(
        final,
        conversion=math.floor(final.conversion * share),
        complete_payment=payments,
        payment_value_cents=value,
    )


def local_today(advertiser: Advertiser, now: datetime) -> date:
    """The advertiser's current date (report days are in its time zone)."""
    return now.astimezone(ZoneInfo(advertiser.display_timezone)).date()


def gmv_metrics(seed: int, day: date, campaign: GmvMaxCampaign) -> GmvMetrics | None:
    """Final numbers of a GMV Max campaign on ``day``; LIVE campaigns get no product clicks."""
    if day < campaign.start:
        return None
    u = _uniforms(f"{seed}|gmv|{day.isoformat()}|{campaign.campaign_id}")
    cost = round(campaign.daily_cost_cents * (0.6 + 0.8 * u[0]))
    live = campaign.promotion_type == "LIVE_GMV_MAX"
    orders = 0 if live and u[1] < 0.3 else _sround(cost / (2600 * campaign.money_scale), u[2])
    revenue = round(orders * _ORDER_CENTS * campaign.money_scale * (0.8 + 0.6 * u[3]))
    impressions = math.floor(cost * (3.5 + u[4]))
    clicks = 0 if live else _sround(impressions * 0.02, u[5])
    return GmvMetrics(cost, round(cost * 0.92), orders, revenue, impressions, clicks)


def days(start: date, end: date) -> list[date]:
    """Every day from ``start`` to ``end`` inclusive."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
