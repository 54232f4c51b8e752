"""Reconcile built marts with the generator's ground truth and with the floor."""

from __future__ import annotations

import duckdb

from bench import meta_sql, tiktok_sql
from bench.presets import Preset
from devtools.reconcile import MEASURES

MART = "marts.fct_placement_performance_daily"
#: The measures devtools.reconcile compares, then each generated attribution window's.
_MEASURES = (
    *MEASURES,
    *(f"{m}_{w}" for w in meta_sql.WINDOWS[1:] for m in ("purchases", "purchase_value")),
)
_GRAIN = (
    "report_date",
    "ad_account_id",
    "account_currency",
    "publisher_platform",
    "platform_position",
)


def placement_truth_mismatches(
    con: duckdb.DuckDBPyConnection, preset: Preset, seed: int, day_to: int
) -> int:
    """Meta groups (day x account x placement) where the mart's sums differ from the truth.

    The truth is recomputed from the generator's formulas over ``range()`` (no raw table is
    read), so string rendering, JSON actions, versions and tombstones are all under test.
    """
    sums = ", ".join(f"sum({m}) as {m}" for m in _MEASURES)
    grain = ", ".join(_GRAIN)
    cols = ", ".join((*_GRAIN, *_MEASURES))
    mart = f"select {grain}, {sums} from {MART} where platform = 'meta' group by all"
    truth = f"select {cols} from ({meta_sql.truth_sql(preset, seed, 0, day_to)})"
    return _difference(con, mart, truth, "except")


def tiktok_placement_truth_mismatches(
    con: duckdb.DuckDBPyConnection, preset: Preset, seed: int, day_to: int
) -> int:
    """TikTok mart rows (ad x day x placement) that differ from the generator's formula, or
    are missing from the mart; the formula's placements add up to its ad-level numbers
    (:func:`bench.tiktok_sql.placement_days_sql`), so each ad's rows equal its ad report."""
    columns = (
        "report_date, ad_account_id, ad_id, publisher_platform, platform_position, "
        "spend, impressions, clicks, purchases, purchase_value"
    )
    mart = f"select {columns} from {MART} where platform = 'tiktok'"
    truth = f"""
    select
        stat_time_day as report_date,
        advertiser_id as ad_account_id,
        ad_id,
        publisher_platform,
        'all' as platform_position,
        cast(spend_cents * 0.01 as decimal(18, 2)) as spend,
        impressions,
        clicks,
        complete_payment as purchases,
        cast(payment_value_cents * 0.01 as decimal(18, 2)) as purchase_value
    from ({tiktok_sql.placement_days_sql(preset, seed, 0, day_to)})
    """
    return _difference(con, mart, truth, "except all")


def _difference(con: duckdb.DuckDBPyConnection, left: str, right: str, operator: str) -> int:
    """Rows of ``left`` not in ``right`` plus rows of ``right`` not in ``left``."""
    (missing,) = con.execute(f"select count(*) from (({left}) {operator} ({right}))").fetchone()
    (extra,) = con.execute(f"select count(*) from (({right}) {operator} ({left}))").fetchone()
    return int(missing) + int(extra)


def floor_mismatches(
    con: duckdb.DuckDBPyConnection, mart: str, floor_table: str, covers: str = "true"
) -> int:
    """Rows in one of ``mart`` (its rows where ``covers``) / ``floor_table`` but not the other
    (multiset difference).

    Compared on the floor's columns (the mart may have grown columns the floor does not
    compute: see :func:`columns_without_floor`).
    """
    cols = ", ".join(f'"{c}"' for c in _columns(con, floor_table))
    mart_rows = f"select {cols} from {mart} where {covers}"
    return _difference(con, mart_rows, f"select {cols} from {floor_table}", "except all")


def columns_without_floor(con: duckdb.DuckDBPyConnection, mart: str, floor_table: str) -> list[str]:
    """Mart columns the floor does not compute (its work is then a lower bound)."""
    floor_cols = set(_columns(con, floor_table))
    return [c for c in _columns(con, mart) if c not in floor_cols]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.execute(f"describe {table}").fetchall()]


def reporting_total_gaps(con: duckdb.DuckDBPyConnection) -> int:
    """Mart rows without a reporting-currency amount, or an EUR row whose amount changed."""
    (count,) = con.execute(
        f"select count(*) from {MART} where spend_reporting is null "
        "or (account_currency = reporting_currency and spend_reporting != spend)"
    ).fetchone()
    return int(count)
