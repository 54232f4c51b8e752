"""Loading a run's spool folder into the versioned raw tables of a PostgreSQL warehouse.

The same contract, tables and numbers as :mod:`connectors.common.land` (DuckDB), and the same
code decides them: per stream, an in-memory DuckDB reads the run's page files and runs the
DuckDB loader's own staging (typed, hashed, judged against the raw contract, checked against
the manifests) and merge statements (versions, tombstones, quarantine, ``raw._loads``)
against a snapshot of the latest stored versions that PostgreSQL hands over by ``COPY``. What
the merge wrote (only this load's rows) reaches PostgreSQL by ``COPY`` in the same
transaction. So PostgreSQL parses each row once, as its own ``COPY`` does, and no row passes
through Python (DECISIONS.md, "PostgreSQL loads: DuckDB decides, PostgreSQL stores").

Loads of different streams run in parallel; loads of one stream serialise on a
transaction-scoped advisory lock keyed by (source, stream), waited for at most
``lock_timeout_seconds``, after which :class:`StreamLockTimeout` names the holder.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import psycopg2.errors

from connectors.common import land
from connectors.common.contract import quote_identifier, sql_literal
from connectors.common.land import (
    METADATA_COLUMNS,
    QUARANTINE_SCHEMA,
    RAW_SCHEMA,
    REJECT_REASON_COLUMN,
    LoadPolicy,
    LoadReport,
    Unit,
    check_one_unit_per_account,
    ensure_load_tables,
    ensure_stream_tables,
    keys_sql,
    latest_columns,
    latest_columns_sql,
    merge_staged,
    pending_units,
    record_schema_drift,
    record_skipped_run,
    scope_bounds_sql,
    settle_units,
    stage_units,
    table_name,
    unit_reports,
)
from connectors.common.streams import StreamSpec
from socialmart.pg_warehouse import Connection

__all__ = [
    "StreamLockTimeout",
    "ensure_raw_table",
    "load_spool",
    "load_units",
    "lock_stream",
    "pg_type",
    "record_skipped_run",
]

# DuckDB types of the stream specs, the loader's metadata and the marts (copied by the tests) ->
# PostgreSQL types. DECIMAL(p, s) becomes numeric(p, s): money stays exact.
_PG_TYPES = {
    "VARCHAR": "varchar",
    "JSON": "jsonb",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMPTZ": "timestamptz",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "BOOLEAN": "boolean",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
}
_DECIMAL = re.compile(r"^DECIMAL\((\d+), ?(\d+)\)$")
# The CSV both engines write and read between them: RFC 4180 quoting, NULL as ``\N`` (DuckDB
# quotes a string that reads ``\N``, so it stays a string).
_NULL = r"\N"
_CSV_OUT = f"(format csv, header false, nullstr '{_NULL}')"
_CSV = f"with (format csv, null '{_NULL}')"
_PIPE_CHUNK = 1 << 20
# Advisory lock serialising the loader's DDL (concurrent ``create table if not exists`` of one
# table fail on PostgreSQL).
_DDL_LOCK_NAME = "socialmart.land:ddl"


_DEFAULT_POLICY = LoadPolicy()


class StreamLockTimeout(RuntimeError):
    """Another load held a lock this load needs (its stream's, or the raw tables' DDL lock)
    longer than the load would wait."""


def pg_type(duck_type: str) -> str:
    """The PostgreSQL type of a DuckDB type of the stream specs (``DECIMAL(18, 2)`` ->
    ``numeric(18, 2)``).

    Raises:
        ValueError: A type the PostgreSQL warehouse does not map yet.
    """
    decimal = _DECIMAL.match(duck_type)
    if decimal:
        return f"numeric({decimal[1]}, {decimal[2]})"
    try:
        return _PG_TYPES[duck_type]
    except KeyError:
        raise ValueError(f"no PostgreSQL type for the DuckDB type {duck_type!r}") from None


def load_spool(
    con: Connection,
    run_dir: Path,
    run_id: str,
    policy: LoadPolicy = _DEFAULT_POLICY,
    sources: Collection[str] | None = None,
    *,
    lock_timeout_seconds: float,
) -> list[LoadReport]:
    """Load every complete unit under a run's spool folder into its raw table.

    As :func:`connectors.common.land.load_spool`: unfinished units are ignored, loaded ones
    skipped, the units of one stream merged in one transaction (:func:`load_units`).

    Args:
        con: Open connection to the PostgreSQL warehouse (autocommit, no open transaction).
        run_dir: ``<spool_dir>/<run_id>``.
        run_id: The run; stored as ``_sync_id``. Must match the manifests.
        policy: When a pull may delete what it no longer returns.
        sources: Only these sources' units (``<run_dir>/<source>/``); None: every unit.
        lock_timeout_seconds: How long to wait for another load of the same stream
            (``settings.lock_timeout_seconds``).

    Returns:
        One report per unit loaded now, in path order.

    Raises:
        ValueError: A manifest is inconsistent with ``run_id`` or with its page files.
        KeyError: A manifest names a stream no connector declares.
        StreamLockTimeout: Another load of a stream held it longer than the timeout; the
            streams before it stay loaded, it and those after it stay pending.
    """
    reports = []
    for spec, units in pending_units(run_dir, run_id, sources):
        loaded = load_units(con, spec, units, policy, lock_timeout_seconds=lock_timeout_seconds)
        settle_units(units, loaded)
        reports += loaded
    return reports


def load_units(
    con: Connection,
    spec: StreamSpec,
    units: Sequence[Unit],
    policy: LoadPolicy = _DEFAULT_POLICY,
    *,
    lock_timeout_seconds: float,
) -> list[LoadReport]:
    """Merge units of one stream (one per account) into its raw table in one transaction.

    The semantics of :func:`connectors.common.land.load_units`: the pages are staged before
    the transaction; the transaction takes the stream's advisory lock, snapshots the latest
    versions, merges and appends what the merge wrote.

    Raises:
        ValueError: Two units name the same account, or a unit's page files disagree with
            its manifest (row count, account). Nothing of the stream is loaded then.
        StreamLockTimeout: The stream's lock was not free within ``lock_timeout_seconds``.
    """
    check_one_unit_per_account(spec, units)
    if not units:
        return []
    _ensure_tables(con, spec, lock_timeout_seconds)
    with _decider() as (duck, folder):
        land.ensure_raw_table(duck, spec)
        stage_units(duck, spec, units)
        con.begin()
        try:
            lock_stream(con, spec, lock_timeout_seconds)
            _snapshot_latest(con, duck, spec, folder)
            counts = merge_staged(duck, spec, units, policy)
            # One core writes the CSV, the other is PostgreSQL's COPY (measured: 2 DuckDB
            # threads slowed the COPY they feed by 0.6 s in 5).
            duck.execute("set threads = 1")
            for table in (
                table_name(spec),
                table_name(spec, QUARANTINE_SCHEMA),
                f"{RAW_SCHEMA}._loads",
            ):
                _append(duck, con, table)
            record_schema_drift(con, spec, units)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    _analyze(con, spec)
    return unit_reports(spec, units, counts)


@contextmanager
def _decider() -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """An in-memory DuckDB in UTC (timestamps written with their offset) and a scratch folder
    for the CSV passed between the engines and for DuckDB's spill files; both gone after."""
    with tempfile.TemporaryDirectory(prefix="socialmart-land-") as scratch:
        folder = Path(scratch)
        duck = duckdb.connect(config={"temp_directory": str(folder / "spill")})
        try:
            duck.execute("set TimeZone = 'UTC'")
            yield duck, folder
        finally:
            duck.close()


def _snapshot_latest(
    con: Connection, duck: duckdb.DuckDBPyConnection, spec: StreamSpec, folder: Path
) -> None:
    """``temp._land_latest`` in ``duck``: the latest stored version of each key the load's
    scope holds (:func:`connectors.common.land.latest_scope_sql`), read from PostgreSQL by
    ``COPY`` in the load's transaction (after the stream's lock: nothing changes them)."""
    account = quote_identifier(spec.account_column)
    bounds = scope_bounds_sql(spec)
    if bounds is not None:
        accounts, lows, highs = map(list, zip(*duck.execute(bounds).fetchall(), strict=True))
        day = quote_identifier(spec.window_column)
        scope = (
            f"join unnest(%s::varchar[], %s::date[], %s::date[]) as b(account_id, lo, hi) "
            f"on t.{account} = b.account_id and t.{day} between b.lo and b.hi"
        )
        params: list = [accounts, lows, highs]
    else:
        scope = f"where t.{account} = any(%s::varchar[])"
        params = [
            [a for (a,) in duck.execute("select account_id from temp._land_units").fetchall()]
        ]
    keys = keys_sql(spec, "t.")
    with con.raw.cursor() as cursor:
        query = cursor.mogrify(
            f"select distinct on ({keys}) {latest_columns_sql(spec)} from {table_name(spec)} "
            f'as t {scope} order by {keys}, t._pulled_at desc, t._sync_id collate "C" desc',
            params,
        ).decode()
        path = folder / "latest.csv"
        with path.open("wb") as handle:
            cursor.copy_expert(f"copy ({query}) to stdout {_CSV}", handle)
    types = {**spec.columns, "_row_hash": "VARCHAR", "_is_deleted": "BOOLEAN"}
    columns = ", ".join(f"{sql_literal(c)}: {sql_literal(types[c])}" for c in latest_columns(spec))
    duck.execute(
        f"create temp table _land_latest as select * from read_csv($path, header = false, "
        f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
        f"nullstr = '{_NULL}', columns = {{{columns}}})",
        {"path": str(path)},
    )
    path.unlink()


def _append(duck: duckdb.DuckDBPyConnection, con: Connection, table: str) -> None:
    """Append every row of ``duck``'s ``table`` to PostgreSQL's ``table``: DuckDB writes CSV
    into a pipe while PostgreSQL's ``COPY`` reads it (both engines at work at once, nothing
    on disk).

    Raises:
        RuntimeError: PostgreSQL took another number of rows than DuckDB wrote.
    """
    (rows,) = duck.execute(f"select count(*) from {table}").fetchone()
    if not rows:
        return
    names = [column[0] for column in duck.execute(f"select * from {table} limit 0").description]
    columns = ", ".join(quote_identifier(name) for name in names)
    read_end, write_end = os.pipe()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            duck.execute(f"copy {table} to '/dev/fd/{write_end}' {_CSV_OUT}")
        except BaseException as error:  # raised below, in the loading thread
            failures.append(error)
        finally:
            os.close(write_end)  # the end of the COPY's input, also when DuckDB failed

    writer = threading.Thread(target=write, name=f"land-append-{table}")
    writer.start()
    try:
        # Closing the read end on a failed COPY stops the writer (broken pipe).
        with os.fdopen(read_end, "rb") as stream, con.raw.cursor() as cursor:
            cursor.copy_expert(f"copy {table} ({columns}) from stdin {_CSV}", stream, _PIPE_CHUNK)
            copied = cursor.rowcount
    except BaseException:
        writer.join()
        if failures:
            raise failures[0] from None
        raise
    writer.join()
    if failures:
        raise failures[0]
    if copied != rows:
        raise RuntimeError(f"{table}: the load wrote {rows} rows, PostgreSQL took {copied}")


def _analyze(con: Connection, spec: StreamSpec) -> None:
    """Refresh the planner's statistics of the tables a load wrote.

    dbt and the gate read the raw tables right after a load, often before autovacuum has
    analysed them; a table without statistics looks empty to the planner, which then picks
    nested loops that re-run a staging view per row (the gate's reconciliation took minutes
    instead of milliseconds on the demo's data). Sampling is cheap (at most 30,000 rows per
    table); ``analyze`` does not block readers or writers. The stream's JSON columns are left
    to autovacuum: nothing filters, joins or groups on them (they are unpacked), and their
    statistics cost a third of the time (measured at the agency bench's pull).
    """
    plain = [name for name in spec.columns if name not in spec.json_columns]
    columns = ", ".join(quote_identifier(name) for name in (*plain, *METADATA_COLUMNS))
    con.execute(f"analyze {table_name(spec)} ({columns})")
    con.execute(
        f"analyze {table_name(spec, QUARANTINE_SCHEMA)} ({columns}, {REJECT_REASON_COLUMN})"
    )
    con.execute(f"analyze {RAW_SCHEMA}._loads")


def ensure_raw_table(con: Connection, spec: StreamSpec) -> None:
    """Create schemas ``raw``/``quarantine``, the loader's tables and the stream's tables; add
    newly declared columns. One short transaction under the loader's DDL lock."""
    con.begin()
    try:
        con.execute("select pg_advisory_xact_lock(?)", [_lock_key(_DDL_LOCK_NAME)])
        _ensure_all(con, spec)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _ensure_tables(con: Connection, spec: StreamSpec, timeout: float) -> None:
    """:func:`ensure_raw_table` before a load, waiting at most ``timeout`` for locks (adding
    a column waits for the stream's running load)."""
    con.begin()
    try:
        _lock(
            con, _DDL_LOCK_NAME, timeout, f"{spec.source}/{spec.name}: a load creating raw tables"
        )
        con.execute(f"set local lock_timeout = '{_milliseconds(timeout)}ms'")
        _ensure_all(con, spec)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _ensure_all(con: Connection, spec: StreamSpec) -> None:
    ensure_load_tables(con)
    ensure_stream_tables(con, spec, pg_type)
    # The latest-version snapshot reads one account's (days of) keys: index that scope.
    # Checked first: ``create index if not exists`` waits for the stream's running load.
    scope = [spec.account_column, *([spec.window_column] if spec.window_column else [])]
    index = f"{spec.raw_table}__scope"
    found = con.execute("select to_regclass(?)", [f"{RAW_SCHEMA}.{quote_identifier(index)}"])
    if found.fetchone()[0] is None:
        columns = ", ".join(quote_identifier(c) for c in scope)
        con.execute(
            f"create index if not exists {quote_identifier(index)} "
            f"on {table_name(spec)} ({columns})"
        )


def _lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for ``name``."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


def lock_stream(con: Connection, spec: StreamSpec, timeout_seconds: float) -> None:
    """Take the stream's load lock in ``con``'s open transaction (released when it ends).

    Raises:
        StreamLockTimeout: Another session held it for ``timeout_seconds``; the transaction
            is rolled back.
    """
    name = f"socialmart.land:{spec.source}/{spec.name}"
    _lock(con, name, timeout_seconds, f"{spec.source}/{spec.name}: another load of this stream")


def _milliseconds(seconds: float) -> int:
    # PostgreSQL reads a lock_timeout of 0 as "wait forever": 0 s waits 1 ms instead.
    return max(1, round(seconds * 1000))


def _lock(con: Connection, name: str, timeout: float, holder: str) -> None:
    """Take the transaction-scoped advisory lock ``name``, waiting at most ``timeout`` s.

    ``holder`` says who would hold it, after the stream it blocks
    (``"meta/ads: another load of this stream"``).

    Raises:
        StreamLockTimeout: The lock stayed taken; the transaction is rolled back and the
            message names the holder.
    """
    key = _lock_key(name)
    con.execute(f"set local lock_timeout = '{_milliseconds(timeout)}ms'")
    try:
        con.execute("select pg_advisory_xact_lock(?)", [key])
    except psycopg2.errors.LockNotAvailable:
        con.rollback()
        raise StreamLockTimeout(_lock_timeout_message(con, key, timeout, holder)) from None
    con.execute("set local lock_timeout to default")


def _lock_timeout_message(con: Connection, key: int, timeout: float, holder: str) -> str:
    """What held the lock ``key`` (from ``pg_locks`` and ``pg_stat_activity``), and what to do."""
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    holders = con.execute(
        "select a.pid, a.application_name, a.query_start, a.state from pg_locks as l "
        "join pg_stat_activity as a on a.pid = l.pid where l.locktype = 'advisory' "
        "and l.granted and l.classid::bigint = ? and l.objid::bigint = ? and l.objsubid = 1 "
        "and l.database = (select oid from pg_database where datname = current_database())",
        [unsigned >> 32, unsigned & 0xFFFFFFFF],
    ).fetchall()
    sessions = (
        "; ".join(
            f"pid {pid}, application {app or '(none)'!r}, its current query started "
            f"{started.isoformat(' ', 'seconds') if started else 'never'}, {state}"
            for pid, app, started, state in holders
        )
        if holders
        else "a session that has released it since"
    )
    return (
        f"{holder} holds the lock it needs ({sessions}); "
        f"waited {timeout:g} s. Nothing was loaded, the units stay pending: wait for that "
        f"load to finish and run this one again, or raise SOCIALMART_LOCK_TIMEOUT_SECONDS"
    )
