"""Queries of the Spend by placement platform page: totals per account currency, daily
spend and totals per publisher platform, from the placement mart condensed per day, account
and publisher platform (``PLACEMENT_BY_ACCOUNT``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from dashboards import reader

DAILY_COLUMNS = ["report_date", "publisher_platform", "spend"]
PLATFORM_COLUMNS = [
    "publisher_platform",
    "spend",
    "spend_share",
    "impressions",
    "clicks",
    "purchases",
    "purchase_value",
]
CURRENCY_COLUMNS = [
    "account_currency",
    "accounts",
    "spend",
    "impressions",
    "clicks",
    "purchases",
    "purchase_value",
]


# The measures the page totals, summed exactly (amounts stay in their account currency).
_SUMS = """
    sum(spend) as spend,
    sum(impressions)::bigint as impressions,
    sum(clicks)::bigint as clicks,
    sum(purchases) as purchases,
    sum(purchase_value) as purchase_value
"""


def _placement_by_account_sql(columns: set[str]) -> str:
    platform = "platform" if "platform" in columns else "'meta'"
    return f"""
        select
            report_date,
            {platform} as platform,
            ad_account_id,
            account_currency,
            publisher_platform,
            sum(spend)::{reader.MONEY} as spend,
            sum(impressions)::bigint as impressions,
            sum(clicks)::bigint as clicks,
            sum(purchases)::{reader.MONEY} as purchases,
            sum(purchase_value)::{reader.MONEY} as purchase_value
        from {reader.MART_TABLE}
        group by all
        order by report_date
    """


# The placement mart per day, account and publisher platform (ads, campaigns and positions
# added up): what the spend-by-placement-platform page reads, a few hundred times smaller.
PLACEMENT_BY_ACCOUNT = reader.Summary(
    "placement_by_account_daily", reader.MART_TABLE, _placement_by_account_sql
)


def _placement_query(
    path: Path, sql: str, params: Mapping[str, Any], columns: list[str]
) -> pd.DataFrame:
    """``reader.query`` on ``PLACEMENT_BY_ACCOUNT`` (``{summary}`` in ``sql``), with a
    ``{platforms}`` slot for the platform filter."""
    text = sql.replace("{summary}", reader.summary_table(PLACEMENT_BY_ACCOUNT)).replace(
        "{platforms}", reader.platform_sql({"platform"})
    )
    return reader.query(path, [PLACEMENT_BY_ACCOUNT], text, params, columns)


def totals_by_currency(path: Path, selection: reader.Selection) -> pd.DataFrame:
    """Totals of the selection, one row per account currency (amounts never mixed).

    Args:
        path: The published marts DuckDB file.
        selection: Date range and accounts to include.

    Returns:
        Columns ``CURRENCY_COLUMNS``; ``spend`` and ``purchase_value`` are exact decimals in
        the row's ``account_currency``. Empty when the selection has no rows.
    """
    sql = f"""
        select
            account_currency,
            count(distinct ad_account_id) as accounts,
            {_SUMS}
        from {{summary}}
        where {reader.SELECTION_SQL}
            and {{platforms}}
        group by account_currency
        order by account_currency
    """
    return _placement_query(path, sql, selection.params(platforms=True), CURRENCY_COLUMNS)


def spend_by_platform_daily(path: Path, selection: reader.Selection, currency: str) -> pd.DataFrame:
    """Daily spend per publisher platform for the accounts billed in one currency.

    Args:
        path: The published marts DuckDB file.
        selection: Date range and accounts to include.
        currency: Only accounts with this ``account_currency`` are summed.

    Returns:
        Columns ``DAILY_COLUMNS`` (``spend`` exact decimal), ordered by date and platform.
    """
    sql = f"""
        select
            report_date,
            publisher_platform,
            sum(spend) as spend
        from {{summary}}
        where {reader.SELECTION_SQL}
            and account_currency = $currency
            and {{platforms}}
        group by report_date, publisher_platform
        order by report_date, publisher_platform
    """
    params = {**selection.params(platforms=True), "currency": currency}
    return _placement_query(path, sql, params, DAILY_COLUMNS)


def platform_totals(path: Path, selection: reader.Selection, currency: str) -> pd.DataFrame:
    """Totals per publisher platform for the accounts billed in one currency (arguments as
    :func:`spend_by_platform_daily`).

    Returns:
        Columns ``PLATFORM_COLUMNS``; ``spend_share`` is the platform's fraction of the
        currency's spend (a float, for display). Ordered by spend, largest first.
    """
    sql = f"""
        with by_platform as (
            select
                publisher_platform,
                {_SUMS}
            from {{summary}}
            where {reader.SELECTION_SQL}
                and account_currency = $currency
                and {{platforms}}
            group by publisher_platform
        )

        select
            publisher_platform,
            spend,
            (spend / nullif(sum(spend) over (), 0))::double as spend_share,
            impressions,
            clicks,
            purchases,
            purchase_value
        from by_platform
        order by spend desc, publisher_platform
    """
    params = {**selection.params(platforms=True), "currency": currency}
    return _placement_query(path, sql, params, PLATFORM_COLUMNS)
