"""Queries of the Cross-platform performance page: spend, revenue, ROAS and CPA.

Reads ``fct_ad_performance_daily`` (Meta and TikTok) through its per-campaign daily summary
(``BY_CAMPAIGN``, see ``dashboards.reader.Summary``). Two ways to count money:

- ``reporting``: the ``*_reporting`` columns, converted per row into the reporting currency,
  so accounts in different currencies add up;
- ``account``: the native ``spend`` and ``purchase_value`` in each account's currency, with
  one row per currency (amounts of different currencies are never added).

ROAS and CPA are computed from the summed amounts (revenue / spend, spend / purchases), never
averaged from daily ratios, and like for like: ``revenue`` is ad-attributed revenue only, and
ROAS and CPA divide by the spend of the rows whose revenue is ad-attributed. TikTok GMV Max
counts every order of its products while it runs (``revenue_attribution =
'gmv_max_all_orders'``), so its revenue is its own measure, ``gmv_max_revenue``, and its spend
stays in ``spend`` but out of ROAS and CPA. A row without an FX rate has no reporting-currency
amounts: it is left out of the sums (``rows_without_rate`` counts it) and its purchases out of
CPA.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboards.reader import (
    AD_PERFORMANCE_TABLE,
    MONEY,
    SELECTION_SQL,
    Selection,
    Summary,
    platform_sql,
    query,
    summary_table,
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
    "gmv_max_revenue",
    "purchases",
    "impressions",
    "clicks",
    "roas",
    "cpa",
    "rows_without_rate",
]
DAILY_COLUMNS = ["report_date", "platform", "currency", "spend", "revenue"]


def _by_campaign_sql(columns: set[str]) -> str:
    platform = "platform" if "platform" in columns else "'meta'"
    # Published before revenue_attribution existed: every row counted as ad-attributed.
    gmv_max = (
        "revenue_attribution = 'gmv_max_all_orders'"
        if "revenue_attribution" in columns
        else "false"
    )
    per_mode = []
    for mode, (_, spend, revenue) in CURRENCY_MODES.items():
        attributed = f"not ({gmv_max}) and {spend} is not null"
        per_mode += [
            f"sum(purchases) filter (where {attributed})::{MONEY} as purchases_with_{mode}_spend",
            f"sum({spend}) filter (where not ({gmv_max}))::{MONEY} as {spend}_ad_attributed",
            f"sum({revenue}) filter (where not ({gmv_max}))::{MONEY} as {revenue}_ad_attributed",
            f"sum({revenue}) filter (where {gmv_max})::{MONEY} as {revenue}_gmv_max",
            f"count(*) filter (where {spend} is null or {revenue} is null)"
            f" as rows_without_{mode}_rate",
        ]
    return f"""
        select
            report_date,
            {platform} as platform,
            ad_account_id,
            account_currency,
            reporting_currency,
            campaign_id,
            max(campaign_name) as campaign_name,
            sum(spend)::{MONEY} as spend,
            sum(purchase_value)::{MONEY} as purchase_value,
            sum(spend_reporting)::{MONEY} as spend_reporting,
            sum(purchase_value_reporting)::{MONEY} as purchase_value_reporting,
            sum(purchases)::{MONEY} as purchases,
            sum(impressions)::bigint as impressions,
            sum(clicks)::bigint as clicks,
            {", ".join(per_mode)}
        from {AD_PERFORMANCE_TABLE}
        group by all
        order by report_date
    """


# The ad facts per day and campaign (ads and ad groups added up), with what the measures
# need of the rows themselves: purchases of rows with spend, rows without an FX rate.
BY_CAMPAIGN = Summary("ad_campaign_daily", AD_PERFORMANCE_TABLE, _by_campaign_sql)
_SOURCE = summary_table(BY_CAMPAIGN)
_WHERE = f"{SELECTION_SQL} and {platform_sql({'platform'})}"


def _measures(mode: str) -> str:
    currency, spend, revenue = CURRENCY_MODES[mode]
    return f"""
        {currency} as currency,
        sum({spend}) as spend,
        sum({revenue}_ad_attributed) as revenue,
        sum({revenue}_gmv_max) as gmv_max_revenue,
        sum(purchases) as purchases,
        sum(impressions)::bigint as impressions,
        sum(clicks)::bigint as clicks,
        sum({revenue}_ad_attributed) / nullif(sum({spend}_ad_attributed), 0) as roas,
        sum({spend}_ad_attributed) / nullif(sum(purchases_with_{mode}_spend), 0) as cpa,
        sum(rows_without_{mode}_rate)::bigint as rows_without_rate
    """


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

    sql = f"""
        select {_measures(mode)}
        from {_SOURCE}
        where {_WHERE}
        group by currency
        order by currency
    """
    params = selection.params(platforms=True)
    return query(path, [BY_CAMPAIGN], sql, params, MEASURE_COLUMNS)


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

    sql = f"""
        select {", ".join(keys)}{name}, {_measures(mode)}
        from {_SOURCE}
        where {_WHERE}
        group by all
        order by currency, spend desc nulls last, {", ".join(keys)}
    """
    params = selection.params(platforms=True)
    columns = [*LEVELS[level], *MEASURE_COLUMNS]
    return query(path, [BY_CAMPAIGN], sql, params, columns)


def daily_by_platform(path: Path, selection: Selection, mode: str) -> pd.DataFrame:
    """Spend and revenue per day, platform and currency, for the chart (arguments as
    :func:`totals`); columns ``DAILY_COLUMNS``, ordered by date, platform and currency."""
    _check(mode)
    currency, spend, revenue = CURRENCY_MODES[mode]

    sql = f"""
        select
            report_date,
            platform,
            {currency} as currency,
            sum({spend}) as spend,
            sum({revenue}_ad_attributed) as revenue
        from {_SOURCE}
        where {_WHERE}
        group by all
        order by report_date, platform, currency
    """
    params = selection.params(platforms=True)
    return query(path, [BY_CAMPAIGN], sql, params, DAILY_COLUMNS)
