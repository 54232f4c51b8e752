"""Builders of published-marts files with the mart's contracted schema, for dashboard tests."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
    (date(2026, 10, 1), "111", "EUR", "instagram", "reels", "0.20", 200, 4, "0", "0"),
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


@contextmanager
def published(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Write a new file beside ``path`` and rename it over ``path``, as publish does.

    Writing in place would fail while a dashboard query still has the old file attached
    (DuckDB lets one process attach a path read-write only when nothing else has it).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.staging")
    staging.unlink(missing_ok=True)
    with duckdb.connect(str(staging)) as con:
        yield con
    os.replace(staging, path)


def write_marts(
    path: Path,
    rows: Sequence[Row] = ROWS,
    *,
    with_mart: bool = True,
    publications: Sequence[PublicationRow] | None = None,
) -> Path:
    """Write a published-marts file the way publish does: complete, then renamed into place.

    Args:
        path: Where to write (replaced if it exists).
        rows: Mart rows; ids and names are derived from account and platform.
        with_mart: False writes a file without the mart table.
        publications: ``_publication`` rows (run_id, published_at, table_name, row_count),
            as publish writes them; None leaves the table out, as in older files.
    """
    with published(path) as con:
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


# Every mart the pages read, small enough to check by hand (see test_queries.py for the sums).
# fmt: off
# Placement rows (names: 'Campaign <id>'): platform, date, account, currency, campaign,
# publisher platform, position, spend, purchases, purchase value, is Advantage+.
PLACEMENTS = [
    ("meta", "2026-10-01", "111", "EUR", "A", "facebook", "feed", "60.00", 1, "120.00", True),
    ("meta", "2026-10-01", "111", "EUR", "A", "instagram", "reels", "40.00", 0, "0", True),
    ("meta", "2026-10-02", "111", "EUR", "A", "facebook", "feed", "50.00", 1, "100.00", True),
    ("meta", "2026-10-02", "111", "EUR", "A", "threads", "threads_feed", "10.00", 0, "0", True),
    ("meta", "2026-10-02", "111", "EUR", "A", "instagram", "reels", "40.00", 1, "60.00", True),
    ("meta", "2026-10-01", "222", "USD", "B", "facebook", "feed", "30.00", 1, "90.00", True),
    ("meta", "2026-10-02", "222", "USD", "B", "instagram", "feed", "20.00", 0, "0", True),
    ("meta", "2026-10-01", "111", "EUR", "C", "facebook", "feed", "99.00", 0, "0", False),
    ("tiktok", "2026-10-01", "tt1", "USD", "T", "tiktok", "tiktok_feed", "7.00", 0, "0", True),
]
# Weekly split rows: campaign, week, publisher platform, position, spend, share, revenue, roas,
# first Threads spend, Threads without opt-in.
SPLIT = [
    ("A", "2026-09-28", "facebook", "feed", "110.00", "0.55", "220.00", "2.0", "2026-10-02", True),
    ("A", "2026-09-28", "instagram", "reels", "80.00", "0.4", "60.00", "0.75", "2026-10-02", True),
    ("A", "2026-09-28", "threads", "threads_feed", "10.00", "0.05", "0", "0", "2026-10-02", True),
    ("A", "2026-09-21", "facebook", "feed", "5.00", "1", "0", "0", "2026-10-02", True),
    ("B", "2026-09-28", "facebook", "feed", "30.00", "0.6", "90.00", "3.0", None, False),
    ("B", "2026-09-28", "instagram", "feed", "20.00", "0.4", "0", "0", None, False),
]
CREATORS = [
    ("ana", "Ana", True),
    ("bo", "Bo", True),
    ("tiktok_username:newface", "newface", False),
]
# Creator rows: date, creator, currency, revenue, cost, affiliate GMV, commission, paid spend,
# attributed revenue (all in EUR, None without a rate), affiliate orders, Threads views.
CREATOR_DAYS = [
    ("2026-10-01", "ana", "USD", "100.00", "50.00", "60.00", "5.00", "45.00", "40.00", 2, 0),
    ("2026-10-01", "ana", "EUR", "20.00", "10.00", "0", "0", "10.00", "20.00", 0, 500),
    ("2026-10-02", "ana", "GBP", None, None, None, None, None, None, 1, 0),
    ("2026-10-01", "bo", "EUR", "90.00", "30.00", "90.00", "10.00", "20.00", "0", 3, 100),
    ("2026-10-02", "tiktok_username:newface", "USD", "10.00", "0", "10.00", "0", "0", "0", 1, 0),
]
# Ad rows (names: 'Campaign <id>'): platform, account, currency, campaign, date, spend,
# revenue, purchases, impressions, clicks, spend and revenue in EUR (None without a rate).
AD_DAYS = [
    ("meta", "111", "EUR", "c1", "2026-10-01", "10.00", "30.00", 2, 1000, 10, "10.00", "30.00"),
    ("meta", "222", "USD", "c2", "2026-10-01", "11.00", "22.00", 1, 500, 5, "10.00", "20.00"),
    ("tiktok", "tt1", "USD", "t1", "2026-10-02", "5.50", "0", 0, 300, 0, "5.00", "0"),
    ("tiktok", "tt1", "USD", "t1", "2026-10-03", "1.10", "2.20", 1, 10, 1, None, None),
]
# fmt: on


def write_every_mart(path: Path, *, with_platform: bool = True) -> Path:
    """Write a published file with every mart the pages read, from the rows above.

    Args:
        path: Where to write (replaced if it exists).
        with_platform: False writes the placement mart as published before it had a
            ``platform`` column (Meta rows only).
    """
    placements = [row for row in PLACEMENTS if with_platform or row[0] == "meta"]
    with published(path) as con:
        con.execute(
            """
            create table fct_placement_performance_daily (
                platform varchar, report_date date, ad_account_id varchar,
                account_currency varchar, campaign_id varchar, publisher_platform varchar,
                platform_position varchar, spend decimal(18, 2), purchases decimal(18, 2),
                purchase_value decimal(18, 2), is_advantage_plus_campaign boolean
            )
            """
        )
        con.executemany(
            f"insert into fct_placement_performance_daily values ({', '.join('?' * 11)})",
            placements,
        )
        con.execute(
            "alter table fct_placement_performance_daily add column campaign_name varchar;"
            "alter table fct_placement_performance_daily add column impressions bigint default 0;"
            "alter table fct_placement_performance_daily add column clicks bigint default 0;"
            "update fct_placement_performance_daily set campaign_name = 'Campaign ' || campaign_id"
        )
        if not with_platform:
            con.execute("alter table fct_placement_performance_daily drop column platform")
        con.execute(
            """
            create table rpt_advantage_plus_placement_split (
                campaign_id varchar, week_start_date date, publisher_platform varchar,
                platform_position varchar, spend decimal(18, 2), spend_share decimal(18, 6),
                purchase_value decimal(18, 2), roas decimal(18, 4),
                threads_first_spend_date date, threads_without_opt_in boolean
            )
            """
        )
        con.executemany(
            f"insert into rpt_advantage_plus_placement_split values ({', '.join('?' * 10)})",
            SPLIT,
        )
        con.execute(
            "create table dim_creators ("
            " creator_id varchar, display_name varchar, is_registered boolean)"
        )
        con.executemany("insert into dim_creators values (?, ?, ?)", CREATORS)
        con.execute(
            """
            create table fct_creator_performance_daily (
                report_date date, creator_id varchar, currency varchar,
                creator_driven_revenue_reporting decimal(18, 2),
                creator_cost_reporting decimal(18, 2), affiliate_gmv_reporting decimal(18, 2),
                affiliate_commission_estimated_reporting decimal(18, 2),
                paid_spend_reporting decimal(18, 2),
                paid_attributed_revenue_reporting decimal(18, 2), affiliate_orders bigint,
                threads_views bigint, reporting_currency varchar default 'EUR',
                paid_attributed_revenue_shop_reporting decimal(18, 2) default 0,
                deduction_spark_orders_in_order_book_reporting decimal(18, 2) default 0
            )
            """
        )
        con.executemany(
            "insert into fct_creator_performance_daily (report_date, creator_id, currency,"
            " creator_driven_revenue_reporting, creator_cost_reporting, affiliate_gmv_reporting,"
            " affiliate_commission_estimated_reporting, paid_spend_reporting,"
            " paid_attributed_revenue_reporting, affiliate_orders, threads_views)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            CREATOR_DAYS,
        )
        con.execute(
            """
            create table fct_ad_performance_daily (
                platform varchar, ad_account_id varchar, account_currency varchar,
                campaign_id varchar, campaign_name varchar, report_date date,
                spend decimal(18, 2), purchase_value decimal(18, 2), purchases decimal(18, 2),
                impressions bigint, clicks bigint, spend_reporting decimal(18, 2),
                purchase_value_reporting decimal(18, 2), reporting_currency varchar default 'EUR'
            )
            """
        )
        con.executemany(
            "insert into fct_ad_performance_daily (platform, ad_account_id, account_currency,"
            " campaign_id, report_date, spend, purchase_value, purchases, impressions, clicks,"
            " spend_reporting, purchase_value_reporting)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            AD_DAYS,
        )
        con.execute(
            "update fct_ad_performance_daily set campaign_name = 'Campaign ' || campaign_id"
        )
    return path
