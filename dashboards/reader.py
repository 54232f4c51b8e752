"""Read-only access to the published marts file: the plumbing every query module builds on.

``open_marts`` and ``query`` (one set-based, parameterised query on a cursor of the file's
current version), the selection and platform filters every page shares (``Selection``,
``SELECTION_SQL``, ``platform_sql``) and the in-memory ``Summary`` tables. The queries
themselves live in ``dashboards.queries``: one module per page, plus ``publication`` for what
every page asks of the file.

One private in-memory DuckDB per published file version (its inode, size and times), with the
file attached ``READ_ONLY``: the pages' queries share its block cache instead of re-reading the
file, and the ``Summary`` tables condensed from the big facts live there, built on first use.
Publish swaps the file with ``os.replace``, so the next query sees a new version and opens
it; the old version's database goes away once its last cursor closes, and readers mid-query
keep their consistent snapshot. Nothing blocks the pipeline.

With ``SOCIALMART_WAREHOUSE=postgres`` the published "file" is the dashboards' local copy of
the PostgreSQL publication (``dashboards.pg_snapshot``), replaced the same way when a new
publication appears, so everything here reads it unchanged.

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

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

# The published facts the pages read.
MART_TABLE = "fct_placement_performance_daily"
AD_PERFORMANCE_TABLE = "fct_ad_performance_daily"
_CATALOG = "marts"

# Shared WHERE clause of every filtered query; an empty account list means every account.
SELECTION_SQL = """
    report_date between $start and $end
    and (
        len($account_ids::varchar[]) = 0
        or list_contains($account_ids::varchar[], ad_account_id)
    )
"""
# The marts' money type. Summaries store their sums in it (pre-added sums read several times
# faster than DECIMAL(38, 2) ones); a sum too large for it fails loudly, it is never rounded.
MONEY = "decimal(18, 2)"

# Columns of each table a query reads, as found in the published file.
TableColumns = Mapping[str, set[str]]


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


def file_signature(path: Path) -> Signature:
    """The version of the file ``path`` names now (``OSError`` when there is none)."""
    stat = path.stat()
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _signature(path: Path) -> Signature:
    try:
        return file_signature(path)
    except OSError as error:
        raise duckdb.IOException(f"cannot open {path}: {error}") from error


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


def table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the published file ``con`` reads (see ``open_marts``)."""
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
        present = {table: table_columns(con, table) for table in sources}
        if not all(present.values()):
            return pd.DataFrame(columns=columns)
        for table in tables:
            if isinstance(table, Summary):
                version.ensure(con, table, present[table.source])
        text = sql(present) if callable(sql) else sql
        return _frame(con, text, params)


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The columns ``table`` has in the published file; empty when it is not there."""
    rows = con.execute(
        "select column_name from duckdb_columns()"
        " where database_name = ? and schema_name = 'main' and table_name = ?",
        [_CATALOG, table],
    ).fetchall()
    return {name for (name,) in rows}
