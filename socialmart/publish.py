"""Publish validated marts (write-audit-publish) and refresh the published health file.

Readers never open the warehouse. Each publication builds a complete new DuckDB file
next to the published one and renames it over the old one (``os.replace``): readers
holding the old file keep a consistent snapshot, new readers see the new file, and
nobody waits on a lock. Nothing reaches the published file unless the gate passed on
the marts as they are now.

The engine-neutral parts (the gate check, what the publication and the health tables hold,
their SQL) are shared with the PostgreSQL warehouse's :mod:`socialmart.publish_postgres`;
they take either engine's connection (``execute(sql, params)`` with ``?`` placeholders).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
# SQL both engines run; ``{sum_type}`` is the type of the row-count sums (DuckDB's own sum
# type, hugeint; bigint on PostgreSQL, whose sum of bigint is numeric).
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
    cast(sum(rows_seen) as {sum_type}) as last_rows_seen,
    cast(sum(rows_inserted) as {sum_type}) as last_rows_inserted,
    cast(sum(rows_quarantined) as {sum_type}) as last_rows_quarantined,
    cast(sum(tombstones_withheld) as {sum_type}) as last_tombstones_withheld
from (
    select
        *,
        row_number() over (
            partition by source, stream, account_id order by loaded_at desc
        ) as load_recency
    from raw._loads
) as loads
where load_recency = 1
group by source, stream
"""
_SOURCE_FRESHNESS_DDL = """(
    source varchar, stream varchar, accounts bigint, oldest_account_loaded_at timestamptz,
    last_loaded_at timestamptz, last_pulled_at timestamptz, latest_window_end date,
    last_rows_seen {sum_type}, last_rows_inserted {sum_type}, last_rows_quarantined {sum_type},
    last_tombstones_withheld {sum_type}
)"""
# Response fields no stream declares: a copy of raw._schema_drift (the loader writes it), absent
# before the first load; the data-health page reads an absent table as "none seen".
SCHEMA_DRIFT_TABLE = "schema_drift"

# Sources whose latest ingest run was skipped for want of accounts (no load since), with the
# reason of the latest skip. SQL both engines run.
SKIPPED_SOURCES_TABLE = "skipped_sources"
_SKIPPED_SOURCES_SQL = """
select
    source,
    count(*) as skipped_runs,
    max(skipped_at) as last_skipped_at,
    max(case when skip_recency = 1 then reason end) as reason,
    last_loaded_at
from (
    select
        skips.source,
        skips.skipped_at,
        skips.reason,
        loads.last_loaded_at,
        row_number() over (
            partition by skips.source order by skips.skipped_at desc
        ) as skip_recency
    from raw._skipped_runs as skips
    left join (
        select source, max(loaded_at) as last_loaded_at from raw._loads group by source
    ) as loads on loads.source = skips.source
    where loads.last_loaded_at is null or skips.skipped_at > loads.last_loaded_at
) as pending
group by source, last_loaded_at
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
    """What one publication wrote.

    ``path`` is the published file (DuckDB) or ``<database>.<schema>`` (PostgreSQL), as
    ``audit.publish_log.published_path`` records it.
    """

    run_id: str
    published_at: datetime
    path: Path | str
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
        require_passing_gate(con, run_id)
        tables = mart_tables(con)
        if not tables:
            raise PublishRefused(f"schema {MARTS_SCHEMA} has no tables to publish")
        published_at = datetime.now(UTC)
        row_counts: dict[str, int] = {}

        def fill(target: str) -> None:
            for table in tables:
                con.execute(
                    f"create table {target}.main.{ident(table)} as "
                    f"select * from {MARTS_SCHEMA}.{ident(table)}"
                )
                (row_counts[table],) = con.execute(
                    f"select count(*) from {target}.main.{ident(table)}"
                ).fetchone()
            copy_comments(con, _duckdb_comments(con), tables, lambda t: f"{target}.main.{ident(t)}")
            write_publication_table(
                con, f"{target}.main.{PUBLICATION_TABLE}", run_id, published_at, row_counts
            )

        write_atomically(con, settings.published_marts_path, fill)
        log_publication(con, run_id, published_at, str(settings.published_marts_path), row_counts)
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

    def fill(target: str) -> None:
        fill_health(con, settings, lambda table: f"{target}.main.{table}", sum_type="hugeint")

    write_atomically(con, settings.published_health_path, fill)


def fill_health(con: Any, settings: Settings, name: Callable[[str], str], *, sum_type: str) -> None:
    """Create the health tables (see :func:`refresh_health`) from the warehouse's tables.

    Args:
        con: A warehouse connection of either engine, inside the caller's transaction.
        settings: For the configured API versions.
        name: The qualified name to create each health table under.
        sum_type: The column type of the row-count sums of ``source_freshness``.
    """
    present = existing_tables(con)
    tables = [*HEALTH_TABLES, *(t for t in OPTIONAL_HEALTH_TABLES if ("audit", t) in present)]
    for table in tables:
        con.execute(f"create table {name(table)} as select * from audit.{table}")
    freshness = name(SOURCE_FRESHNESS_TABLE)
    if ("raw", "_loads") in present:
        con.execute(
            f"create table {freshness} as {_SOURCE_FRESHNESS_SQL.format(sum_type=sum_type)}"
        )
    else:
        con.execute(f"create table {freshness} {_SOURCE_FRESHNESS_DDL.format(sum_type=sum_type)}")
    if ("raw", "_schema_drift") in present:
        con.execute(f"create table {name(SCHEMA_DRIFT_TABLE)} as select * from raw._schema_drift")
    if ("raw", "_skipped_runs") in present:
        con.execute(f"create table {name(SKIPPED_SOURCES_TABLE)} as {_SKIPPED_SOURCES_SQL}")
    _write_api_versions(con, name(API_VERSIONS_TABLE), settings)


def _write_api_versions(con: Any, table: str, settings: Settings) -> None:
    from connectors.meta.versions import configured_checks

    con.execute(f"create table {table} {_API_VERSIONS_DDL}")
    rows = [list(check.as_row().values()) for check in configured_checks(settings)]
    insert_rows(con, table, rows)


def write_publication_table(
    con: Any, table: str, run_id: str, published_at: datetime, row_counts: dict[str, int]
) -> None:
    """Create ``table`` (``_publication``): one row per published table with its row count."""
    con.execute(
        f"create table {table} ("
        "run_id varchar, published_at timestamptz, table_name varchar, row_count bigint)"
    )
    insert_rows(
        con, table, [[run_id, published_at, name, count] for name, count in row_counts.items()]
    )


def log_publication(
    con: Any, run_id: str, published_at: datetime, location: str, row_counts: dict[str, int]
) -> None:
    """Add the publication's row to ``audit.publish_log``."""
    con.execute(
        "insert into audit.publish_log values (?, ?, ?, ?, ?)",
        [run_id, published_at, location, len(row_counts), json.dumps(row_counts)],
    )


def insert_rows(con: Any, table: str, rows: Sequence[Sequence[object]]) -> None:
    """Insert ``rows`` into ``table`` with one multi-row statement (either engine)."""
    if not rows:
        return
    values = ", ".join("(" + ", ".join("?" * len(row)) + ")" for row in rows)
    con.execute(f"insert into {table} values {values}", [value for row in rows for value in row])


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


def require_passing_gate(con: Any, run_id: str) -> None:
    """Raise :class:`PublishRefused` unless ``run_id``'s latest gate run passed after the
    latest dbt build started (either engine's connection)."""
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


def _duckdb_comments(con: duckdb.DuckDBPyConnection) -> Comments:
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
    return Comments(table_comments, column_comments)


@dataclass(frozen=True)
class Comments:
    """The comments dbt wrote on the marts (``persist_docs``): ``(table, comment)`` and
    ``(table, column, comment)`` rows."""

    tables: list[tuple[str, str]]
    columns: list[tuple[str, str, str]]


def copy_comments(
    con: Any, comments: Comments, tables: list[str], name: Callable[[str], str]
) -> None:
    """Give the published tables and columns the marts' comments (each model's and column's
    description), so the publication describes itself.

    Args:
        con: Either engine's connection.
        comments: The marts' comments.
        tables: The published tables (comments of other tables are skipped).
        name: The qualified (quoted) name of a published table, given its name.
    """
    published = set(tables)
    for table, comment in comments.tables:
        if table in published:
            con.execute(f"comment on table {name(table)} is {_literal(comment.strip())}")
    for table, column, comment in comments.columns:
        if table in published:
            con.execute(
                f"comment on column {name(table)}.{ident(column)} is {_literal(comment.strip())}"
            )


def existing_tables(con: Any) -> set[tuple[str, str]]:
    """Every base table of the warehouse as ``(schema, table)`` (either engine)."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database() and table_type = 'BASE TABLE'"
    ).fetchall()
    return {(schema, name) for schema, name in rows}


def mart_tables(con: Any) -> list[str]:
    """The base tables of schema ``marts``, by name (either engine)."""
    return sorted(name for schema, name in existing_tables(con) if schema == MARTS_SCHEMA)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
