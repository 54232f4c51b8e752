"""Builders of published-marts files with the mart's contracted schema, for dashboard tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

MART_DDL = """
    create table fct_placement_performance_daily (
        report_date date,
        ad_account_id varchar,
        account_currency varchar,
        campaign_id varchar,
        campaign_name varchar,
        adset_id varchar,
        adset_name varchar,
        ad_id varchar,
        ad_name varchar,
        publisher_platform varchar,
        platform_position varchar,
        spend decimal(18, 2),
        impressions bigint,
        clicks bigint,
        purchases decimal(18, 2),
        purchase_value decimal(18, 2),
        purchases_7d_click decimal(18, 2),
        purchase_value_7d_click decimal(18, 2)
    )
"""

# (report_date, account, currency, platform, position, spend, impressions, clicks, purchases,
#  purchase_value). Spend amounts like 0.10 + 0.20 are chosen so float sums would not be exact.
Row = tuple[date, str, str, str, str, str, int, int, str, str]

ROWS: list[Row] = [
    (date(2026, 10, 1), "111", "EUR", "facebook", "feed", "0.10", 100, 3, "1", "10.00"),
    (date(2026, 10, 1), "111", "EUR", "instagram", "instagram_reels", "0.20", 200, 4, "0", "0"),
    (date(2026, 10, 1), "111", "EUR", "threads", "threads_feed", "0.70", 50, 1, "0", "0"),
    (date(2026, 10, 1), "333", "EUR", "facebook", "feed", "1000000.01", 9000, 90, "2", "99.99"),
    (date(2026, 10, 1), "222", "USD", "facebook", "feed", "5.55", 300, 5, "1", "20.00"),
    (date(2026, 10, 2), "111", "EUR", "threads", "threads_feed", "0.30", 40, 2, "1", "15.50"),
    (date(2026, 10, 2), "111", "EUR", "facebook", "feed", "2.00", 120, 6, "0", "0"),
    (date(2026, 10, 2), "222", "USD", "instagram", "feed", "4.45", 280, 7, "0", "0"),
    (date(2026, 10, 3), "333", "EUR", "instagram", "instagram_stories", "3.33", 90, 1, "0", "0"),
    (date(2026, 10, 3), "222", "USD", "threads", "threads_feed", "1.00", 30, 0, "0", "0"),
]

PublicationRow = tuple[str, datetime, str, int]


def write_marts(
    path: Path,
    rows: Sequence[Row] = ROWS,
    *,
    with_mart: bool = True,
    publications: Sequence[PublicationRow] | None = None,
) -> Path:
    """Write a published-marts file the way publish does: complete, then closed.

    Args:
        path: Where to write (replaced if it exists).
        rows: Mart rows; ids and names are derived from account and platform.
        with_mart: False writes a file without the mart table.
        publications: ``_publication`` rows (run_id, published_at, table_name, row_count),
            as publish writes them; None leaves the table out, as in older files.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        if with_mart:
            con.execute(MART_DDL)
        if with_mart and rows:
            con.executemany(
                """
                insert into fct_placement_performance_daily values (
                    $1, $2, $3, 'c' || $2, 'Campaign ' || $2, 's' || $2, 'Ad set ' || $2,
                    'a' || $2, 'Ad ' || $2, $4, $5, $6::decimal(18, 2), $7, $8,
                    $9::decimal(18, 2), $10::decimal(18, 2), $9::decimal(18, 2),
                    $10::decimal(18, 2)
                )
                """,
                [list(row) for row in rows],
            )
        if publications is not None:
            con.execute(
                "create table _publication ("
                " run_id varchar, published_at timestamptz, table_name varchar, row_count bigint)"
            )
        if publications:
            con.executemany("insert into _publication values (?, ?, ?, ?)", publications)
    return path


def total(currency: str, field: int = 5, rows: Sequence[Row] = ROWS) -> Decimal:
    """Exact sum of a decimal field over the rows in one currency."""
    return sum((Decimal(row[field]) for row in rows if row[2] == currency), Decimal("0"))
