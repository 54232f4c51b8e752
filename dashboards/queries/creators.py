"""Queries of the Creators page: which creators drive revenue, and at what return.

Reads ``fct_creator_performance_daily`` and ``dim_creators``. A creator earns and is paid in
several currencies, so every amount here is a ``*_reporting`` column (converted per row into
the reporting currency, summable) and ROI is computed from the summed amounts, as the mart's
documentation asks. Creators are not tied to one ad account or platform: only the date range
applies.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from dashboards.reader import query

FACT_TABLE = "fct_creator_performance_daily"
DIM_TABLE = "dim_creators"

# Leaderboard and drill-down amounts: output name -> the mart's reporting-currency column.
AMOUNTS = {
    "creator_driven_revenue": "creator_driven_revenue_reporting",
    "creator_cost": "creator_cost_reporting",
    "affiliate_gmv": "affiliate_gmv_reporting",
    "affiliate_commission": "affiliate_commission_estimated_reporting",
    "paid_spend": "paid_spend_reporting",
    "paid_attributed_revenue": "paid_attributed_revenue_reporting",
    # Spark Ads revenue in TikTok Shop ad groups (part of paid-ad revenue)...
    "paid_attributed_revenue_shop": "paid_attributed_revenue_shop_reporting",
    # ...and the part of it whose orders the loaded order book holds: the one deduction.
    "deduction_spark_orders_in_order_book": "deduction_spark_orders_in_order_book_reporting",
}
COUNTS = {"affiliate_orders": "affiliate_orders", "organic_reach": "threads_views"}

LEADERBOARD_COLUMNS = [
    "creator_id",
    "display_name",
    "is_registered",
    "reporting_currency",
    *AMOUNTS,
    "creator_roi",
    *COUNTS,
    "rows_without_rate",
]
DAILY_COLUMNS = ["report_date", "reporting_currency", *AMOUNTS, "creator_roi", *COUNTS]

RANKINGS = ("creator_driven_revenue", "creator_roi")

_SUMS = ",\n".join(
    [f"sum({column}) as {name}" for name, column in AMOUNTS.items()]
    + [f"sum({column})::bigint as {name}" for name, column in COUNTS.items()]
)
_ROI = "(sum(creator_driven_revenue_reporting) - sum(creator_cost_reporting))" + (
    " / nullif(sum(creator_cost_reporting), 0)"
)


def leaderboard(path: Path, start: date, end: date, rank_by: str) -> pd.DataFrame:
    """Creators with activity in the dates, ranked by creator-driven revenue or by ROI.

    Args:
        path: The published marts DuckDB file.
        start: First report date (inclusive).
        end: Last report date (inclusive).
        rank_by: One of ``RANKINGS``.

    Returns:
        Columns ``LEADERBOARD_COLUMNS``; amounts exact in ``reporting_currency``;
        ``creator_roi`` = (revenue - cost) / cost (None without cost);
        ``rows_without_rate`` counts days whose amounts had no FX rate (left out of the sums).

    Raises:
        ValueError: ``rank_by`` is not one of ``RANKINGS``.
    """
    if rank_by not in RANKINGS:
        raise ValueError(f"rank_by must be one of {RANKINGS}, not {rank_by!r}")
    sql = f"""
        with by_creator as (
            select
                creator_id,
                max(reporting_currency) as reporting_currency,
                {_SUMS},
                {_ROI} as creator_roi,
                count(*) filter (
                    where creator_driven_revenue_reporting is null
                        or creator_cost_reporting is null
                ) as rows_without_rate
            from {FACT_TABLE}
            where report_date between $start and $end
            group by creator_id
        )

        select
            by_creator.creator_id,
            coalesce(creators.display_name, by_creator.creator_id) as display_name,
            coalesce(creators.is_registered, false) as is_registered,
            by_creator.* exclude (creator_id)
        from by_creator
        left join {DIM_TABLE} as creators using (creator_id)
        order by
            case when $rank_by = 'creator_roi' then by_creator.creator_roi end desc nulls last,
            by_creator.creator_driven_revenue desc nulls last,
            display_name
    """
    frame = query(
        path,
        [FACT_TABLE, DIM_TABLE],
        sql,
        {"start": start, "end": end, "rank_by": rank_by},
        LEADERBOARD_COLUMNS,
    )
    return frame[LEADERBOARD_COLUMNS]


def daily(path: Path, creator_id: str, start: date, end: date) -> pd.DataFrame:
    """One creator's numbers per day (all currencies converted), for the drill-down.

    Args:
        path: The published marts DuckDB file.
        creator_id: The creator.
        start: First report date (inclusive).
        end: Last report date (inclusive).

    Returns:
        Columns ``DAILY_COLUMNS``, one row per day with activity, oldest first.
    """
    sql = f"""
        select
            report_date,
            max(reporting_currency) as reporting_currency,
            {_SUMS},
            {_ROI} as creator_roi
        from {FACT_TABLE}
        where creator_id = $creator_id
            and report_date between $start and $end
        group by report_date
        order by report_date
    """
    params = {"creator_id": creator_id, "start": start, "end": end}
    frame = query(path, [FACT_TABLE], sql, params, DAILY_COLUMNS)
    return frame[DAILY_COLUMNS]
