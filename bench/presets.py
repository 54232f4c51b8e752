"""Named sizes of the generated warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Preset:
    """How much data the generator writes.

    Attributes:
        name: Preset name (``small``, ``large``, ``agency`` or ``tiny``).
        days: Number of report days, starting at ``first_day``.
        first_day: The first report day.
        meta_accounts: Meta ad accounts; their currencies cycle through ``META_CURRENCIES``.
        meta_ads_per_day: Active Meta ads on every day (all accounts together).
        ad_lifetime_days: Days an ad runs before its slot starts a new ad.
        restated_pct: Percent of placement rows that get a later, restated version.
        deleted_pct: Percent of placement rows whose key is later tombstoned.
        tiktok_advertisers: TikTok advertisers.
        tiktok_ads_per_day: Active TikTok ads on every day.
        gmv_max_campaigns: GMV Max campaigns reporting every day.
        shop_order_lines_per_day: TikTok Shop affiliate order lines created per day.
        threads_profiles: Threads profiles.
        threads_posts_per_day: Threads posts per day (all profiles together).
    """

    name: str
    days: int
    first_day: date
    meta_accounts: int
    meta_ads_per_day: int
    ad_lifetime_days: int
    restated_pct: int
    deleted_pct: int
    tiktok_advertisers: int
    tiktok_ads_per_day: int
    gmv_max_campaigns: int
    shop_order_lines_per_day: int
    threads_profiles: int
    threads_posts_per_day: int


#: Account currencies, in account order (EUR accounts need no conversion, the others do).
META_CURRENCIES = ("EUR", "USD", "GBP")

PRESETS: dict[str, Preset] = {
    "small": Preset(
        name="small",
        days=45,
        first_day=date(2024, 1, 1),
        meta_accounts=3,
        meta_ads_per_day=30,
        ad_lifetime_days=14,
        restated_pct=10,
        deleted_pct=2,
        tiktok_advertisers=2,
        tiktok_ads_per_day=15,
        gmv_max_campaigns=3,
        shop_order_lines_per_day=40,
        threads_profiles=3,
        threads_posts_per_day=6,
    ),
    # ~3 years x 2,000 ads x 8 placements = 17.5 M placement keys (+ restated versions).
    "large": Preset(
        name="large",
        days=1096,
        first_day=date(2023, 1, 1),
        meta_accounts=12,
        meta_ads_per_day=2000,
        ad_lifetime_days=30,
        restated_pct=10,
        deleted_pct=1,
        tiktok_advertisers=6,
        tiktok_ads_per_day=1000,
        gmv_max_campaigns=60,
        shop_order_lines_per_day=2000,
        threads_profiles=12,
        threads_posts_per_day=24,
    ),
    # An agency: 100 ad accounts (60 Meta, 40 TikTok), one year; ~30 / ~20 active ads each:
    # 60 x 30 ads x 8 placements x 365 d = 5.3 M Meta placement keys (+ restated versions).
    "agency": Preset(
        name="agency",
        days=365,
        first_day=date(2025, 1, 1),
        meta_accounts=60,
        meta_ads_per_day=1800,
        ad_lifetime_days=30,
        restated_pct=10,
        deleted_pct=1,
        tiktok_advertisers=40,
        tiktok_ads_per_day=800,
        gmv_max_campaigns=40,
        shop_order_lines_per_day=1000,
        threads_profiles=10,
        threads_posts_per_day=20,
    ),
    # A week of a few ads: the end-to-end test of the bench itself (tests/bench).
    "tiny": Preset(
        name="tiny",
        days=7,
        first_day=date(2024, 1, 1),
        meta_accounts=2,
        meta_ads_per_day=6,
        ad_lifetime_days=4,
        restated_pct=10,
        deleted_pct=5,
        tiktok_advertisers=2,
        tiktok_ads_per_day=4,
        gmv_max_campaigns=2,
        shop_order_lines_per_day=5,
        threads_profiles=2,
        threads_posts_per_day=2,
    ),
}


def get_preset(name: str) -> Preset:
    """The preset called ``name``.

    Raises:
        KeyError: No such preset.
    """
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None
