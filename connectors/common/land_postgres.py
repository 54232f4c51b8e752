"""Loading a run's spool folder into the versioned raw tables of a PostgreSQL warehouse.

The same contract, tables and numbers as :mod:`connectors.common.land` (DuckDB), which owns
everything engine-neutral: the dataclasses, messages, manifest iteration, the checks against
the manifests, the raw-contract predicates (``connectors.common.contract``) and the
schema-drift record. Per stream, in one
transaction: ``COPY`` every page file of the run's units into a staging table (each file one
``json`` value, streamed from disk, no per-row Python), type the records with
``json_to_recordset`` by the spec's columns (:func:`pg_type`), then the same
version/tombstone/quarantine statements as SQL.

Loads of different streams run in parallel; loads of one stream serialise on a
transaction-scoped advisory lock keyed by (source, stream), waited for at most
``lock_timeout_seconds``, after which :class:`StreamLockTimeout` names the holder.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

import psycopg2.errors

from connectors.common.contract import quote_identifier, sql_literal
from connectors.common.land import (
    QUARANTINE_SCHEMA,
    RAW_SCHEMA,
    REJECT_REASON_COLUMN,
    LoadPolicy,
    LoadReport,
    Unit,
    UnitCounts,
    check_one_unit_per_account,
    check_unit_counts,
    ensure_load_tables,
    ensure_stream_tables,
    in_window_sql,
    insert_staged_sql,
    keys_sql,
    latest_columns_sql,
    latest_scope_sql,
    pending_units,
    record_schema_drift,
    record_skipped_run,
    reject_reason_sql,
    settle_units,
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
_T = "pg_temp."
# COPY input: one CSV line per page file, ``<file number>\x1f\x01<file bytes>\x01``. Valid
# JSON holds no raw control character, so the bytes go through verbatim (a file that does is
# not JSON, and its load fails).
_DELIMITER, _QUOTE = b"\x1f", b"\x01"
_COPY_PAGES = (
    f"copy {_T}_land_pages (file_no, doc) from stdin with (format csv, delimiter E'\\x1f', "
    f"quote E'\\x01', encoding 'UTF8')"
)
_COPY_CHUNK = 1 << 20
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
    for spec, units in pending_units(run_dir, run_id):
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

    The semantics of :func:`connectors.common.land.load_units`; the transaction first takes
    the stream's advisory lock.

    Raises:
        ValueError: Two units name the same account, or a unit's page files disagree with
            its manifest (row count, account). Nothing of the stream is loaded then.
        StreamLockTimeout: The stream's lock was not free within ``lock_timeout_seconds``.
    """
    check_one_unit_per_account(spec, units)
    if not units:
        return []
    _ensure_tables(con, spec, lock_timeout_seconds)
    con.begin()
    try:
        lock_stream(con, spec, lock_timeout_seconds)
        # Doubles as text in their shortest exact form (the row hash), whatever the session set.
        con.execute("set local extra_float_digits = 1")
        _create_units(con, units)
        _stage(con, spec, units)
        con.execute(
            f"create temp table _land_latest on commit drop as "
            f"select distinct on ({keys_sql(spec, 't.')}) {latest_columns_sql(spec)} "
            f"from {table_name(spec)} as t {latest_scope_sql(spec, _T)} "
            f'order by {keys_sql(spec, "t.")}, t._pulled_at desc, t._sync_id collate "C" desc'
        )
        con.execute(f"analyze {_T}_land_latest")
        _judge_deletions(con, spec, units, policy)
        con.execute(_insert_tombstones_sql(spec))
        con.execute(insert_staged_sql(spec, table_name(spec), _versions_from(spec)))
        con.execute(
            insert_staged_sql(
                spec,
                table_name(spec, QUARANTINE_SCHEMA),
                _quarantined_from(),
                REJECT_REASON_COLUMN,
            )
        )
        counts = _record_loads(con, spec)
        record_schema_drift(con, spec, units)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    _analyze(con, spec)
    return unit_reports(spec, units, counts)


def _analyze(con: Connection, spec: StreamSpec) -> None:
    """Refresh the planner's statistics of the tables a load wrote.

    dbt and the gate read the raw tables right after a load, often before autovacuum has
    analysed them; a table without statistics looks empty to the planner, which then picks
    nested loops that re-run a staging view per row (the gate's reconciliation took minutes
    instead of milliseconds on the demo's data). Sampling is cheap (at most 30,000 rows per
    table); ``analyze`` does not block readers or writers.
    """
    for table in (table_name(spec), table_name(spec, QUARANTINE_SCHEMA), f"{RAW_SCHEMA}._loads"):
        con.execute(f"analyze {table}")


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


def _create_units(con: Connection, units: Sequence[Unit]) -> None:
    """``_land_units``: each unit's account, run, pull time, window and row count."""
    manifests = [manifest for manifest, _ in units]
    con.execute(
        "create temp table _land_units on commit drop as select * from unnest("
        "?::varchar[], ?::varchar[], ?::timestamptz[], ?::date[], ?::date[], ?::bigint[]) "
        "as u(account_id, run_id, pulled_at, window_start, window_end, row_count)",
        [
            [m.account_id for m in manifests],
            [m.run_id for m in manifests],
            [m.pulled_at for m in manifests],
            [m.window_start for m in manifests],
            [m.window_end for m in manifests],
            [m.row_count for m in manifests],
        ],
    )


def _stage(con: Connection, spec: StreamSpec, units: Sequence[Unit]) -> None:
    """COPY every unit's page files and type their records into ``_land_stage``, checked
    against the manifests; keys repeated within a pull keep their last page's row."""
    pages = [(manifest, unit_dir / name) for manifest, unit_dir in units for name in manifest.files]
    con.execute("create temp table _land_pages (file_no integer, doc json) on commit drop")
    con.execute(
        "create temp table _land_files on commit drop as select * from unnest("
        "?::varchar[], ?::date[], ?::date[]) with ordinality "
        "as f(account_id, window_start, window_end, file_no)",
        [
            [manifest.account_id for manifest, _ in pages],
            [manifest.window_start for manifest, _ in pages],
            [manifest.window_end for manifest, _ in pages],
        ],
    )
    con.raw.cursor().copy_expert(_COPY_PAGES, _PageStream([path for _, path in pages]), _COPY_CHUNK)
    record = ", ".join(
        f"{quote_identifier(c)} {'json' if t == 'JSON' else pg_type(t)}"
        for c, t in spec.columns.items()
    )
    payload = ", ".join(
        f"{quote_identifier(c)}::jsonb as {quote_identifier(c)}"
        if t == "JSON"
        else quote_identifier(c)
        for c, t in spec.columns.items()
    )
    con.execute(
        f"create temp table _land_stage on commit drop as "
        f"select {payload}, _file, _unit_account, _unit_window_start, _unit_window_end, "
        f"{row_hash_sql(spec, spec.columns)} as _row_hash, "
        f"{reject_reason_sql(spec)} as {REJECT_REASON_COLUMN} "
        f"from (select r.*, f.file_no as _file, f.account_id as _unit_account, "
        f"f.window_start as _unit_window_start, f.window_end as _unit_window_end "
        f"from {_T}_land_pages as p join {_T}_land_files as f on f.file_no = p.file_no "
        f"cross join lateral json_to_recordset(p.doc) as r({record})) as s"
    )
    keys = keys_sql(spec)
    counts = con.execute(
        f"select _unit_account, count(*), count(*) filter (where "
        f"{quote_identifier(spec.account_column)} is distinct from _unit_account), "
        f"count(distinct ({keys})) from {_T}_land_stage group by _unit_account"
    ).fetchall()
    if check_unit_counts(units, counts):
        order = f"partition by _unit_account, {keys} order by _file desc, _row_hash"
        con.execute(
            f"delete from {_T}_land_stage where ctid in (select ctid from (select ctid, "
            f"row_number() over ({order}) as n from {_T}_land_stage) as r where n > 1)"
        )
    # Autovacuum never analyses temp tables: without statistics the planner guesses their size.
    con.execute(f"analyze {_T}_land_stage")


class _PageStream(io.RawIOBase):
    """The COPY input of :data:`_COPY_PAGES`, read from the page files chunk by chunk."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._chunks = self._generate(paths)
        self._pending = b""

    @staticmethod
    def _generate(paths: Sequence[Path]) -> Iterator[bytes]:
        for number, path in enumerate(paths, start=1):
            yield str(number).encode() + _DELIMITER + _QUOTE
            with path.open("rb") as handle:
                while chunk := handle.read(_COPY_CHUNK):
                    yield chunk
            yield _QUOTE + b"\n"

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        parts = [self._pending]
        length = len(self._pending)
        while size < 0 or length < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            parts.append(chunk)
            length += len(chunk)
        data = b"".join(parts)
        if size < 0:
            self._pending = b""
            return data
        self._pending = data[size:]
        return data[:size]


def row_hash_sql(spec: StreamSpec, present: Collection[str], alias: str = "") -> str:
    """md5 of the payload as the DuckDB loader hashes it (``to_json`` of the columns in
    order; columns not in ``present`` null), so both engines store the same ``_row_hash``.

    JSON columns must still be ``json`` (the page's own text, which the spool writes
    compact, as DuckDB re-serialises it); numbers inside them written in exponent form are
    the one case whose text, so hash, differs between the engines.
    """
    prefix = f"{alias}." if alias else ""
    fields = []
    for column, kind in spec.columns.items():
        value = "'null'"
        if column in present:
            value = f"coalesce({_json_text(prefix + quote_identifier(column), kind)}, 'null')"
        fields.append(f"'{'{' if not fields else ','}\"{column}\":' || {value}")
    return f"md5({' || '.join(fields)} || '}}')"


def _json_text(value: str, kind: str) -> str:
    """SQL of ``value``'s JSON text as DuckDB's ``to_json`` writes a ``kind`` value."""
    if kind in {"VARCHAR", "DATE"}:
        return f"to_json({value})::text"
    if kind == "DOUBLE":  # DuckDB writes doubles positionally, integral ones with ".0"
        digits = f"{value}::text::numeric::text"
        return f"case when {digits} like '%.%' then {digits} else {digits} || '.0' end"
    if kind == "JSON" or kind in {"BIGINT", "INTEGER", "BOOLEAN"} or _DECIMAL.match(kind):
        return f"{value}::text"
    raise ValueError(f"no JSON text for the DuckDB type {kind!r}")


def _judge_deletions(
    con: Connection, spec: StreamSpec, units: Sequence[Unit], policy: LoadPolicy
) -> None:
    """``_land_verdicts``: as :func:`connectors.common.land._judge_deletions`."""
    confirmed = policy.confirmed_accounts(spec, units)
    con.execute(
        f"create temp table _land_verdicts on commit drop as "
        f"select u.account_id, coalesce(k.n, 0) as live_keys, coalesce(v.n, 0) as vanished, "
        f"coalesce(v.n, 0) > 0 and (u.row_count = 0 or v.n > ?::float8 * k.n) "
        f"and not u.account_id = any(?::varchar[]) as suspect "
        f"from {_T}_land_units as u "
        f"left join (select u.account_id, count(*) as n from {_T}_land_latest as l "
        f"join {_T}_land_units as u on l.{quote_identifier(spec.account_column)} = u.account_id "
        f"where not l._is_deleted and {in_window_sql(spec)} group by u.account_id) as k "
        f"on k.account_id = u.account_id "
        f"left join (select u.account_id, count(*) as n {_vanished_from(spec)} "
        f"group by u.account_id) as v on v.account_id = u.account_id",
        [policy.max_vanished_share, confirmed],
    )


def _insert_tombstones_sql(spec: StreamSpec) -> str:
    """Insert a tombstone for each vanished key of a credible pull."""
    keys = [quote_identifier(k) for k in spec.key]
    return (
        f"insert into {table_name(spec)} ({', '.join(keys)}, _sync_id, _pulled_at, _source, "
        f"_row_hash, _is_deleted) "
        f"select {', '.join(f'l.{k}' for k in keys)}, u.run_id, u.pulled_at, "
        f"{sql_literal(spec.source_label)}, {row_hash_sql(spec, spec.key, alias='l')}, true "
        f"{_vanished_from(spec)} and u.account_id in "
        f"(select account_id from {_T}_land_verdicts where not suspect)"
    )


def _vanished_from(spec: StreamSpec) -> str:
    """The ``from`` clause of the live latest keys (``l``) a unit's (``u``) pull no longer
    returned (quarantined rows count as returned)."""
    account = quote_identifier(spec.account_column)
    return (
        f"from {_T}_land_latest as l join {_T}_land_units as u on l.{account} = u.account_id "
        f"where not l._is_deleted and {in_window_sql(spec)} and not exists "
        f"(select from {_T}_land_stage as s where {_key_equal(spec)})"
    )


def _versions_from(spec: StreamSpec) -> str:
    """The ``from`` clause of the staged rows (``s``) whose hash differs from their key's
    live version, with their unit (``u``)."""
    return (
        f"from {_T}_land_stage as s join {_T}_land_units as u "
        f"on s.{quote_identifier(spec.account_column)} = u.account_id "
        f"where s.{REJECT_REASON_COLUMN} is null and not exists "
        f"(select from {_T}_land_latest as l where {_key_equal(spec)} "
        f"and not l._is_deleted and l._row_hash = s._row_hash)"
    )


def _quarantined_from() -> str:
    return (
        f"from {_T}_land_stage as s join {_T}_land_units as u "
        f"on s._unit_account = u.account_id where s.{REJECT_REASON_COLUMN} is not null"
    )


def _key_equal(spec: StreamSpec) -> str:
    """Staged row ``s`` and latest version ``l`` share account and key.

    ``=`` where DuckDB's loader says ``is not distinct from``: PostgreSQL hash-joins only
    on ``=``, and the two agree here, since a raw row never has a null key (the contract
    quarantines it) and a staged row with one is quarantined.
    """
    columns = dict.fromkeys([spec.account_column, *spec.key])
    return " and ".join(f"s.{quote_identifier(k)} = l.{quote_identifier(k)}" for k in columns)


def _record_loads(con: Connection, spec: StreamSpec) -> dict[str, UnitCounts]:
    """Add each unit's ``raw._loads`` row; returns its counts per account (as in land.py:
    the inserts' row sources counted again, unchanged in between)."""
    rows = con.execute(
        f"insert into {RAW_SCHEMA}._loads (run_id, source, stream, account_id, window_start, "
        f"window_end, pulled_at, loaded_at, rows_seen, rows_inserted, tombstones_inserted, "
        f"rows_quarantined, live_keys_in_window, tombstones_withheld) "
        f"select u.run_id, ?, ?, u.account_id, "
        f"u.window_start, u.window_end, u.pulled_at, now(), u.row_count, "
        f"coalesce(v.n, 0), case when d.suspect then 0 else d.vanished end, coalesce(q.n, 0), "
        f"d.live_keys, case when d.suspect then d.vanished else 0 end "
        f"from {_T}_land_units as u join {_T}_land_verdicts as d on d.account_id = u.account_id "
        f"left join (select u.account_id, count(*) as n {_versions_from(spec)} "
        f"group by u.account_id) as v on v.account_id = u.account_id "
        f"left join (select u.account_id, count(*) as n {_quarantined_from()} "
        f"group by u.account_id) as q on q.account_id = u.account_id "
        f"returning account_id, rows_seen, rows_inserted, tombstones_inserted, rows_quarantined, "
        f"live_keys_in_window, tombstones_withheld",
        [spec.source, spec.name],
    ).fetchall()
    return {account: UnitCounts(*counts) for account, *counts in rows}
