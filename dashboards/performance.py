"""Queries of the Cross-platform performance page: spend, revenue, ROAS and CPA.

Reads ``fct_ad_performance_daily`` (Meta and TikTok). Two ways to count money:

- ``reporting``: the ``*_reporting`` columns, converted per row into the reporting currency,
  so accounts in different currencies add up;
- ``account``: the native ``spend`` and ``purchase_value`` in each account's currency, with
  one row per currency (amounts of different currencies are never added).

ROAS and CPA are computed from the summed amounts (revenue / spend, spend / purchases), never
averaged from daily ratios. A row without an FX rate has no reporting-currency amounts: it is
left out of the sums (``rows_without_rate`` counts it) and its purchases out of CPA.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboards.data import (
    AD_PERFORMANCE_TABLE,
    SELECTION_SQL,
    Selection,
    TableColumns,
    platform_sql,
    query,
)

# Currency mode -> (currency column, spend column, revenue column).
CURRENCY_MODES = {
    "reporting": ("reporting_currency", "spend_reporting", "purchase_value_reporting"),
    "account": ("account_currency", "spend", "purchase_value"),
}
# Breakdown level -> the columns it groups by (names as the page shows them).
LEVELS = {
    "platform": ["platform"],
    "account": ["platform", "ad_account_id"],
    "campaign": ["platform", "ad_account_id", "campaign_id", "campaign_name"],
}
MEASURE_COLUMNS = [
    "currency",
    "spend",
    "revenue",
    "purchases",
    "impressions",
    "clicks",
    "roas",
    "cpa",
    "rows_without_rate",
]
DAILY_COLUMNS = ["report_date", "platform", "currency", "spend", "revenue"]


def _measures(mode: str) -> str:
    currency, spend, revenue = CURRENCY_MODES[mode]
    return f"""
        {currency} as currency,
        sum({spend}) as spend,
        sum({revenue}) as revenue,
        sum(purchases) as purchases,
        sum(impressions)::bigint as impressions,
        sum(clicks)::bigint as clicks,
        sum({revenue}) / nullif(sum({spend}), 0) as roas,
        sum({spend}) / nullif(sum(purchases) filter (where {spend} is not null), 0) as cpa,
        count(*) filter (where {spend} is null or {revenue} is null) as rows_without_rate
    """


def _where(present: TableColumns) -> str:
    return f"{SELECTION_SQL} and {platform_sql(present[AD_PERFORMANCE_TABLE])}"


def _check(mode: str, level: str | None = None) -> None:
    if mode not in CURRENCY_MODES:
        raise ValueError(f"currency mode must be one of {list(CURRENCY_MODES)}, not {mode!r}")
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be one of {list(LEVELS)}, not {level!r}")


def totals(path: Path, selection: Selection, mode: str) -> pd.DataFrame:
    """Totals of the selection, one row per currency.

    Args:
        path: The published marts DuckDB file.
        selection: Dates, accounts and platforms.
        mode: A key of ``CURRENCY_MODES``.

    Returns:
        Columns ``MEASURE_COLUMNS``, ordered by currency; one row in ``reporting`` mode.
        ``rows_without_rate`` counts rows left out of the sums for lack of an FX rate.
    """
    _check(mode)

    def build(present: TableColumns) -> str:
        return f"""
            select {_measures(mode)}
            from {AD_PERFORMANCE_TABLE}
            where {_where(present)}
            group by currency
            order by currency
        """

    params = selection.params(platforms=True)
    return query(path, [AD_PERFORMANCE_TABLE], build, params, MEASURE_COLUMNS)


def breakdown(path: Path, selection: Selection, mode: str, level: str) -> pd.DataFrame:
    """The selection by platform, account or campaign: per currency, largest spend first.

    Args:
        path: The published marts DuckDB file.
        selection: Dates, accounts and platforms.
        mode: A key of ``CURRENCY_MODES``.
        level: A key of ``LEVELS``.

    Returns:
        The level's columns (campaign names: the latest the platform reported in the
        selection), then ``MEASURE_COLUMNS``.
    """
    _check(mode, level)
    keys = [key for key in LEVELS[level] if key != "campaign_name"]
    name = ", max(campaign_name) as campaign_name" if "campaign_name" in LEVELS[level] else ""

    def build(present: TableColumns) -> str:
        return f"""
            select {", ".join(keys)}{name}, {_measures(mode)}
            from {AD_PERFORMANCE_TABLE}
            where {_where(present)}
            group by all
            order by currency, spend desc nulls last, {", ".join(keys)}
        """

    params = selection.params(platforms=True)
    columns = [*LEVELS[level], *MEASURE_COLUMNS]
    return query(path, [AD_PERFORMANCE_TABLE], build, params, columns)


def daily_by_platform(path: Path, selection: Selection, mode: str) -> pd.DataFrame:
    """Spend and revenue per day, platform and currency, for the chart.

    Args:
        path: The published marts DuckDB file.
        selection: Dates, accounts and platforms.
        mode: A key of ``CURRENCY_MODES``.

    Returns:
        Columns ``DAILY_COLUMNS``, ordered by date, platform and currency.
    """
    _check(mode)
    currency, spend, revenue = CURRENCY_MODES[mode]

    def build(present: TableColumns) -> str:
        return f"""
            select
                report_date,
                platform,
                {currency} as currency,
                sum({spend}) as spend,
                sum({revenue}) as revenue
            from {AD_PERFORMANCE_TABLE}
            where {_where(present)}
            group by all
            order by report_date, platform, currency
        """

    params = selection.params(platforms=True)
    return query(path, [AD_PERFORMANCE_TABLE], build, params, DAILY_COLUMNS)
