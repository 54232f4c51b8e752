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
    ENGAGE_THROUGH_FROM_DEFAULT,
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

#: Attribution windows the stand-in models (7d_view/28d_view are gone since 2026-01-12);
#: ``1d_ev`` is engaged-view, since the click-through change engage-through (see
#: :func:`daily_metrics`).
WINDOWS: tuple[str, ...] = ("1d_click", "7d_click", "28d_click", "1d_ev", "1d_view")

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

    @property
    def engaged_view_rate(self) -> float:
        """1-day engaged-view purchases per 1000 impressions."""
        return self.view_rate * 0.4

    @property
    def social_cvr(self) -> float:
        """Purchases within 7 days per non-link click (like, comment, share, save)."""
        return self.cvr * 0.25


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
    d1_ev: int = 0

    @property
    def default(self) -> int:
        """Meta's ``value`` under the stand-in's ad set attribution setting (7-day click +
        1-day view, :data:`sandbox.meta.entities.ATTRIBUTION_SPEC`): engage-through is not in it."""
        return self.d7_click + self.d1_view

    def get(self, window: str) -> int:
        """The number for a window name such as ``"7d_click"``."""
        return {
            "1d_click": self.d1_click,
            "7d_click": self.d7_click,
            "28d_click": self.d28_click,
            "1d_view": self.d1_view,
            "1d_ev": self.d1_ev,
        }[window]

    def _counts(self) -> tuple[int, int, int, int, int]:
        """The numbers in field order (the order :class:`WindowCounts` takes them in)."""
        return (self.d1_click, self.d7_click, self.d28_click, self.d1_view, self.d1_ev)

    def __add__(self, other: WindowCounts) -> WindowCounts:
        return WindowCounts(*(a + b for a, b in zip(self._counts(), other._counts(), strict=True)))

    def scaled(self, num: int, den: int) -> WindowCounts:
        """Every window times ``num / den``, rounded down."""
        return WindowCounts(*(count * num // den for count in self._counts()))


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
def _weights(
    placements: tuple[Placement, ...], push: tuple[Placement, float] | None = None
) -> dict[Placement, float]:
    raw = {p: _PROFILES[p].weight * (push[1] if push and p == push[0] else 1.0) for p in placements}
    total = sum(raw.values())
    return {p: weight / total for p, weight in raw.items()}


def _conversions(
    u: list[float],
    e: list[float],
    clicks: tuple[int, int],
    impressions: int,
    profile: _Profile,
    order_cents: float,
    link_clicks_only: bool,
) -> tuple[WindowCounts, WindowCounts]:
    """Purchases and their values per window, from disjoint groups of buyers.

    Buyers after a link click (within 1, 7, 28 days), after a non-link click (likes,
    comments, shares, saves: within 1, 7, 28 days), after an engaged view (1 day) and after
    a view (1 day). Before the click-through change every click counts as click-through;
    from it on (``link_clicks_only``) non-link clicks count only as engage-through, and
    only within one day.
    """
    link_clicks, social_clicks = clicks
    rate = profile.cvr * _spread(u[6], 0.6, 1.4)
    social_rate = profile.social_cvr * _spread(e[0], 0.6, 1.4)
    groups = (
        _sround(link_clicks * rate * 0.7, u[7]),  # link click, day 1
        _sround(link_clicks * rate * 0.3, u[8]),  # link click, days 2-7
        _sround(link_clicks * rate * 0.12, u[9]),  # link click, days 8-28
        _sround(impressions / 1000 * profile.view_rate, u[10]),  # view, day 1
        _sround(social_clicks * social_rate * 0.6, e[1]),  # non-link click, day 1
        _sround(social_clicks * social_rate * 0.4, e[2]),  # non-link click, days 2-7
        _sround(social_clicks * social_rate * 0.1, e[3]),  # non-link click, days 8-28
        _sround(impressions / 1000 * profile.engaged_view_rate, e[4]),  # engaged view, day 1
    )
    spreads = (u[11], u[12], u[13], u[14], e[5], e[6], e[7], e[8])
    values = [
        round(n * order_cents * _spread(v, 0.6, 1.5)) for n, v in zip(groups, spreads, strict=True)
    ]
    return _windows(groups, link_clicks_only), _windows(values, link_clicks_only)


def _windows(g: list[int] | tuple[int, ...], link_clicks_only: bool) -> WindowCounts:
    """Groups (as in :func:`_conversions`) summed into Meta's windows under a definition."""
    link_1, link_7, link_28, view, social_1, social_7, social_28, engaged = g
    if link_clicks_only:
        return WindowCounts(
            link_1, link_1 + link_7, link_1 + link_7 + link_28, view, engaged + social_1
        )
    click_1 = link_1 + social_1
    click_7 = click_1 + link_7 + social_7
    return WindowCounts(click_1, click_7, click_7 + link_28 + social_28, view, engaged)


def daily_metrics(
    seed: int,
    day: date,
    ad: Ad,
    placement: Placement,
    engage_through_from: date = ENGAGE_THROUGH_FROM_DEFAULT,
) -> DailyMetrics | None:
    """Final numbers for one ad on one placement and day.

    Args:
        seed: scenario seed; a different seed gives different numbers.
        day: the reporting day (account time zone).
        ad: the ad.
        placement: the placement.
        engage_through_from: first report day under Meta's narrowed click-through definition
            (link clicks only; other clicks count as 1-day engage-through, ``1d_ev``).
            Earlier days keep the old definition whenever they are pulled.

    Returns:
        The metrics, or None when the ad has no impressions and no spend there that day
        (Meta omits such rows).
    """
    eligible = ad.placements_on(day)
    if placement not in eligible:
        return None
    profile = _PROFILES[placement]
    key = f"{seed}|{day.isoformat()}|{ad.id}|{placement.publisher_platform}|"
    key += placement.platform_position
    u = _uniforms(key)
    if u[0] < profile.dropout:
        return None
    target = (
        ad.daily_spend_cents
        * _weights(eligible, ad.pushed_on(day))[placement]
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
    purchases, values = _conversions(
        u,
        _uniforms(f"{key}|engage"),
        (link_clicks, clicks - link_clicks),
        impressions,
        profile,
        order_cents,
        link_clicks_only=day >= engage_through_from,
    )
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
                metrics = daily_metrics(seed, day, ad, placement, scenario.engage_through_from)
                if metrics is not None:
                    rows.append(Delivery(day, ad, placement, metrics))
    return tuple(rows)
