"""SQL formulas of the generated TikTok ad delivery, shared by the generator and its truth.

One formula gives each (day, ad) its integer metrics (money in cents); the BASIC report by
ad renders it, and the AUDIENCE report by placement renders its split over two or three
placements, which adds up to it exactly. The ground truth reads the same formula over
``range()`` without reading the warehouse.
"""

from __future__ import annotations

from bench.ids import id_sql
from bench.presets import Preset

#: AUDIENCE-report placements an ad delivers on (the first two or all three), each with the
#: placement mart's publisher_platform for it (int_tiktok__placements).
PLACEMENTS = (
    ("PLACEMENT_TIKTOK", "tiktok"),
    ("PLACEMENT_PANGLE", "pangle"),
    ("PLACEMENT_GLOBAL_APP_BUNDLE", "global_app_bundle"),
)
#: The metrics split across placements: the AUDIENCE report's (``PLACEMENT_METRICS``), as
#: integers (``spend_cents``, ``payment_value_cents`` for ``total_complete_payment_rate``).
SPLIT_METRICS = (
    "spend_cents",
    "impressions",
    "clicks",
    "conversion",
    "complete_payment",
    "payment_value_cents",
)


def ad_days_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    """One row per generated ad and day of days ``day_from <= i < day_to``: ids, report
    day (``stat_time_day``), the integer metrics, and ``slot`` / ``day_index``."""
    advertisers = preset.tiktok_advertisers
    return f"""
    select
        d.i as day_index,
        slot,
        {id_sql("tiktok_advertiser", f"slot % {advertisers}")} as advertiser_id,
        {id_sql("tiktok_ad", "(d.i + slot) // 30", "slot")} as ad_id,
        date '{preset.first_day.isoformat()}' + cast(d.i as integer) as stat_time_day,
        cast(50 + h % 20000 as bigint) as spend_cents,
        cast(500 + (h >> 16) % 20000 as bigint) as impressions,
        cast((h >> 32) % 300 as bigint) as clicks,
        cast((h >> 42) % 12 as bigint) as conversion,
        cast((h >> 46) % 6 as bigint) as complete_payment,
        cast((h >> 50) % 500 as bigint) as payment_value_cents,
        cast(400 + (h >> 16) % 15000 as bigint) as video_play_actions,
        cast(100 + (h >> 24) % 5000 as bigint) as video_watched_2s,
        cast((h >> 28) % 900 as bigint) as video_views_p100
    from range({day_from}, {day_to}) as d(i)
    cross join range({preset.tiktok_ads_per_day}) as s(slot)
    cross join lateral (select hash({seed}, 'tiktok', slot, d.i) as h)
    """


def placement_days_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    """Each ad-day of :func:`ad_days_sql` split over two or three placements: ids, report
    day, ``placement``, ``publisher_platform`` and the :data:`SPLIT_METRICS`.

    Placement ``k`` gets a random weight; with ``upto`` the weights of placements ``<= k``
    and ``total`` all of them, its share of a metric ``m`` is
    ``m * upto // total - m * (upto - weight) // total``: integers, never negative, and the
    last placement's ``upto = total`` makes the shares add up to ``m`` exactly.
    """
    placements = ", ".join(f"({k}, '{p}', '{pp}')" for k, (p, pp) in enumerate(PLACEMENTS))
    shares = ",\n        ".join(
        f"cast({m} * upto // total - {m} * (upto - weight) // total as bigint) as {m}"
        for m in SPLIT_METRICS
    )
    return f"""
    with placed as (
        select
            ad_days.*,
            p.k,
            p.placement,
            p.publisher_platform,
            cast(1 + hash({seed}, 'tiktok placement', slot, day_index, p.k) % 9 as bigint)
                as weight
        from ({ad_days_sql(preset, seed, day_from, day_to)}) as ad_days
        cross join (values {placements}) as p(k, placement, publisher_platform)
        where p.k < 2 + hash({seed}, 'tiktok placements', slot, day_index) % 2
    ),
    weighted as (
        select
            *,
            sum(weight) over (partition by slot, day_index order by k) as upto,
            sum(weight) over (partition by slot, day_index) as total
        from placed
    )
    select
        day_index,
        slot,
        advertiser_id,
        ad_id,
        stat_time_day,
        placement,
        publisher_platform,
        {shares}
    from weighted
    """
