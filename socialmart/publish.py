"""Publish validated marts (write-audit-publish) and refresh the published health file.

Readers never open the warehouse. Each publication builds a complete new DuckDB file
next to the published one and renames it over the old one (``os.replace``): readers
holding the old file keep a consistent snapshot, new readers see the new file, and
nobody waits on a lock. Nothing reaches the published file unless the gate passed on
the marts as they are now.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from socialmart import warehouse
from socialmart.settings import Settings

log = logging.getLogger(__name__)

MARTS_SCHEMA = "marts"
PUBLICATION_TABLE = "_publication"
# Audit tables copied into the health file (same names, schema main).
HEALTH_TABLES = ("gate_runs", "gate_results", "publish_log", "dbt_builds")
# Copied too once their writer (the gate) has created them.
OPTIONAL_HEALTH_TABLES = ("gate_validations",)
# Per source and stream: how recent the latest load of each account is (from raw._loads).
SOURCE_FRESHNESS_TABLE = "source_freshness"
_SOURCE_FRESHNESS_SQL = """
select
    source,
    stream,
    count(*) as accounts,
    min(loaded_at) as oldest_account_loaded_at,
    max(loaded_at) as last_loaded_at,
    max(pulled_at) as last_pulled_at,
    max(window_end) as latest_window_end,
    sum(rows_seen) as last_rows_seen,
    sum(rows_inserted) as last_rows_inserted,
    sum(rows_quarantined) as last_rows_quarantined,
    sum(tombstones_withheld) as last_tombstones_withheld
from (
    select * from raw._loads
    qualify row_number() over (
        partition by source, stream, account_id order by loaded_at desc
    ) = 1
)
group by source, stream
"""
_SOURCE_FRESHNESS_DDL = """(
    source varchar, stream varchar, accounts bigint, oldest_account_loaded_at timestamptz,
    last_loaded_at timestamptz, last_pulled_at timestamptz, latest_window_end date,
    last_rows_seen hugeint, last_rows_inserted hugeint, last_rows_quarantined hugeint,
    last_tombstones_withheld hugeint
)"""
# Response fields no stream declares: a copy of raw._schema_drift (the loader writes it), absent
# before the first load; the data-health page reads an absent table as "none seen".
SCHEMA_DRIFT_TABLE = "schema_drift"

# Sources whose latest ingest run was skipped for want of accounts (no load since).
SKIPPED_SOURCES_TABLE = "skipped_sources"
_SKIPPED_SOURCES_SQL = """
select
    skips.source,
    count(*) as skipped_runs,
    max(skips.skipped_at) as last_skipped_at,
    arg_max(skips.reason, skips.skipped_at) as reason,
    loads.last_loaded_at
from raw._skipped_runs as skips
left join (
    select source, max(loaded_at) as last_loaded_at from raw._loads group by source
) as loads on loads.source = skips.source
where loads.last_loaded_at is null or skips.skipped_at > loads.last_loaded_at
group by skips.source, loads.last_loaded_at
"""

# The configured Meta API versions and how long each has left (connectors/meta/versions.py).
API_VERSIONS_TABLE = "api_versions"
_API_VERSIONS_DDL = """(
    api varchar, setting varchar, version varchar, checked_on date, released date,
    expires date, days_left integer, status varchar, recommended varchar, message varchar,
    source varchar
)"""

_ATTACH_ALIAS = "socialmart_target"


class PublishRefused(RuntimeError):
    """Publishing is not allowed: no passing gate for the marts as they are now."""


@dataclass(frozen=True)
class PublishResult:
    """What one publication wrote."""

    run_id: str
    published_at: datetime
    path: Path
    row_counts: dict[str, int]


def publish(settings: Settings, run_id: str) -> PublishResult:
    """Copy every table of schema ``marts`` into a new file and swap it in atomically.

    The published file holds the mart tables in its default schema ``main`` plus
    ``_publication`` (run_id, published_at, table_name, row_count; one row per table).

    Args:
        settings: Warehouse and published file locations.
        run_id: The run whose gate must have passed.

    Returns:
        The publication's run id, time, path and row count per table.

    Raises:
        PublishRefused: No passing gate run for ``run_id`` newer than the latest dbt
            build, or no mart tables; the published file is left untouched.
    """
    with warehouse.connect(settings) as con:
        _require_passing_gate(con, run_id)
        tables = _mart_tables(con)
        if not tables:
            raise PublishRefused(f"schema {MARTS_SCHEMA} has no tables to publish")
        published_at = datetime.now(UTC)
        row_counts: dict[str, int] = {}

        def fill(target: str) -> None:
            for table in tables:
                con.execute(
                    f"create table {target}.main.{_ident(table)} as "
                    f"select * from {MARTS_SCHEMA}.{_ident(table)}"
                )
                (row_counts[table],) = con.execute(
                    f"select count(*) from {target}.main.{_ident(table)}"
                ).fetchone()
            _copy_comments(con, target, tables)
            con.execute(
                f"create table {target}.main.{PUBLICATION_TABLE} ("
                "run_id varchar, published_at timestamptz, table_name varchar, row_count bigint)"
            )
            con.executemany(
                f"insert into {target}.main.{PUBLICATION_TABLE} values (?, ?, ?, ?)",
                [[run_id, published_at, table, count] for table, count in row_counts.items()],
            )

        write_atomically(con, settings.published_marts_path, fill)
        con.execute(
            "insert into audit.publish_log values (?, ?, ?, ?, ?)",
            [
                run_id,
                published_at,
                str(settings.published_marts_path),
                len(row_counts),
                json.dumps(row_counts),
            ],
        )
        refresh_health(con, settings)
    return PublishResult(run_id, published_at, settings.published_marts_path, row_counts)


def refresh_health(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Atomically replace the health file with copies of the warehouse's audit tables.

    Besides the audit tables, the file gets ``source_freshness``: per source and stream, the
    latest load of each account summarised from ``raw._loads`` (empty before any load),
    ``schema_drift``: the response fields no stream declares (``raw._schema_drift``; absent
    before the first load), ``skipped_sources``: sources whose runs since their last load were
    skipped for want of accounts (``raw._skipped_runs``; absent before any skip), and
    ``api_versions``: the configured Meta API versions, their sunset dates and days left as of
    today (status ``expiring`` under 90 days, ``expired``, ``unknown``).

    Args:
        con: An open warehouse connection (see :func:`socialmart.warehouse.connect`).
        settings: Where the health file lives (``settings.published_health_path``).
    """
    present = _existing_tables(con)
    tables = [*HEALTH_TABLES, *(t for t in OPTIONAL_HEALTH_TABLES if ("audit", t) in present)]

    def fill(target: str) -> None:
        for table in tables:
            con.execute(f"create table {target}.main.{table} as select * from audit.{table}")
        freshness = f"{target}.main.{SOURCE_FRESHNESS_TABLE}"
        if ("raw", "_loads") in present:
            con.execute(f"create table {freshness} as {_SOURCE_FRESHNESS_SQL}")
        else:
            con.execute(f"create table {freshness} {_SOURCE_FRESHNESS_DDL}")
        if ("raw", "_schema_drift") in present:
            con.execute(
                f"create table {target}.main.{SCHEMA_DRIFT_TABLE} as "
                "select * from raw._schema_drift"
            )
        if ("raw", "_skipped_runs") in present:
            con.execute(
                f"create table {target}.main.{SKIPPED_SOURCES_TABLE} as {_SKIPPED_SOURCES_SQL}"
            )
        _write_api_versions(con, f"{target}.main.{API_VERSIONS_TABLE}", settings)

    write_atomically(con, settings.published_health_path, fill)


def _write_api_versions(con: duckdb.DuckDBPyConnection, table: str, settings: Settings) -> None:
    from connectors.meta.versions import configured_checks

    con.execute(f"create table {table} {_API_VERSIONS_DDL}")
    rows = [list(check.as_row().values()) for check in configured_checks(settings)]
    con.executemany(f"insert into {table} values ({', '.join('?' * 11)})", rows)


def write_atomically(
    con: duckdb.DuckDBPyConnection, target: Path, fill: Callable[[str], None]
) -> None:
    """Build a new DuckDB file and rename it over ``target`` in one atomic step.

    ``fill`` receives the catalog name under which the new file is attached to ``con``
    and creates its tables, inside one transaction. The file is checkpointed, detached
    and fsynced before ``os.replace``; on any failure ``target`` is left untouched.

    Temp files of ``target`` that a killed earlier publication left behind
    (``.<name>.<uuid>.tmp`` and its ``.wal``) are removed first. That is safe: ``con`` is a
    read-write warehouse connection, which DuckDB grants one process at a time, and the
    pipeline's publish also holds the socialmart run lock, so no other publication is live.

    Args:
        con: Connection that can read the source tables.
        target: The file to replace (its folder is created if missing).
        fill: Creates the content, given the attached catalog name.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftover_temp_files(target)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    con.execute(f"attach {_literal(str(temp))} as {_ATTACH_ALIAS}")
    try:
        try:
            _fill_in_transaction(con, fill)
            con.execute(f"checkpoint {_ATTACH_ALIAS}")
        finally:
            con.execute(f"detach {_ATTACH_ALIAS}")
        _fsync(temp)
        os.replace(temp, target)
        _fsync(target.parent)
    finally:
        temp.unlink(missing_ok=True)
        temp.with_name(temp.name + ".wal").unlink(missing_ok=True)


def remove_leftover_temp_files(target: Path) -> list[Path]:
    """Delete the temp files of ``target`` a killed publication left (call with the lock held).

    Returns:
        The files removed.
    """
    removed = []
    for pattern in (f".{target.name}.*.tmp", f".{target.name}.*.tmp.wal"):
        for path in sorted(target.parent.glob(pattern)):
            path.unlink(missing_ok=True)
            log.warning("removed %s, left behind by an interrupted publication", path)
            removed.append(path)
    return removed


def _fill_in_transaction(con: duckdb.DuckDBPyConnection, fill: Callable[[str], None]) -> None:
    con.execute("begin transaction")
    try:
        fill(_ATTACH_ALIAS)
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def _require_passing_gate(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    gate = con.execute(
        "select passed, validated_at from audit.gate_runs where run_id = ? "
        "order by validated_at desc limit 1",
        [run_id],
    ).fetchone()
    if gate is None:
        raise PublishRefused(f"run {run_id} has no gate result: run the gate first")
    passed, validated_at = gate
    if not passed:
        raise PublishRefused(f"the gate failed for run {run_id} (see audit.gate_results)")
    (build_started,) = con.execute("select max(started_at) from audit.dbt_builds").fetchone()
    if build_started is not None and build_started >= validated_at:
        raise PublishRefused(
            f"the marts were rebuilt at {build_started} after run {run_id}'s gate "
            f"passed at {validated_at}: validate again before publishing"
        )


def _copy_comments(con: duckdb.DuckDBPyConnection, target: str, tables: list[str]) -> None:
    """Give the published tables and columns the comments dbt wrote on the marts
    (``persist_docs``: each model's and column's description), so the file describes itself."""
    table_comments = con.execute(
        "select table_name, comment from duckdb_tables() where database_name = "
        "current_database() and schema_name = ? and comment is not null",
        [MARTS_SCHEMA],
    ).fetchall()
    column_comments = con.execute(
        "select table_name, column_name, comment from duckdb_columns() where database_name = "
        "current_database() and schema_name = ? and comment is not null",
        [MARTS_SCHEMA],
    ).fetchall()
    published = set(tables)
    for table, comment in table_comments:
        if table in published:
            con.execute(
                f"comment on table {target}.main.{_ident(table)} is {_literal(comment.strip())}"
            )
    for table, column, comment in column_comments:
        if table in published:
            con.execute(
                f"comment on column {target}.main.{_ident(table)}.{_ident(column)} "
                f"is {_literal(comment.strip())}"
            )


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where database_name = current_database()"
    ).fetchall()
    return {(schema, name) for schema, name in rows}


def _mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() "
        "where database_name = current_database() and schema_name = ? order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
