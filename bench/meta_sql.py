"""SQL formulas of the generated Meta delivery, shared by the generator and its ground truth.

Every number is a function of ``hash(seed, ...)`` over ``range()`` rows, so the same formulas
rebuild the final metrics of any day without reading the warehouse. The generator renders them
into the API's string/JSON shapes and versions; the truth aggregates them directly.
"""

from __future__ import annotations

from bench.ids import id_sql
from bench.presets import META_CURRENCIES, Preset

#: Eight reporting placements (publisher_platform, platform_position), in served order.
PLACEMENTS: tuple[tuple[str, str], ...] = (
    ("facebook", "feed"),
    ("facebook", "facebook_reels"),
    ("facebook", "facebook_stories"),
    ("instagram", "feed"),
    ("instagram", "instagram_reels"),
    ("instagram", "instagram_stories"),
    ("instagram", "instagram_explore"),
    ("threads", "threads_feed"),
)
#: Attribution windows requested from the Insights API, plus the default ``value``.
WINDOWS = ("value", "1d_click", "7d_click", "28d_click", "1d_view")
#: Version kinds: the first pull, a restatement, a tombstone; days after the report day.
PULL_DELAY_DAYS = {1: 1, 2: 4, 3: 6}


def account_currency_sql(index: str) -> str:
    """Currency of account number ``index``."""
    listed = ", ".join(f"'{code}'" for code in META_CURRENCIES)
    return f"[{listed}][1 + {index} % {len(META_CURRENCIES)}]"


def keys_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    """One row per (day, ad, placement) of days ``day_from <= i < day_to``: ids and hashes."""
    accounts, lifetime = preset.meta_accounts, preset.ad_lifetime_days
    placements = ", ".join(
        f"({i}, '{platform}', '{position}')" for i, (platform, position) in enumerate(PLACEMENTS)
    )
    return f"""
    select
        d.day_index,
        date '{preset.first_day.isoformat()}' + cast(d.day_index as integer) as report_date,
        s.slot % {accounts} as account_index,
        s.slot // {accounts} // 10 as campaign_index,
        s.slot // {accounts} // 5 as adset_index,
        s.slot,
        (d.day_index + s.phase) // {lifetime} as generation,
        p.placement_index,
        p.publisher_platform,
        p.platform_position,
        hash({seed}, s.slot, (d.day_index + s.phase) // {lifetime}, d.day_index,
             p.placement_index) as h,
        hash({seed}, 'version', s.slot, d.day_index, p.placement_index) as hv
    from range({day_from}, {day_to}) as d(day_index)
    cross join (
        select slot, cast(hash({seed}, 'phase', slot) % {lifetime} as bigint) as phase
        from range({preset.meta_ads_per_day}) as t(slot)
    ) as s
    cross join (values {placements}) as p(placement_index, publisher_platform, platform_position)
    """


def metrics_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    """Final (latest) typed metrics per key, plus the version flags.

    Columns: the keys, ``impressions``, ``clicks``, ``spend_cents``, ``purchases`` (final
    count), ``unit_cents`` (value per purchase), ``drop_7d``, ``drop_1d``, ``view_flag``,
    ``is_restated`` and ``is_deleted``.
    """
    return f"""
    select
        *,
        cast(200 + h % 9800 as bigint) as impressions,
        cast((200 + h % 9800) * ((h >> 14) % 40) // 1000 as bigint) as clicks,
        cast(50 + (h >> 20) % 25000 as bigint) as spend_cents,
        cast((h >> 36) % 4 as bigint) as purchases,
        cast(1000 + (h >> 40) % 9000 as bigint) as unit_cents,
        cast((h >> 54) % 2 as bigint) as drop_7d,
        cast((h >> 56) % 2 as bigint) as drop_1d,
        cast((h >> 58) % 2 as bigint) as view_flag,
        hv % 100 < {preset.restated_pct} as is_restated,
        (hv >> 8) % 100 < {preset.deleted_pct} as is_deleted
    from ({keys_sql(preset, seed, day_from, day_to)})
    """


def window_counts_sql(count: str) -> dict[str, str]:
    """Purchase count per attribution window for a row whose ``value`` count is ``count``."""
    seven = f"({count} - least({count}, drop_7d))"
    return {
        "value": count,
        "1d_click": f"({seven} - least({seven}, drop_1d))",
        "7d_click": seven,
        "28d_click": count,
        "1d_view": f"least({count}, view_flag)",
    }


def counted_columns_sql(count: str) -> str:
    """``c_<window>`` (purchases) and ``v_<window>`` (value cents) columns for ``count``."""
    columns = []
    for window, expr in window_counts_sql(count).items():
        name = window_column(window)
        columns.append(f"{expr} as c_{name}")
        columns.append(f"{expr} * unit_cents as v_{name}")
    return ",\n        ".join(columns)


def window_column(window: str) -> str:
    """SQL-safe suffix of a window name (``1d_click`` -> ``w1d_click``)."""
    return window if window == "value" else f"w{window}"


def final_rows_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    """The latest live version of every key that is not tombstoned, typed."""
    return f"""
    select
        *,
        {counted_columns_sql("purchases")}
    from ({metrics_sql(preset, seed, day_from, day_to)})
    where not is_deleted
    """


def truth_sql(preset: Preset, seed: int, day_from: int, day_to: int) -> str:
    """Ground truth per report day x account x placement, in the account currency."""
    windows = ",\n        ".join(
        f"sum(c_{window_column(w)}) as purchases{'' if w == 'value' else '_' + w},\n        "
        f"cast(sum(v_{window_column(w)}) as decimal(38, 0)) / 100 as "
        f"purchase_value{'' if w == 'value' else '_' + w}"
        for w in WINDOWS
    )
    return f"""
    select
        report_date,
        {id_sql("meta_account", "account_index")} as ad_account_id,
        {account_currency_sql("account_index")} as account_currency,
        publisher_platform,
        platform_position,
        cast(sum(spend_cents) as decimal(38, 0)) / 100 as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        {windows}
    from ({final_rows_sql(preset, seed, day_from, day_to)})
    group by all
    """
