"""Daily delivery numbers: a pure function of (seed, day, ad, placement).

Every number comes from a BLAKE2b digest of that key, so any date range can be served
(and its truth computed) without state and in any order. Money is integer minor units
(cents) throughout; rendering to Meta's decimal strings happens at the edge.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache

from sandbox.meta.scenario import (
    ALL_PLACEMENTS,
    AUDIENCE_NETWORK,
    FACEBOOK_FEED,
    FACEBOOK_REELS,
    FACEBOOK_STORIES,
    INSTAGRAM_EXPLORE,
    INSTAGRAM_FEED,
    INSTAGRAM_REELS,
    INSTAGRAM_STORIES,
    THREADS_FEED,
    Ad,
    Placement,
    Scenario,
)

#: Attribution windows the stand-in models (7d_view/28d_view are gone since 2026-01-12).
WINDOWS: tuple[str, ...] = ("1d_click", "7d_click", "28d_click", "1d_view")

#: Average order value in EUR cents; scaled by the account's ``money_scale``.
_ORDER_VALUE_CENTS = 6400

#: Day-of-week demand, Monday first.
_WEEKDAY_FACTOR = (0.94, 0.96, 1.0, 1.0, 1.04, 1.09, 1.06)


@dataclass(frozen=True)
class _Profile:
    weight: float  # share of an ad's spend among its placements
    cpm_cents: int  # EUR cents per 1000 impressions
    ctr: float  # clicks (all) per impression
    link_share: float  # link clicks per click
    cvr: float  # 7-day-click purchases per link click
    view_rate: float  # 1-day-view purchases per 1000 impressions
    dropout: float  # chance of no delivery on a given day


_PROFILES: dict[Placement, _Profile] = {
    FACEBOOK_FEED: _Profile(0.24, 900, 0.014, 0.70, 0.036, 0.020, 0.0),
    FACEBOOK_REELS: _Profile(0.10, 650, 0.009, 0.60, 0.022, 0.010, 0.05),
    FACEBOOK_STORIES: _Profile(0.08, 580, 0.008, 0.65, 0.024, 0.010, 0.05),
    INSTAGRAM_FEED: _Profile(0.20, 1000, 0.012, 0.72, 0.038, 0.020, 0.0),
    INSTAGRAM_REELS: _Profile(0.16, 720, 0.011, 0.65, 0.030, 0.015, 0.0),
    INSTAGRAM_STORIES: _Profile(0.12, 640, 0.010, 0.70, 0.026, 0.012, 0.03),
    INSTAGRAM_EXPLORE: _Profile(0.04, 520, 0.007, 0.60, 0.018, 0.006, 0.20),
    THREADS_FEED: _Profile(0.03, 380, 0.006, 0.80, 0.015, 0.004, 0.15),
    AUDIENCE_NETWORK: _Profile(0.03, 160, 0.004, 0.50, 0.005, 0.001, 0.30),
}


@dataclass(frozen=True, slots=True)
class WindowCounts:
    """One number per attribution window; windows are cumulative for clicks."""

    d1_click: int = 0
    d7_click: int = 0
    d28_click: int = 0
    d1_view: int = 0

    @property
    def default(self) -> int:
        """Meta's ``value``: the default attribution, 7-day click + 1-day view."""
        return self.d7_click + self.d1_view

    def get(self, window: str) -> int:
        """The number for a window name such as ``"7d_click"``."""
        return {
            "1d_click": self.d1_click,
            "7d_click": self.d7_click,
            "28d_click": self.d28_click,
            "1d_view": self.d1_view,
        }[window]

    def __add__(self, other: WindowCounts) -> WindowCounts:
        return WindowCounts(
            self.d1_click + other.d1_click,
            self.d7_click + other.d7_click,
            self.d28_click + other.d28_click,
            self.d1_view + other.d1_view,
        )


@dataclass(frozen=True, slots=True)
class DailyMetrics:
    """Delivery of one ad on one placement and day (or a sum of such)."""

    impressions: int
    clicks: int
    link_clicks: int
    spend_cents: int
    purchases: WindowCounts
    purchase_value_cents: WindowCounts

    def __add__(self, other: DailyMetrics) -> DailyMetrics:
        return DailyMetrics(
            self.impressions + other.impressions,
            self.clicks + other.clicks,
            self.link_clicks + other.link_clicks,
            self.spend_cents + other.spend_cents,
            self.purchases + other.purchases,
            self.purchase_value_cents + other.purchase_value_cents,
        )


@dataclass(frozen=True, slots=True)
class Delivery:
    """A served row before rendering: which ad, where, when, and its numbers."""

    day: date
    ad: Ad
    placement: Placement
    metrics: DailyMetrics


def _uniforms(key: str) -> list[float]:
    """Sixteen uniforms in [0, 1) derived from ``key``."""
    digest = hashlib.blake2b(key.encode(), digest_size=64).digest()
    return [int.from_bytes(digest[i : i + 4], "little") / 4294967296.0 for i in range(0, 64, 4)]


def _spread(u: float, low: float, high: float) -> float:
    return low + (high - low) * u


def _sround(x: float, u: float) -> int:
    """Round ``x`` down or up with probability equal to its fraction (unbiased)."""
    whole = math.floor(x)
    return whole + (1 if u < x - whole else 0)


@cache
def _ad_quality(seed: int, ad_id: str) -> float:
    return _spread(_uniforms(f"{seed}|quality|{ad_id}")[0], 0.7, 1.3)


@cache
def _weights(placements: tuple[Placement, ...]) -> dict[Placement, float]:
    total = sum(_PROFILES[p].weight for p in placements)
    return {p: _PROFILES[p].weight / total for p in placements}


def _conversions(
    u: list[float], link_clicks: int, impressions: int, profile: _Profile, order_cents: float
) -> tuple[WindowCounts, WindowCounts]:
    rate = profile.cvr * _spread(u[6], 0.6, 1.4)
    first_day = _sround(link_clicks * rate * 0.7, u[7])
    to_7d = _sround(link_clicks * rate * 0.3, u[8])
    to_28d = _sround(link_clicks * rate * 0.12, u[9])
    viewed = _sround(impressions / 1000 * profile.view_rate, u[10])
    values = [
        round(n * order_cents * _spread(v, 0.6, 1.5))
        for n, v in ((first_day, u[11]), (to_7d, u[12]), (to_28d, u[13]), (viewed, u[14]))
    ]
    counts = WindowCounts(first_day, first_day + to_7d, first_day + to_7d + to_28d, viewed)
    cents = WindowCounts(
        values[0], values[0] + values[1], values[0] + values[1] + values[2], values[3]
    )
    return counts, cents


def daily_metrics(seed: int, day: date, ad: Ad, placement: Placement) -> DailyMetrics | None:
    """Final numbers for one ad on one placement and day.

    Args:
        seed: scenario seed; a different seed gives different numbers.
        day: the reporting day (account time zone).
        ad: the ad.
        placement: the placement.

    Returns:
        The metrics, or None when the ad has no impressions and no spend there that day
        (Meta omits such rows).
    """
    eligible = ad.placements_on(day)
    if placement not in eligible:
        return None
    profile = _PROFILES[placement]
    u = _uniforms(
        f"{seed}|{day.isoformat()}|{ad.id}|{placement.publisher_platform}|"
        f"{placement.platform_position}"
    )
    if u[0] < profile.dropout:
        return None
    target = (
        ad.daily_spend_cents
        * _weights(eligible)[placement]
        * _WEEKDAY_FACTOR[day.weekday()]
        * _ad_quality(seed, ad.id)
        * _spread(u[1], 0.75, 1.25)
    )
    cpm = profile.cpm_cents * ad.money_scale * _spread(u[2], 0.85, 1.15)
    impressions = math.floor(target * 1000 / cpm)
    spend_cents = round(impressions * cpm / 1000)
    if impressions == 0 and spend_cents == 0:
        return None
    clicks = _sround(impressions * profile.ctr * _spread(u[3], 0.7, 1.3), u[4])
    link_clicks = min(clicks, _sround(clicks * profile.link_share, u[5]))
    order_cents = _ORDER_VALUE_CENTS * ad.money_scale
    purchases, values = _conversions(u, link_clicks, impressions, profile, order_cents)
    return DailyMetrics(impressions, clicks, link_clicks, spend_cents, purchases, values)


_PLACEMENT_ORDER = {p: i for i, p in enumerate(ALL_PLACEMENTS)}


def days(start: date, end: date) -> Iterator[date]:
    """Every day from ``start`` to ``end`` inclusive."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


@lru_cache(maxsize=16)
def account_delivery(
    scenario: Scenario, seed: int, account_id: str, start: date, end: date
) -> tuple[Delivery, ...]:
    """Every non-empty (day, ad, placement) row of one account, in serving order.

    Ordered by day, then ad ID, then placement (``ALL_PLACEMENTS`` order). Cached because
    a paged pull asks for the same range once per page.
    """
    ads = sorted(scenario.ads_of(account_id), key=lambda ad: ad.id)
    rows: list[Delivery] = []
    for day in days(start, end):
        for ad in ads:
            for placement in sorted(ad.placements_on(day), key=_PLACEMENT_ORDER.__getitem__):
                metrics = daily_metrics(seed, day, ad, placement)
                if metrics is not None:
                    rows.append(Delivery(day, ad, placement, metrics))
    return tuple(rows)
