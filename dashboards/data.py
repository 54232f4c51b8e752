"""Read-only access to the published marts file: the shared plumbing (``open_marts``,
``query``, the selection and platform filters, the in-memory summaries), the queries every page
runs (status, publication, filter options) and those of the spend-by-placement-platform page.
Each other page keeps its queries in its own module (``advantage_plus``, ``creators``,
``performance``, ``health``), built on ``query``.

Pure functions: each takes the path of the published marts file (see
``Settings.published_marts_path``), runs one set-based, parameterised query on a cursor of that
file's current version and returns a pandas DataFrame (or a small value).

One private in-memory DuckDB per published file version (its inode, size and times), with the
file attached ``READ_ONLY``: the pages' queries share its block cache instead of re-reading the
file, and the ``Summary`` tables condensed from the big facts live there, built on first use.
Publish swaps the file with ``os.replace``, so the next query sees a new version and opens
it; the old version's database goes away once its last cursor closes, and readers mid-query
keep their consistent snapshot. Nothing blocks the pipeline.

Money stays exact: sums of DECIMAL columns come back as ``decimal.Decimal`` values, summaries
only pre-add within a currency, and no function ever adds amounts of different currencies.

Why ``ATTACH ... (READ_ONLY)`` into a private in-memory database instead of
``duckdb.connect(path, read_only=True)``: DuckDB's Python client reuses one database instance per
file path and process while any connection to that path is open. With two browser sessions, one
still querying while the pipeline publishes, ``connect`` would hand the other session the
replaced file (the old inode) and the new publication would stay invisible. Attaching from a
fresh in-memory database always opens the file the path names now.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

MART_TABLE = "fct_placement_performance_daily"
PUBLICATION_TABLE = "_publication"
_CATALOG = "marts"

# Shared WHERE clause of every filtered query; an empty account list means every account.
SELECTION_SQL = """
    report_date between $start and $end
    and (
        len($account_ids::varchar[]) = 0
        or list_contains($account_ids::varchar[], ad_account_id)
    )
"""
# Tables whose report_date spans the dates readers can pick, and the ad-platform facts.
DATED_TABLES = (
    "fct_ad_performance_daily",
    MART_TABLE,
    "fct_creator_performance_daily",
)
AD_PERFORMANCE_TABLE = "fct_ad_performance_daily"
ACCOUNT_COLUMNS = ["platform", "ad_account_id", "account_currency"]
# The marts' money type. Summaries store their sums in it (pre-added sums read several times
# faster than DECIMAL(38, 2) ones); a sum too large for it fails loudly, it is never rounded.
MONEY = "decimal(18, 2)"

# Columns of each table a query reads, as found in the published file.
TableColumns = Mapping[str, set[str]]

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


class MartsStatus(enum.StrEnum):
    """How far the published marts file is from being readable."""

    MISSING = "missing"  # nothing published yet
    NO_MART = "no_mart"  # a file without the placement mart
    EMPTY = "empty"  # the mart exists but has no rows
    READY = "ready"


@dataclass(frozen=True)
class Selection:
    """What the reader filters on: an inclusive date range and optionally some accounts."""

    start: date
    end: date
    account_ids: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()

    def params(self, *, platforms: bool = False) -> dict[str, Any]:
        """Named query parameters for ``SELECTION_SQL`` (and ``platform_sql`` if asked)."""
        params: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "account_ids": list(self.account_ids),
        }
        if platforms:
            params["platforms"] = list(self.platforms)
        return params


def platform_sql(columns: set[str]) -> str:
    """WHERE condition for the platform filter (``$platforms``; empty means every platform).

    Tables without a ``platform`` column hold Meta rows only (the placement mart before it
    gained TikTok rows), so their rows count as ``meta``.
    """
    platform = "platform" if "platform" in columns else "'meta'"
    return f"(len($platforms::varchar[]) = 0 or list_contains($platforms::varchar[], {platform}))"


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


@dataclass(frozen=True)
class Summary:
    """A table condensed once per published file version from one published table.

    ``select`` builds its query from the columns ``source`` has; the result lands in the
    private in-memory catalog as ``memory.main.<name>`` (see ``summary_table``). Sums of a
    summary's sums equal the sums of the source rows, so queries give the same answers.
    A summary may also just be a small query's result, or a copy laid out for reading.
    """

    name: str
    source: str
    select: Callable[[set[str]], str]


def summary_table(summary: Summary) -> str:
    """The qualified name queries read a summary by."""
    return f"memory.main.{summary.name}"


# What tells one published file version from the next: publish renames a new file over the
# old one, so the inode changes (and with it, nearly always, size and times).
Signature = tuple[int, ...]


class _Version:
    """One published file version attached read-only to its own in-memory database."""

    def __init__(self, path: Path, signature: Signature) -> None:
        self.signature = signature
        self._database = duckdb.connect(":memory:")
        self._summaries_lock = threading.Lock()
        self._built: set[str] = set()
        literal = str(path).replace("'", "''")
        self._database.execute(f"ATTACH '{literal}' AS {_CATALOG} (READ_ONLY)")
        self._database.execute("SET enable_external_access = false")
        # Summaries take seconds to build at scale: no progress bar on the server's console.
        self._database.execute("SET enable_progress_bar = false")

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection of its own (one per query and thread) on the shared database."""
        con = self._database.cursor()
        try:
            con.execute(f"USE {_CATALOG}")
            yield con
        finally:
            con.close()

    def ensure(self, con: duckdb.DuckDBPyConnection, summary: Summary, columns: set[str]) -> None:
        """Build ``summary`` from its source's ``columns`` unless this version has it."""
        if summary.name in self._built:  # without waiting on another summary's build
            return
        with self._summaries_lock:
            if summary.name in self._built:
                return
            con.execute(f"create table {summary_table(summary)} as {summary.select(columns)}")
            self._built.add(summary.name)


_versions: dict[Path, _Version] = {}
_versions_lock = threading.Lock()


def _signature(path: Path) -> Signature:
    try:
        stat = path.stat()
    except OSError as error:
        raise duckdb.IOException(f"cannot open {path}: {error}") from error
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _current_version(path: Path) -> _Version:
    """The attached database of the file ``path`` names now, opened on first use."""
    signature = _signature(path)
    with _versions_lock:
        version = _versions.get(path)
        if version is None or version.signature != signature:
            # The replaced version is not closed here: cursors still reading it keep it
            # alive, and it closes with the last of them.
            version = _versions[path] = _Version(path, signature)
        return version


@contextmanager
def open_marts(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the published marts read-only for the duration of a ``with`` block.

    Args:
        path: The published marts DuckDB file.

    Yields:
        A connection whose default schema is the file's ``main`` schema. External file access
        is disabled on it: it can read the attached marts and nothing else.

    Raises:
        duckdb.IOException: The file does not exist or is not a DuckDB database.
    """
    with _current_version(path).cursor() as con:
        yield con


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> pd.DataFrame:
    # Through Arrow so DECIMAL sums arrive as exact decimal.Decimal values, not floats.
    return con.execute(sql, dict(params)).to_arrow_table().to_pandas()


def _table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = 'main'",
        [_CATALOG],
    ).fetchall()
    return {name for (name,) in rows}


def query(
    path: Path,
    tables: Sequence[str | Summary],
    sql: str | Callable[[TableColumns], str],
    params: Mapping[str, Any],
    columns: list[str],
) -> pd.DataFrame:
    """Run one query if the file and every table it reads are there.

    Args:
        path: The published marts DuckDB file.
        tables: The tables the query reads: published tables, or summaries (built first if
            this file version lacks them; their source must be published).
        sql: The query, or a function building it from the columns each published table
            (or summary's source) has, by table name.
        params: Its named parameters.
        columns: The columns of the empty frame returned when a table is missing.

    Returns:
        The query's rows; an empty frame with ``columns`` when the file or a table is missing.
    """
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    version = _current_version(path)
    sources = [table.source if isinstance(table, Summary) else table for table in tables]
    with version.cursor() as con:
        present = {table: _columns(con, table) for table in sources}
        if not all(present.values()):
            return pd.DataFrame(columns=columns)
        for table in tables:
            if isinstance(table, Summary):
                version.ensure(con, table, present[table.source])
        text = sql(present) if callable(sql) else sql
        return _frame(con, text, params)


def _placement_by_account_sql(columns: set[str]) -> str:
    platform = "platform" if "platform" in columns else "'meta'"
    return f"""
        select
            report_date,
            {platform} as platform,
            ad_account_id,
            account_currency,
            publisher_platform,
            sum(spend)::{MONEY} as spend,
            sum(impressions)::bigint as impressions,
            sum(clicks)::bigint as clicks,
            sum(purchases)::{MONEY} as purchases,
            sum(purchase_value)::{MONEY} as purchase_value
        from {MART_TABLE}
        group by all
        order by report_date
    """


# The placement mart per day, account and publisher platform (ads, campaigns and positions
# added up): what the spend-by-placement-platform page reads, a few hundred times smaller.
PLACEMENT_BY_ACCOUNT = Summary("placement_by_account_daily", MART_TABLE, _placement_by_account_sql)


def _placement_query(
    path: Path, sql: str, params: Mapping[str, Any], columns: list[str]
) -> pd.DataFrame:
    """``query`` on ``PLACEMENT_BY_ACCOUNT`` (``{summary}`` in ``sql``), with a ``{platforms}``
    slot for the platform filter."""
    text = sql.replace("{summary}", summary_table(PLACEMENT_BY_ACCOUNT)).replace(
        "{platforms}", platform_sql({"platform"})
    )
    return query(path, [PLACEMENT_BY_ACCOUNT], text, params, columns)


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
        present = _table_names(con)
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
        if MART_TABLE not in _table_names(con):
            return MartsStatus.NO_MART
        (has_rows,) = con.execute(f"select exists (select 1 from {MART_TABLE})").fetchone()
    return MartsStatus.READY if has_rows else MartsStatus.EMPTY


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from duckdb_columns()"
        " where database_name = ? and schema_name = 'main' and table_name = ?",
        [_CATALOG, table],
    ).fetchall()
    return {name for (name,) in rows}


def _latest_publication_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(run_id, published_at, table_name, row_count) of the newest publication, if recorded."""
    columns = _columns(con, PUBLICATION_TABLE)
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


def totals_by_currency(path: Path, selection: Selection) -> pd.DataFrame:
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
            sum(spend) as spend,
            sum(impressions)::bigint as impressions,
            sum(clicks)::bigint as clicks,
            sum(purchases) as purchases,
            sum(purchase_value) as purchase_value
        from {{summary}}
        where {SELECTION_SQL}
            and {{platforms}}
        group by account_currency
        order by account_currency
    """
    return _placement_query(path, sql, selection.params(platforms=True), CURRENCY_COLUMNS)


def spend_by_platform_daily(path: Path, selection: Selection, currency: str) -> pd.DataFrame:
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
        where {SELECTION_SQL}
            and account_currency = $currency
            and {{platforms}}
        group by report_date, publisher_platform
        order by report_date, publisher_platform
    """
    params = {**selection.params(platforms=True), "currency": currency}
    return _placement_query(path, sql, params, DAILY_COLUMNS)


def platform_totals(path: Path, selection: Selection, currency: str) -> pd.DataFrame:
    """Totals per publisher platform for the accounts billed in one currency.

    Args:
        path: The published marts DuckDB file.
        selection: Date range and accounts to include.
        currency: Only accounts with this ``account_currency`` are summed.

    Returns:
        Columns ``PLATFORM_COLUMNS``; ``spend_share`` is the platform's fraction of the
        currency's spend (a float, for display). Ordered by spend, largest first.
    """
    sql = f"""
        with by_platform as (
            select
                publisher_platform,
                sum(spend) as spend,
                sum(impressions)::bigint as impressions,
                sum(clicks)::bigint as clicks,
                sum(purchases) as purchases,
                sum(purchase_value) as purchase_value
            from {{summary}}
            where {SELECTION_SQL}
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
        present = [table for table in DATED_TABLES if table in _table_names(con)]
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
