"""Write-audit-publish on the PostgreSQL warehouse, and the read-only BI role.

dbt builds the marts into schema ``marts``, which only the pipeline reads; the gate validates
them there. Readers (the dashboards, BI tools, as the BI role) read schema ``published`` and the
data-health tables in schema ``health``, nothing else.

A publication replaces what ``published`` holds in one transaction: readers see the old
marts or the new ones, never half, and a refused gate, an error or a killed process leaves
``published`` as it was. The new content is built in a staging schema, then each published
table's rows are replaced in place (``delete`` and ``insert``; the table is dropped and
recreated only when its columns changed). Replacing rows rather than renaming schemas is what
keeps a reader's snapshot whole: PostgreSQL resolves names against the latest catalog, so a
``repeatable read`` reader would see a renamed-in table empty, and dropping the old tables
would wait for every open reader and queue new readers behind it. Row changes do neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg2.errors
import psycopg2.extensions

from socialmart import pg_warehouse
from socialmart.pg_warehouse import Connection
from socialmart.publish import (
    MARTS_SCHEMA,
    PUBLICATION_TABLE,
    Comments,
    PublishRefused,
    PublishResult,
    copy_comments,
    fill_health,
    ident,
    log_publication,
    mart_tables,
    require_passing_gate,
    write_publication_table,
)
from socialmart.settings import Settings

#: The schema readers read the published marts from.
PUBLISHED_SCHEMA = "published"
#: The schema of the data-health tables (the DuckDB health file's tables).
HEALTH_SCHEMA = "health"
#: Everything the BI role may read.
READER_SCHEMAS = (PUBLISHED_SCHEMA, HEALTH_SCHEMA)
# A publication or health refresh builds its tables in "<schema>_next" first.
_STAGING_SUFFIX = "_next"
# Publications and health refreshes take this transaction-level advisory lock, one at a time.
_LOCK_NAME = "socialmart.publish"
# The type of source_freshness's row-count sums (PostgreSQL's sum of bigint is numeric).
_SUM_TYPE = "bigint"


class BiRoleMissing(RuntimeError):
    """The BI role does not exist and the pipeline's user may not create it."""


def publish(settings: Settings, run_id: str) -> PublishResult:
    """Replace schema ``published`` with the gated marts, and refresh ``health``, atomically.

    ``published`` gets every table of schema ``marts`` with its comments, plus
    ``_publication`` (run_id, published_at, table_name, row_count; one row per table);
    ``audit.publish_log`` gets the publication's row. One transaction does it all.

    Args:
        settings: The warehouse (``settings.postgres``) and the BI role to grant.
        run_id: The run whose gate must have passed.

    Returns:
        The publication's run id, time, ``<database>.published`` and row count per table.

    Raises:
        PublishRefused: No passing gate run for ``run_id`` newer than the latest dbt build,
            or no mart tables; ``published`` is left untouched.
        BiRoleMissing: See :func:`ensure_bi_role`; ``published`` is left untouched.
    """
    location = f"{settings.postgres.dbname}.{PUBLISHED_SCHEMA}"
    with pg_warehouse.connect(settings) as con:
        con.begin()
        _lock(con)
        tables = mart_tables(con)
        if tables:
            # dbt waits for this publication before replacing a mart it is copying.
            names = ", ".join(f"{MARTS_SCHEMA}.{ident(t)}" for t in tables)
            con.execute(f"lock table {names} in share mode")
        require_passing_gate(con, run_id)
        if not tables:
            raise PublishRefused(f"schema {MARTS_SCHEMA} has no tables to publish")
        published_at = datetime.now(UTC)
        row_counts: dict[str, int] = {}

        def fill(staging: str) -> None:
            for table in tables:
                created = con.execute(
                    f"create table {staging}.{ident(table)} as table {MARTS_SCHEMA}.{ident(table)}"
                )
                row_counts[table] = created.rowcount
            copy_comments(con, _marts_comments(con), tables, lambda t: f"{staging}.{ident(t)}")
            write_publication_table(
                con, f"{staging}.{PUBLICATION_TABLE}", run_id, published_at, row_counts
            )

        ensure_bi_role(con, settings)
        _replace_schema(con, PUBLISHED_SCHEMA, fill, settings.postgres.bi_role)
        log_publication(con, run_id, published_at, location, row_counts)
        refresh_health(con, settings)
        con.commit()
    return PublishResult(run_id, published_at, location, row_counts)


def refresh_health(con: Connection, settings: Settings) -> None:
    """Replace the tables of schema ``health`` with the data-health tables, atomically.

    The same tables as the DuckDB health file (:func:`socialmart.publish.refresh_health`:
    copies of the audit tables, ``source_freshness``, ``schema_drift``, ``skipped_sources``,
    ``api_versions``), readable by the BI role. Runs inside the caller's transaction when one
    is open (it then takes effect when the caller commits), else in a transaction of its own.

    Args:
        con: An open PostgreSQL warehouse connection (:func:`socialmart.pg_warehouse.connect`).
        settings: The BI role to grant, the configured API versions.
    """
    own_transaction = con.raw.autocommit
    if own_transaction:
        con.begin()
    try:
        _lock(con)
        ensure_bi_role(con, settings)

        def fill(staging: str) -> None:
            fill_health(con, settings, lambda table: f"{staging}.{table}", sum_type=_SUM_TYPE)

        _replace_schema(con, HEALTH_SCHEMA, fill, settings.postgres.bi_role)
    except BaseException:
        if own_transaction:
            con.rollback()
        raise
    if own_transaction:
        con.commit()


def ensure_bi_role(con: Connection, settings: Settings) -> None:
    """Create the read-only BI role if missing and grant it schemas ``published`` and ``health``.

    The role (``settings.postgres.bi_role``) logs in, with ``bi_password`` when set (sent as a
    SCRAM verifier computed here, never in clear); it may connect to the database and read the
    tables of :data:`READER_SCHEMAS`, and nothing else: the other schemas grant nothing to
    anyone, and ``create`` on schema ``public`` is revoked from ``public``. Idempotent; the
    grants of an existing role are re-applied.

    Raises:
        ValueError: The BI role is the pipeline's own user.
        BiRoleMissing: The role is missing and the pipeline's user lacks ``CREATEROLE``; the
            message says how to create it.
    """
    pg = settings.postgres
    if pg.bi_role == pg.user:
        raise ValueError(
            f"SOCIALMART_PG_BI_ROLE is the pipeline's user {pg.user!r}: the BI role must be a "
            "separate, read-only role"
        )
    role = ident(pg.bi_role)
    exists = con.execute("select 1 from pg_roles where rolname = ?", [pg.bi_role]).fetchone()
    if exists is None:
        try:
            if pg.bi_password:
                verifier = psycopg2.extensions.encrypt_password(pg.bi_password, pg.bi_role, con.raw)
                con.execute(f"create role {role} login password ?", [verifier])
            else:
                con.execute(f"create role {role} login")
        except psycopg2.errors.InsufficientPrivilege as error:
            raise BiRoleMissing(
                f"the BI role {pg.bi_role!r} (SOCIALMART_PG_BI_ROLE) does not exist and "
                f"{pg.user!r} may not create roles: create it once as an administrator "
                f"(create role {role} login password '...'), or grant {pg.user} CREATEROLE"
            ) from error
    con.execute(f"grant connect on database {ident(pg.dbname)} to {role}")
    con.execute("revoke create on schema public from public")
    for schema in READER_SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
        _grant_reader(con, role, schema)


@dataclass(frozen=True)
class _Table:
    """A table's columns ``(name, type)`` in order, and its comments."""

    columns: tuple[tuple[str, str], ...]
    comment: str | None
    column_comments: tuple[str | None, ...]


def _replace_schema(
    con: Connection, schema: str, fill: Callable[[str], None], bi_role: str
) -> None:
    """Make ``schema`` hold exactly the tables ``fill`` creates, inside the open transaction.

    ``fill`` gets the staging schema's name and creates the tables there. A table whose
    columns are unchanged keeps its identity: its rows are replaced (``delete``, ``insert``)
    and its comments updated, so readers' snapshots stay whole and nobody waits. A new table,
    or one whose columns changed, is moved in (the old one dropped); tables ``fill`` did not
    create are dropped.
    """
    staging = schema + _STAGING_SUFFIX
    con.execute(f"create schema if not exists {schema}")
    con.execute(f"drop schema if exists {staging} cascade")
    con.execute(f"create schema {staging}")
    fill(staging)
    new, old = _tables(con, staging), _tables(con, schema)
    for name in sorted(old.keys() - new.keys()):
        con.execute(f"drop table {schema}.{ident(name)}")
    for name, table in new.items():
        target, source = f"{schema}.{ident(name)}", f"{staging}.{ident(name)}"
        previous = old.get(name)
        if previous is not None and previous.columns == table.columns:
            con.execute(f"delete from {target}")
            con.execute(f"insert into {target} table {source}")
            _update_comments(con, target, previous, table)
        else:
            if previous is not None:
                con.execute(f"drop table {target}")
            con.execute(f"alter table {source} set schema {schema}")
    con.execute(f"drop schema {staging} cascade")
    _grant_reader(con, ident(bi_role), schema)


def _tables(con: Connection, schema: str) -> dict[str, _Table]:
    rows = con.execute(
        "select c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
        "obj_description(c.oid, 'pg_class'), col_description(c.oid, a.attnum) "
        "from pg_class as c "
        "join pg_namespace as n on n.oid = c.relnamespace "
        "join pg_attribute as a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped "
        "where n.nspname = ? and c.relkind in ('r', 'p') "
        "order by c.relname, a.attnum",
        [schema],
    ).fetchall()
    grouped: dict[str, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return {
        name: _Table(
            columns=tuple((column, kind) for _, column, kind, _, _ in group),
            comment=group[0][3],
            column_comments=tuple(row[4] for row in group),
        )
        for name, group in grouped.items()
    }


def _update_comments(con: Connection, target: str, previous: _Table, table: _Table) -> None:
    if previous.comment != table.comment:
        con.execute(f"comment on table {target} is ?", [table.comment])
    for (column, _), old, new in zip(
        table.columns, previous.column_comments, table.column_comments, strict=True
    ):
        if old != new:
            con.execute(f"comment on column {target}.{ident(column)} is ?", [new])


def _marts_comments(con: Connection) -> Comments:
    """The comments dbt wrote on the marts (``persist_docs``)."""
    tables = con.execute(
        "select c.relname, d.description from pg_description as d "
        "join pg_class as c on c.oid = d.objoid "
        "join pg_namespace as n on n.oid = c.relnamespace "
        "where d.classoid = 'pg_class'::regclass and d.objsubid = 0 and n.nspname = ?",
        [MARTS_SCHEMA],
    ).fetchall()
    columns = con.execute(
        "select c.relname, a.attname, d.description from pg_description as d "
        "join pg_class as c on c.oid = d.objoid "
        "join pg_namespace as n on n.oid = c.relnamespace "
        "join pg_attribute as a on a.attrelid = c.oid and a.attnum = d.objsubid "
        "where d.classoid = 'pg_class'::regclass and d.objsubid > 0 and n.nspname = ?",
        [MARTS_SCHEMA],
    ).fetchall()
    return Comments(tables, columns)


def _grant_reader(con: Connection, role: str, schema: str) -> None:
    con.execute(f"grant usage on schema {schema} to {role}")
    con.execute(f"grant select on all tables in schema {schema} to {role}")


def _lock(con: Connection) -> None:
    con.execute("select pg_advisory_xact_lock(hashtext(?))", [_LOCK_NAME])
