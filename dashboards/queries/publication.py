"""What every page asks of the published marts file: is it there and readable
(``marts_status``, ``missing_tables``), when and by which run it was published
(``latest_publication``), and which dates and ad accounts it covers (``date_bounds``,
``date_span``, ``filter_accounts``, the options of the shared filters).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboards.reader import (
    AD_PERFORMANCE_TABLE,
    MART_TABLE,
    Summary,
    open_marts,
    query,
    summary_table,
    table_columns,
    table_names,
)

PUBLICATION_TABLE = "_publication"
# Tables whose report_date spans the dates readers can pick.
DATED_TABLES = (
    AD_PERFORMANCE_TABLE,
    MART_TABLE,
    "fct_creator_performance_daily",
)
ACCOUNT_COLUMNS = ["platform", "ad_account_id", "account_currency"]


class MartsStatus(enum.StrEnum):
    """How far the published marts file is from being readable."""

    MISSING = "missing"  # nothing published yet
    NO_MART = "no_mart"  # a file without the placement mart
    EMPTY = "empty"  # the mart exists but has no rows
    READY = "ready"


@dataclass(frozen=True)
class Publication:
    """When and by which run the marts file was published.

    ``recorded`` is False for files written before publications were recorded; then
    ``published_at`` is the file's modification time and ``run_id`` is unknown.
    ``row_counts`` maps each published table to its number of rows, when recorded.
    """

    published_at: datetime | None
    run_id: str | None
    recorded: bool
    row_counts: Mapping[str, int] = field(default_factory=dict)


def _mart_query(
    path: Path, sql: str, params: Mapping[str, Any], columns: list[str]
) -> pd.DataFrame:
    """Run ``sql`` on the placement mart if it is there; otherwise an empty frame."""
    return query(path, [MART_TABLE], sql, params, columns)


def missing_tables(path: Path, tables: Sequence[str]) -> list[str]:
    """Which of ``tables`` the published file lacks (all of them when there is no file)."""
    if not path.is_file():
        return list(tables)
    with open_marts(path) as con:
        present = table_names(con)
    return [table for table in tables if table not in present]


def marts_status(path: Path) -> MartsStatus:
    """Tell whether the published marts can be shown, and if not, why.

    Args:
        path: The published marts DuckDB file.

    Returns:
        The status; only ``READY`` has rows to show.
    """
    if not path.is_file():
        return MartsStatus.MISSING
    with open_marts(path) as con:
        if MART_TABLE not in table_names(con):
            return MartsStatus.NO_MART
        (has_rows,) = con.execute(f"select exists (select 1 from {MART_TABLE})").fetchone()
    return MartsStatus.READY if has_rows else MartsStatus.EMPTY


def _latest_publication_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(run_id, published_at, table_name, row_count) of the newest publication, if recorded."""
    columns = table_columns(con, PUBLICATION_TABLE)
    if not {"run_id", "published_at"} <= columns:
        return []
    counts = (
        "table_name, row_count"
        if {"table_name", "row_count"} <= columns
        else "null as table_name, null as row_count"
    )
    return con.execute(
        f"""
        select run_id, published_at, {counts}
        from {PUBLICATION_TABLE}
        where published_at = (select max(published_at) from {PUBLICATION_TABLE})
        order by table_name
        """
    ).fetchall()


def latest_publication(path: Path) -> Publication | None:
    """Describe the newest publication recorded in the file's ``_publication`` table.

    The pipeline writes one ``_publication`` row per published table: ``run_id``,
    ``published_at``, ``table_name``, ``row_count``.

    Args:
        path: The published marts DuckDB file.

    Returns:
        None when nothing is published. For files without a usable ``_publication`` table
        (older files), a publication with ``recorded=False`` dated by the file's
        modification time.
    """
    if not path.is_file():
        return None
    with open_marts(path) as con:
        rows = _latest_publication_rows(con)
    if not rows:
        modified_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        return Publication(modified_at, None, recorded=False)
    run_id, published_at = rows[0][0], rows[0][1]
    return Publication(
        published_at=published_at,
        run_id=None if run_id is None else str(run_id),
        recorded=True,
        row_counts={table: count for _, _, table, count in rows if table is not None},
    )


def date_bounds(path: Path) -> tuple[date, date] | None:
    """First and last ``report_date`` in the mart, or None when there are no rows.

    Args:
        path: The published marts DuckDB file.

    Returns:
        ``(first, last)`` report dates, or None.
    """
    sql = f"select min(report_date) as first_date, max(report_date) as last_date from {MART_TABLE}"
    frame = _mart_query(path, sql, {}, ["first_date", "last_date"])
    if frame.empty or pd.isna(frame.at[0, "first_date"]):
        return None
    return frame.at[0, "first_date"], frame.at[0, "last_date"]


def date_span(path: Path) -> tuple[date, date] | None:
    """First and last ``report_date`` over every dated mart that is published.

    Args:
        path: The published marts DuckDB file.

    Returns:
        ``(first, last)``, or None when no dated mart has rows.
    """
    if not path.is_file():
        return None
    with open_marts(path) as con:
        present = [table for table in DATED_TABLES if table in table_names(con)]
        if not present:
            return None
        union = " union all ".join(
            f"select min(report_date) as first_date, max(report_date) as last_date from {table}"
            for table in present
        )
        first, last = con.execute(
            f"select min(first_date), max(last_date) from ({union})"
        ).fetchone()
    return None if first is None else (first, last)


# Every page draws the account filter: its options, once per published file.
AD_ACCOUNTS = Summary(
    "ad_accounts",
    AD_PERFORMANCE_TABLE,
    lambda _: (
        f"select distinct platform, ad_account_id, account_currency from {AD_PERFORMANCE_TABLE}"
    ),
)


def filter_accounts(path: Path) -> pd.DataFrame:
    """Every ad account readers can filter on, over all ad platforms.

    From ``fct_ad_performance_daily`` (Meta and TikTok); files published before it existed
    fall back to the placement mart, whose accounts are Meta's.

    Args:
        path: The published marts DuckDB file.

    Returns:
        Columns ``ACCOUNT_COLUMNS``, one row per platform and account, ordered.
    """
    sql = f"select * from {summary_table(AD_ACCOUNTS)} order by all"
    frame = query(path, [AD_ACCOUNTS], sql, {}, ACCOUNT_COLUMNS)
    if not frame.empty:
        return frame
    return _mart_query(
        path,
        f"""
        select distinct 'meta' as platform, ad_account_id, account_currency
        from {MART_TABLE}
        order by ad_account_id, account_currency
        """,
        {},
        ACCOUNT_COLUMNS,
    )
