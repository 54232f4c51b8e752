"""Loading a run's spool folder into the versioned raw tables (docs/architecture.md).

Per stream, all of the run's accounts together, in one transaction: read the page files with
DuckDB's JSON reader (typed columns, no per-row Python), hash the payload in SQL, insert rows
whose hash differs from the latest stored version of their key, tombstone keys that vanished
from the account's pulled window, and record each (stream, account) unit in ``raw._loads``.
Loaded units' manifests are renamed so a re-run skips them. The work is set-based per stream,
so a run's cost is a handful of statements per stream, not per account, and no statement
returns a row per loaded row: counts per account are computed in SQL.

The PostgreSQL loader (``connectors.common.land_postgres``) runs this module's staging and
merge (:func:`stage_units`, :func:`merge_staged`) in an in-memory DuckDB and shares the rest:
the dataclasses and messages, manifest iteration, the reports, the DDL and the schema-drift
record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from connectors.common.contract import quote_identifier, rejection_rules, sql_literal
from connectors.common.spool import (
    LOADED_MANIFEST_NAME,
    MANIFEST_NAME,
    STATUS_COMPLETE,
    Manifest,
    read_manifest,
)
from connectors.common.streams import StreamSpec, get_stream

log = logging.getLogger(__name__)

RAW_SCHEMA = "raw"
METADATA_COLUMNS: dict[str, str] = {
    "_sync_id": "VARCHAR",
    "_pulled_at": "TIMESTAMPTZ",
    "_source": "VARCHAR",
    "_row_hash": "VARCHAR",
    "_is_deleted": "BOOLEAN",
}
_LOADS_DDL = f"""
create table if not exists {RAW_SCHEMA}._loads (
    run_id varchar not null,
    source varchar not null,
    stream varchar not null,
    account_id varchar not null,
    window_start date not null,
    window_end date not null,
    pulled_at timestamptz not null,
    loaded_at timestamptz not null,
    rows_seen bigint not null,
    rows_inserted bigint not null,
    tombstones_inserted bigint not null,
    rows_quarantined bigint not null default 0,
    live_keys_in_window bigint not null default 0,
    tombstones_withheld bigint not null default 0
)"""
# Columns added to ``raw._loads`` after its first release: warehouses created before get them.
_LOADS_ADDED_COLUMNS = ("rows_quarantined", "live_keys_in_window", "tombstones_withheld")
QUARANTINE_SCHEMA = "quarantine"
REJECT_REASON_COLUMN = "_reject_reason"
_SCHEMA_DRIFT_DDL = f"""
create table if not exists {RAW_SCHEMA}._schema_drift (
    source varchar not null,
    stream varchar not null,
    field varchar not null,
    first_seen_run_id varchar not null,
    first_seen_at timestamptz not null,
    last_seen_run_id varchar not null,
    last_seen_at timestamptz not null
)"""
# Scheduled ingest runs of a source that had no accounts (nothing pulled, nothing loaded).
_SKIPPED_RUNS_DDL = f"""
create table if not exists {RAW_SCHEMA}._skipped_runs (
    source varchar not null,
    run_id varchar not null,
    skipped_at timestamptz not null,
    reason varchar not null
)"""


@dataclass(frozen=True)
class LoadPolicy:
    """When a pull is credible enough to delete what it no longer returns.

    A pull that returns nothing for a window (or an account's snapshot) that held live keys,
    or that no longer returns more than ``max_vanished_share`` of them, is *suspect*: an empty
    or short answer is far more often a platform hiccup than a mass deletion. Its rows still
    load, but none of its tombstones are written; ``raw._loads`` records them as withheld and
    the raw gate blocks until a re-pull returns the rows, or an operator confirms the deletion.

    Attributes:
        max_vanished_share: Largest share of the live keys one pull may tombstone.
        confirmed: ``source/stream/account`` patterns (``fnmatch``, e.g. ``meta/*/123``) whose
            suspect pulls are trusted: their tombstones are written.
    """

    max_vanished_share: float = 0.5
    confirmed: tuple[str, ...] = ()

    def confirms(self, source: str, stream: str, account: str) -> bool:
        """Whether an operator confirmed deletions for this unit."""
        unit = f"{source}/{stream}/{account}"
        return any(fnmatchcase(unit, pattern) for pattern in self.confirmed)

    def confirmed_accounts(self, spec: StreamSpec, units: Sequence[Unit]) -> list[str]:
        """The accounts among ``units`` whose deletions an operator confirmed."""
        return [
            manifest.account_id
            for manifest, _ in units
            if self.confirms(spec.source, spec.name, manifest.account_id)
        ]


@dataclass(frozen=True)
class LoadReport:
    """Outcome of loading one (stream, account) unit."""

    run_id: str
    source: str
    stream: str
    account_id: str
    table: str
    window_start: date
    window_end: date
    rows_seen: int
    rows_inserted: int
    tombstones_inserted: int
    rows_quarantined: int = 0
    live_keys_in_window: int = 0
    tombstones_withheld: int = 0

    @property
    def deletion_suspect(self) -> bool:
        """Whether tombstones were withheld because the pull was not credible (LoadPolicy)."""
        return self.tombstones_withheld > 0


#: One (stream, account) pull: its manifest and the folder holding its page files.
Unit = tuple[Manifest, Path]


class UnitCounts(NamedTuple):
    """One unit's rows as recorded in ``raw._loads``."""

    seen: int
    inserted: int
    tombstones: int
    quarantined: int
    live_keys: int
    withheld: int


def load_spool(
    con: duckdb.DuckDBPyConnection,
    run_dir: Path,
    run_id: str,
    policy: LoadPolicy = LoadPolicy(),
    sources: Collection[str] | None = None,
) -> list[LoadReport]:
    """Load every complete unit under a run's spool folder into its raw table.

    Units without ``manifest.json`` (unfinished extracts) are ignored; units already loaded
    (manifest renamed) are skipped, so calling this twice is cheap and inserts nothing new.
    The units of one stream are merged in one transaction (:func:`load_units`).

    Args:
        con: Open read-write connection to the warehouse.
        run_dir: ``<spool_dir>/<run_id>``.
        run_id: The run; stored as ``_sync_id``. Must match the manifests.
        policy: When a pull may delete what it no longer returns.
        sources: Only these sources' units (``<run_dir>/<source>/``); None: every unit.

    Returns:
        One report per unit loaded now, in path order.

    Raises:
        ValueError: A manifest is inconsistent with ``run_id`` or with its page files.
        KeyError: A manifest names a stream no connector declares.
    """
    reports = []
    for spec, units in pending_units(run_dir, run_id, sources):
        loaded = load_units(con, spec, units, policy)
        settle_units(units, loaded)
        reports += loaded
    return reports


def pending_units(
    run_dir: Path, run_id: str, sources: Collection[str] | None = None
) -> list[tuple[StreamSpec, list[Unit]]]:
    """The complete, not yet loaded units under a run's spool folder (of ``sources`` only,
    if given), grouped by stream.

    Raises:
        ValueError: A manifest belongs to another run.
        KeyError: A manifest names a stream no connector declares.
    """
    pending = []
    folders = sorted(sources) if sources is not None else ["*"]
    manifests = (p for f in folders for p in Path(run_dir).glob(f"{f}/*/*/{MANIFEST_NAME}"))
    for manifest_path in sorted(manifests):
        manifest = read_manifest(manifest_path)
        if manifest.run_id != run_id:
            raise ValueError(f"{manifest_path} belongs to run {manifest.run_id}, not {run_id}")
        if manifest.status != STATUS_COMPLETE:
            log.warning("skipping %s: status %s", manifest_path, manifest.status)
            continue
        pending.append((manifest, manifest_path.parent))
    return [
        (get_stream(source, stream), list(group))
        for (source, stream), group in groupby(pending, key=lambda u: (u[0].source, u[0].stream))
    ]


def settle_units(units: Sequence[Unit], reports: Sequence[LoadReport]) -> None:
    """After their transaction committed: mark the units loaded and log what each wrote."""
    for (manifest, unit_dir), report in zip(units, reports, strict=True):
        _mark_loaded(unit_dir, manifest)
        _log_report(report)


def _log_report(report: LoadReport) -> None:
    log.info(
        "loaded %s account %s: %d rows seen, %d inserted, %d tombstones",
        report.table,
        report.account_id,
        report.rows_seen,
        report.rows_inserted,
        report.tombstones_inserted,
    )
    unit = f"{report.source}/{report.stream} account {report.account_id}"
    if report.rows_quarantined:
        log.error(
            "%s: %d rows break the raw contract and were quarantined in %s.%s, not loaded "
            "(the raw gate blocks until a clean pull of the account)",
            unit,
            report.rows_quarantined,
            QUARANTINE_SCHEMA,
            report.table.split(".", 1)[1],
        )
    if report.deletion_suspect:
        window = (report.window_start, report.window_end)
        log.error(
            "%s",
            suspect_pull_message(
                report.source,
                report.stream,
                report.account_id,
                window,
                report.rows_seen,
                report.live_keys_in_window,
                report.tombstones_withheld,
            ),
        )


def suspect_pull_message(
    source: str,
    stream: str,
    account_id: str,
    window: tuple[date, date],
    rows_seen: int,
    live_keys: int,
    withheld: int,
) -> str:
    """What a suspect pull is and what to do about it (the log and the raw gate say this)."""
    return (
        f"{source}/{stream} account {account_id}: the pull of {window[0]}..{window[1]} "
        f"returned {rows_seen} rows where {live_keys} keys were live; {withheld} deletions "
        "withheld. Re-run the window when the platform answers in full, or confirm with "
        f"LOAD_CONFIRM_DELETIONS={source}/{stream}/{account_id}"
    )


def load_unit(
    con: duckdb.DuckDBPyConnection,
    spec: StreamSpec,
    manifest: Manifest,
    unit_dir: Path,
    policy: LoadPolicy = LoadPolicy(),
) -> LoadReport:
    """Merge one unit's page files into ``raw.<spec.raw_table>`` in a single transaction."""
    [report] = load_units(con, spec, [(manifest, unit_dir)], policy)
    return report


def load_units(
    con: duckdb.DuckDBPyConnection,
    spec: StreamSpec,
    units: Sequence[Unit],
    policy: LoadPolicy = LoadPolicy(),
) -> list[LoadReport]:
    """Merge units of one stream (one per account) into its raw table in one transaction.

    Rows that break the raw contract (``connectors.common.contract``) go to
    ``quarantine.<table>`` with their reason instead; their keys still count as returned. A
    suspect pull (see :class:`LoadPolicy`) writes no tombstones. Response fields the spec does
    not declare are recorded in ``raw._schema_drift``.

    Args:
        con: Open read-write connection to the warehouse.
        spec: The stream every unit belongs to.
        units: ``(manifest, unit folder)`` pairs, at most one per account.
        policy: When a pull may delete what it no longer returns.

    Returns:
        One report per unit, in the order given.

    Raises:
        ValueError: Two units name the same account, or a unit's page files disagree with
            its manifest (row count, account). Nothing of the stream is loaded then.
    """
    check_one_unit_per_account(spec, units)
    if not units:
        return []
    con.begin()
    try:
        ensure_raw_table(con, spec)
        stage_units(con, spec, units)
        _snapshot_latest(con, spec)
        counts = merge_staged(con, spec, units, policy)
        record_schema_drift(con, spec, units)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        for name in _TEMP_TABLES:
            con.execute(f"drop table if exists temp.{name}")
    return unit_reports(spec, units, counts)


def stage_units(con: duckdb.DuckDBPyConnection, spec: StreamSpec, units: Sequence[Unit]) -> None:
    """``temp._land_units`` and ``temp._land_stage``: the units, and their pages' rows typed,
    hashed and judged against the raw contract, checked against the manifests, a key repeated
    within a pull kept once.

    Raises:
        ValueError: A unit's page files disagree with its manifest (row count, account).
    """
    _create_units(con, units)
    _stage(con, spec, units)


def merge_staged(
    con: duckdb.DuckDBPyConnection, spec: StreamSpec, units: Sequence[Unit], policy: LoadPolicy
) -> dict[str, UnitCounts]:
    """Write the staged units (:func:`stage_units`) against the latest versions in
    ``temp._land_latest``: tombstones, new versions and quarantined rows into the stream's
    tables, each unit's ``raw._loads`` row; returns the units' counts per account."""
    _judge_deletions(con, spec, units, policy)
    con.execute(_insert_tombstones_sql(spec))
    con.execute(_insert_versions_sql(spec))
    con.execute(_insert_quarantine_sql(spec))
    return _record_loads(con, spec)


def check_one_unit_per_account(spec: StreamSpec, units: Sequence[Unit]) -> None:
    """Refuse a batch in which an account appears twice (its two pulls would race)."""
    accounts = [manifest.account_id for manifest, _ in units]
    if len(set(accounts)) != len(accounts):
        raise ValueError(f"{spec.source}/{spec.name}: an account appears in two units")


def unit_reports(
    spec: StreamSpec, units: Sequence[Unit], counts: Mapping[str, UnitCounts]
) -> list[LoadReport]:
    """One report per unit, in the order given, from its ``raw._loads`` counts."""
    return [
        LoadReport(
            run_id=manifest.run_id,
            source=manifest.source,
            stream=manifest.stream,
            account_id=manifest.account_id,
            table=f"{RAW_SCHEMA}.{spec.raw_table}",
            window_start=manifest.window_start,
            window_end=manifest.window_end,
            rows_seen=counts[manifest.account_id].seen,
            rows_inserted=counts[manifest.account_id].inserted,
            tombstones_inserted=counts[manifest.account_id].tombstones,
            rows_quarantined=counts[manifest.account_id].quarantined,
            live_keys_in_window=counts[manifest.account_id].live_keys,
            tombstones_withheld=counts[manifest.account_id].withheld,
        )
        for manifest, _ in units
    ]


_TEMP_TABLES = ("_land_units", "_land_stage", "_land_latest", "_land_verdicts")


def ensure_raw_table(con: duckdb.DuckDBPyConnection, spec: StreamSpec) -> None:
    """Create schema ``raw``, ``raw._loads`` and the stream's table; add newly declared columns."""
    ensure_load_tables(con)
    ensure_stream_tables(con, spec)


def ensure_load_tables(con: Any) -> None:
    """Create schemas ``raw`` and ``quarantine`` and the loader's own tables (``raw._loads``,
    ``raw._schema_drift``, ``raw._skipped_runs``); add ``raw._loads`` columns added since.

    Engine-neutral (a DuckDB or :class:`socialmart.pg_warehouse.Connection`): the DDL is plain
    SQL both engines run, and a column is only altered in when missing (on PostgreSQL an
    ``alter table`` locks the table even when it changes nothing).
    """
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(_LOADS_DDL)
    existing = _columns(con, f"{RAW_SCHEMA}._loads")
    for name in _LOADS_ADDED_COLUMNS:
        if name not in existing:
            con.execute(f"alter table {RAW_SCHEMA}._loads add column {name} bigint default 0")
    con.execute(_SCHEMA_DRIFT_DDL)
    con.execute(_SKIPPED_RUNS_DDL)
    con.execute(f"create schema if not exists {QUARANTINE_SCHEMA}")


def ensure_stream_tables(
    con: Any, spec: StreamSpec, column_type: Callable[[str], str] = str
) -> None:
    """Create the stream's raw and quarantine tables; add payload columns declared since.

    Args:
        con: A DuckDB or :class:`socialmart.pg_warehouse.Connection`.
        spec: The stream.
        column_type: The engine's type for a DuckDB type of the specs (DuckDB: itself).
    """
    columns = {**spec.columns, **METADATA_COLUMNS}
    typed = {name: column_type(kind) for name, kind in columns.items()}
    payload = {name: typed[name] for name in spec.columns}
    _ensure_table(con, table_name(spec), typed, payload)
    reason = {REJECT_REASON_COLUMN: column_type("VARCHAR")}
    _ensure_table(con, table_name(spec, QUARANTINE_SCHEMA), {**typed, **reason}, payload)


def record_skipped_run(
    con: duckdb.DuckDBPyConnection, source: str, run_id: str, reason: str
) -> None:
    """Record that ``source``'s run ``run_id`` had no accounts (after :func:`ensure_raw_table`)."""
    con.execute(
        f"insert into {RAW_SCHEMA}._skipped_runs values (?, ?, now(), ?)",
        [source, run_id, reason],
    )


def _ensure_table(
    con: Any,
    table: str,
    columns: dict[str, str],
    payload: Mapping[str, str],
) -> None:
    """Create ``table`` with ``columns``; add payload columns declared since it was created."""
    body = ",\n    ".join(f"{quote_identifier(name)} {kind}" for name, kind in columns.items())
    con.execute(f"create table if not exists {table} (\n    {body}\n)")
    existing = _columns(con, table)
    for name, kind in payload.items():
        if name not in existing:
            con.execute(f"alter table {table} add column {quote_identifier(name)} {kind}")


def _columns(con: Any, table: str) -> set[str]:
    """The names of ``table``'s columns."""
    # A query's description lists the table's columns; information_schema costs ~25x more.
    return {column[0] for column in con.execute(f"select * from {table} limit 0").description}


def _create_units(con: duckdb.DuckDBPyConnection, units: Sequence[Unit]) -> None:
    """``temp._land_units``: each unit's account, run, pull time, window and row count."""
    manifests = [manifest for manifest, _ in units]
    con.execute(
        "create temp table _land_units as select unnest($accounts)::varchar as account_id, "
        "unnest($runs)::varchar as run_id, unnest($pulled)::timestamptz as pulled_at, "
        "unnest($starts)::date as window_start, unnest($ends)::date as window_end, "
        "unnest($rows)::bigint as row_count",
        {
            "accounts": [m.account_id for m in manifests],
            "runs": [m.run_id for m in manifests],
            "pulled": [m.pulled_at.isoformat() for m in manifests],
            "starts": [m.window_start for m in manifests],
            "ends": [m.window_end for m in manifests],
            "rows": [m.row_count for m in manifests],
        },
    )


def _stage(con: duckdb.DuckDBPyConnection, spec: StreamSpec, units: Sequence[Unit]) -> None:
    """Read every unit's page files into ``temp._land_stage``, checked against the manifests."""
    payload = ", ".join(quote_identifier(c) for c in spec.columns)
    pages = [(manifest, unit_dir / name) for manifest, unit_dir in units for name in manifest.files]
    if pages:
        types = ", ".join(f"{sql_literal(c)}: {sql_literal(t)}" for c, t in spec.columns.items())
        source = (
            f"select {payload}, r.filename as _file, f._unit_account, f._unit_window_start, "
            f"f._unit_window_end from read_json($files, format = 'array', columns = {{{types}}}, "
            f"filename = true) as r join (select unnest($files) as _file, unnest($owners) as "
            f"_unit_account, unnest($starts)::date as _unit_window_start, unnest($ends)::date "
            f"as _unit_window_end) as f on r.filename = f._file"
        )
        params: dict[str, Any] = {
            "files": [str(path) for _, path in pages],
            "owners": [manifest.account_id for manifest, _ in pages],
            "starts": [manifest.window_start for manifest, _ in pages],
            "ends": [manifest.window_end for manifest, _ in pages],
        }
    else:
        typed_nulls = ", ".join(
            f"null::{t} as {quote_identifier(c)}" for c, t in spec.columns.items()
        )
        source = (
            f"select {typed_nulls}, null::varchar as _file, null::varchar as _unit_account, "
            "null::date as _unit_window_start, null::date as _unit_window_end where false"
        )
        params = {}
    con.execute(
        f"create temp table _land_stage as select *, "
        f"{row_hash_sql(spec, spec.columns)} as _row_hash, "
        f"{_reject_reason_sql(spec)} as {REJECT_REASON_COLUMN} from ({source})",
        params,
    )
    if _check_stage(con, spec, units):
        _drop_repeated_keys(con, spec)


def _reject_reason_sql(spec: StreamSpec) -> str:
    """Why a staged row breaks the raw contract (``; ``-separated), or null when it does not."""
    rules = rejection_rules(spec, ("_unit_window_start", "_unit_window_end"))
    if not rules:
        return "null::varchar"
    reasons = ", ".join(
        f"case when {predicate} then {sql_literal(reason)} end" for reason, predicate in rules
    )
    return f"nullif(concat_ws('; ', {reasons}), '')"


def _check_stage(con: duckdb.DuckDBPyConnection, spec: StreamSpec, units: Sequence[Unit]) -> bool:
    """Check each unit's staged rows against its manifest (row count, account); returns
    whether some key may be repeated within a unit's pull.

    One scan does it all: a repeat is looked for by counting distinct hashes of the key, so
    a hash collision can only ask for an unneeded (and exact) de-duplication, never miss one.
    """
    counts = con.execute(
        f"select _unit_account, count(*), count(*) filter (where "
        f"{quote_identifier(spec.account_column)} is distinct from _unit_account), "
        f"count(distinct hash({keys_sql(spec)})) from temp._land_stage group by _unit_account"
    ).fetchall()
    return _check_unit_counts(units, counts)


def _check_unit_counts(units: Sequence[Unit], counts: Sequence[tuple[str, int, int, int]]) -> bool:
    """Check each unit's staged rows against its manifest; returns whether a key may repeat.

    Args:
        units: The units staged.
        counts: Per staged account: rows, rows naming another account, distinct keys (or
            distinct hashes of them).

    Raises:
        ValueError: A unit's pages hold another row count than its manifest, or rows of
            another account.
    """
    by_account = {
        account: (int(rows), int(foreign), int(keys)) for account, rows, foreign, keys in counts
    }
    for manifest, _ in units:
        rows, foreign, _ = by_account.get(manifest.account_id, (0, 0, 0))
        if rows != manifest.row_count:
            raise ValueError(
                f"{manifest.source}/{manifest.stream}/{manifest.account_id}: page files hold "
                f"{rows} rows, the manifest says {manifest.row_count}"
            )
        if foreign:
            raise ValueError(
                f"{manifest.source}/{manifest.stream}: {foreign} rows do not belong to account "
                f"{manifest.account_id} named in the manifest"
            )
    return any(keys < rows for rows, _, keys in by_account.values())


def _drop_repeated_keys(con: duckdb.DuckDBPyConnection, spec: StreamSpec) -> None:
    """A key repeated within one pull (unstable paging) keeps one row: the one on the last
    page. The unit's row count (``raw._loads.rows_seen``) still counts every copy."""
    order = f"partition by _unit_account, {keys_sql(spec)} order by _file desc, _row_hash"
    con.execute(
        f"create or replace temp table _land_stage as select * from temp._land_stage "
        f"qualify row_number() over ({order}) = 1"
    )


def _snapshot_latest(con: duckdb.DuckDBPyConnection, spec: StreamSpec) -> None:
    """Latest stored version of each key of the units' accounts (pruned to the dates seen)."""
    con.execute(
        f"create temp table _land_latest as "
        f"select {latest_columns_sql(spec)} from {table_name(spec)} as t "
        f"{latest_scope_sql(spec)} "
        f"qualify row_number() over (partition by {keys_sql(spec, 't.')} "
        f"order by t._pulled_at desc, t._sync_id desc) = 1"
    )


def latest_columns(spec: StreamSpec) -> list[str]:
    """What the latest-version snapshot keeps of a raw row: key, account, window day, hash
    and deletion flag."""
    window = [spec.window_column] if spec.window_column is not None else []
    return [*dict.fromkeys([*spec.key, spec.account_column, *window]), "_row_hash", "_is_deleted"]


def latest_columns_sql(spec: StreamSpec) -> str:
    """:func:`latest_columns` of a raw row ``t``."""
    return ", ".join(f"t.{quote_identifier(c)}" for c in latest_columns(spec))


def scope_bounds_sql(spec: StreamSpec) -> str | None:
    """Per unit account, the first and last day whose keys a load needs (``account_id, lo,
    hi``): the unit's window widened to its staged rows' days; None for a stream not keyed
    by day (a load needs every key of its accounts then)."""
    if spec.window_column is None or spec.window_column not in spec.key:
        return None
    account, day = quote_identifier(spec.account_column), quote_identifier(spec.window_column)
    return (
        f"select u.account_id, least(u.window_start, min(s.{day})) as lo, "
        f"greatest(u.window_end, max(s.{day})) as hi from temp._land_units as u "
        f"left join temp._land_stage as s on s.{account} = u.account_id "
        f"group by u.account_id, u.window_start, u.window_end"
    )


def latest_scope_sql(spec: StreamSpec) -> str:
    """The raw rows ``t`` whose latest version a load needs: the units' accounts, and for a
    stream keyed by day only the days of :func:`scope_bounds_sql`."""
    account = quote_identifier(spec.account_column)
    bounds = scope_bounds_sql(spec)
    if bounds is not None:
        day = quote_identifier(spec.window_column)
        return (
            f"join ({bounds}) as b on t.{account} = b.account_id and t.{day} between b.lo and b.hi"
        )
    return f"where t.{account} in (select account_id from temp._land_units)"


def _judge_deletions(
    con: duckdb.DuckDBPyConnection,
    spec: StreamSpec,
    units: Sequence[Unit],
    policy: LoadPolicy,
) -> None:
    """``temp._land_verdicts``: per unit, the live keys its scope held, how many of them the
    pull no longer returned, and whether that makes the pull suspect (:class:`LoadPolicy`)."""
    confirmed = policy.confirmed_accounts(spec, units)
    con.execute(
        f"create temp table _land_verdicts as "
        f"select u.account_id, coalesce(k.n, 0) as live_keys, coalesce(v.n, 0) as vanished, "
        f"coalesce(v.n, 0) > 0 and (u.row_count = 0 or v.n > $share * k.n) "
        f"and u.account_id not in (select unnest($confirmed::varchar[])) as suspect "
        f"from temp._land_units as u "
        f"left join (select u.account_id, count(*) as n from temp._land_latest as l "
        f"join temp._land_units as u on l.{quote_identifier(spec.account_column)} = u.account_id "
        f"where not l._is_deleted and {_in_window_sql(spec)} group by u.account_id) as k "
        f"on k.account_id = u.account_id "
        f"left join (select u.account_id, count(*) as n {_vanished_from(spec)} "
        f"group by u.account_id) as v on v.account_id = u.account_id",
        {"share": policy.max_vanished_share, "confirmed": confirmed},
    )


def _insert_tombstones_sql(spec: StreamSpec) -> str:
    """Insert a tombstone for each row of :func:`_tombstones_from`."""
    keys = [quote_identifier(k) for k in spec.key]
    key_only = {name: kind for name, kind in spec.columns.items() if name in spec.key}
    return (
        f"insert into {table_name(spec)} ({', '.join(keys)}, _sync_id, _pulled_at, _source, "
        f"_row_hash, _is_deleted) "
        f"select {', '.join(f'l.{k}' for k in keys)}, u.run_id, u.pulled_at, "
        f"{sql_literal(spec.source_label)}, {row_hash_sql(spec, key_only, alias='l')}, true "
        f"{_tombstones_from(spec)}"
    )


def _tombstones_from(spec: StreamSpec) -> str:
    """The ``from`` clause of the vanished keys (:func:`_vanished_from`) of credible pulls."""
    return (
        f"{_vanished_from(spec)} and u.account_id in "
        f"(select account_id from temp._land_verdicts where not suspect)"
    )


def _vanished_from(spec: StreamSpec) -> str:
    """The ``from`` clause (joins and filter) of the live latest keys (``l``) a unit's (``u``)
    pull no longer returned (quarantined rows count as returned: their key is not gone)."""
    account = quote_identifier(spec.account_column)
    return (
        f"from temp._land_latest as l join temp._land_units as u on l.{account} = u.account_id "
        f"anti join temp._land_stage as s on {key_match_sql(spec)} "
        f"where not l._is_deleted and {_in_window_sql(spec)}"
    )


def _in_window_sql(spec: StreamSpec) -> str:
    """A live key ``l`` inside unit ``u``'s scope: a snapshot pull covers every key of the
    account, a windowed pull only its days."""
    if spec.window_column is None:
        return "true"
    return f"l.{quote_identifier(spec.window_column)} between u.window_start and u.window_end"


def _insert_versions_sql(spec: StreamSpec) -> str:
    """Insert each row of :func:`_versions_from` as a new live version."""
    return _insert_staged_sql(spec, table_name(spec), _versions_from(spec))


def _insert_staged_sql(spec: StreamSpec, table: str, rows_from: str, *extra: str) -> str:
    """Insert staged rows (``s``, with their unit ``u``, chosen by the ``from`` clause
    ``rows_from``) into ``table`` with their load metadata, plus ``extra`` columns of ``s``."""
    payload = ", ".join(quote_identifier(c) for c in (*spec.columns, *extra))
    staged = ", ".join(f"s.{quote_identifier(c)}" for c in (*spec.columns, *extra))
    return (
        f"insert into {table} ({payload}, _sync_id, _pulled_at, _source, _row_hash, "
        f"_is_deleted) "
        f"select {staged}, u.run_id, u.pulled_at, {sql_literal(spec.source_label)}, "
        f"s._row_hash, false {rows_from}"
    )


def _versions_from(spec: StreamSpec) -> str:
    """The ``from`` clause (joins) of the staged rows (``s``) whose hash differs from their
    key's live version, with their unit (``u``)."""
    return (
        f"from temp._land_stage as s join temp._land_units as u "
        f"on s.{quote_identifier(spec.account_column)} = u.account_id "
        f"anti join temp._land_latest as l on {key_match_sql(spec)} "
        f"and not l._is_deleted and l._row_hash = s._row_hash "
        f"where s.{REJECT_REASON_COLUMN} is null"
    )


def _insert_quarantine_sql(spec: StreamSpec) -> str:
    """Keep each staged row that breaks the contract in ``quarantine.<table>``, with why."""
    table = table_name(spec, QUARANTINE_SCHEMA)
    return _insert_staged_sql(spec, table, _quarantined_from(spec), REJECT_REASON_COLUMN)


def _quarantined_from(spec: StreamSpec) -> str:
    return (
        f"from temp._land_stage as s join temp._land_units as u "
        f"on s._unit_account = u.account_id where s.{REJECT_REASON_COLUMN} is not null"
    )


def _record_loads(con: duckdb.DuckDBPyConnection, spec: StreamSpec) -> dict[str, UnitCounts]:
    """Add each unit's ``raw._loads`` row; returns its counts per account.

    Runs after both inserts and counts their row sources again (:func:`_versions_from`,
    :func:`_tombstones_from`) in SQL: the temp tables they read are unchanged in between, so
    the counts are exactly the rows inserted, and no statement hands Python a row per inserted
    row. Rows seen are the manifests' row counts, which :func:`_check_stage` proved equal to
    the pages'.
    """
    rows = con.execute(
        f"insert into {RAW_SCHEMA}._loads (run_id, source, stream, account_id, window_start, "
        f"window_end, pulled_at, loaded_at, rows_seen, rows_inserted, tombstones_inserted, "
        f"rows_quarantined, live_keys_in_window, tombstones_withheld) "
        f"select u.run_id, $source, $stream, u.account_id, "
        f"u.window_start, u.window_end, u.pulled_at, now(), u.row_count, "
        f"coalesce(v.n, 0), case when d.suspect then 0 else d.vanished end, coalesce(q.n, 0), "
        f"d.live_keys, case when d.suspect then d.vanished else 0 end "
        f"from temp._land_units as u join temp._land_verdicts as d on d.account_id = u.account_id "
        f"left join (select u.account_id, count(*) as n {_versions_from(spec)} "
        f"group by u.account_id) as v on v.account_id = u.account_id "
        f"left join (select u.account_id, count(*) as n {_quarantined_from(spec)} "
        f"group by u.account_id) as q on q.account_id = u.account_id "
        f"returning account_id, rows_seen, rows_inserted, tombstones_inserted, rows_quarantined, "
        f"live_keys_in_window, tombstones_withheld",
        {"source": spec.source, "stream": spec.name},
    ).fetchall()
    return {account: UnitCounts(*counts) for account, *counts in rows}


def record_schema_drift(con: Any, spec: StreamSpec, units: Sequence[Unit]) -> None:
    """Record response fields the spec neither declares nor knowingly leaves out.

    One row per (stream, field) in ``raw._schema_drift``: when and in which run it was first
    and last seen. The raw gate warns about fields seen by the latest loads and the data-health
    page lists them, so an API change is noticed before anyone needs the new field.
    Engine-neutral (a DuckDB or :class:`socialmart.pg_warehouse.Connection`).
    """
    known = {*spec.columns, *spec.undeclared_fields}
    unknown = sorted({name for manifest, _ in units for name in manifest.fields} - known)
    if not unknown:
        return
    latest = max((manifest for manifest, _ in units), key=lambda manifest: manifest.pulled_at)
    log.warning(
        "%s/%s: the API returned fields the stream does not declare: %s (recorded in "
        "%s._schema_drift; declare them in connectors/%s/streams.py to keep them)",
        spec.source,
        spec.name,
        ", ".join(unknown),
        RAW_SCHEMA,
        spec.source,
    )
    run_id, seen_at = latest.run_id, latest.pulled_at.isoformat()
    stream = [spec.source, spec.name]
    con.execute(
        f"update {RAW_SCHEMA}._schema_drift set last_seen_run_id = ?, "
        f"last_seen_at = ?::timestamptz where source = ? and stream = ? "
        f"and field in (select unnest(?::varchar[]))",
        [run_id, seen_at, *stream, unknown],
    )
    con.execute(
        f"insert into {RAW_SCHEMA}._schema_drift select ?::varchar, ?::varchar, f.field, "
        f"?::varchar, ?::timestamptz, ?::varchar, ?::timestamptz "
        f"from (select unnest(?::varchar[]) as field) as f where not exists (select 1 from "
        f"{RAW_SCHEMA}._schema_drift as d where d.source = ? and d.stream = ? "
        f"and d.field = f.field)",
        [*stream, run_id, seen_at, run_id, seen_at, unknown, *stream],
    )


def row_hash_sql(spec: StreamSpec, present: Collection[str], alias: str = "") -> str:
    """md5 of the canonical JSON of all payload columns; columns not in ``present`` are null."""
    prefix = f"{alias}." if alias else ""
    fields = ", ".join(
        f"{quote_identifier(c)} := {prefix + quote_identifier(c) if c in present else 'null'}"
        for c in spec.columns
    )
    return f"md5(to_json(struct_pack({fields})))"


def keys_sql(spec: StreamSpec, prefix: str = "") -> str:
    """The key columns plus the account column: a key's history is per account."""
    return ", ".join(
        prefix + quote_identifier(c) for c in dict.fromkeys([spec.account_column, *spec.key])
    )


def key_match_sql(spec: StreamSpec) -> str:
    columns = dict.fromkeys([spec.account_column, *spec.key])
    return " and ".join(
        f"s.{quote_identifier(k)} is not distinct from l.{quote_identifier(k)}" for k in columns
    )


def _mark_loaded(unit_dir: Path, manifest: Manifest) -> None:
    """Drop a loaded unit's pages and rename its manifest; a re-run then skips the unit."""
    for name in manifest.files:
        (unit_dir / name).unlink(missing_ok=True)
    (unit_dir / MANIFEST_NAME).replace(unit_dir / LOADED_MANIFEST_NAME)


def table_name(spec: StreamSpec, schema: str = RAW_SCHEMA) -> str:
    return f"{schema}.{quote_identifier(spec.raw_table)}"
