"""The dashboards' local copy of the PostgreSQL publication (``SOCIALMART_WAREHOUSE=postgres``).

On PostgreSQL, publish swaps the marts into schema ``published`` (with ``_publication``: run_id,
published_at, table_name, row_count, one row per table) and the health tables into schema
``health``. The pages' SQL is DuckDB SQL over published files (``dashboards.reader``), so the
dashboards read a copy: :func:`refresh` compares ``published._publication`` with the copy's and,
when a new publication is there, copies every table in bulk (``COPY (select ...) TO STDOUT``
in CSV through psycopg2, then DuckDB ``read_csv`` with each column's type) into a new DuckDB
file under ``settings.dashboard_cache_dir`` and renames it over the old copy, as publish does
with the embedded warehouse's files. The reader then sees a new file version, exactly as after
an embedded publish. The health copy is refreshed the same way when its tables change (a gate
that failed after the last publication changes them without a new publication).

Every table of a copy comes from one ``REPEATABLE READ READ ONLY`` transaction, so the marts,
their ``_publication`` rows and the health tables agree; each copied mart's rows are counted
against ``_publication`` and a copy that disagrees (a publish swapped tables mid-copy) is
retried once, then refused.

Only the read-only BI role logs in (``settings.postgres.bi_role`` / ``bi_password``), never
the pipeline's user. Types stay exact: ``numeric(p, s)`` becomes ``DECIMAL(p, s)``; a
``numeric`` without a declared precision gets the largest scale and integer digits its
values have (a value DuckDB's 38 digits cannot hold exactly is refused, never rounded);
timestamps travel in UTC; types without a DuckDB counterpart arrive as their text.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg2
import psycopg2.errors
import psycopg2.extensions

from dashboards import reader
from socialmart.settings import PostgresSettings, Settings

PUBLISHED_SCHEMA = "published"
HEALTH_SCHEMA = "health"
PUBLICATION_TABLE = "_publication"
#: How the dashboards' sessions show in ``pg_stat_activity``.
APPLICATION_NAME = "socialmart-dashboards"
#: Seconds a connection attempt waits: a page shows the error instead of hanging.
CONNECT_TIMEOUT_SECONDS = 5
# Temp files of a copy a killed dashboard process left behind are removed after this long.
_STALE_TEMP_SECONDS = 3600
# Lines of a table with JSON columns may be long (gate details); the larger line buffer slows
# DuckDB's CSV reader down, so other tables keep its default (2 MB).
_MAX_JSON_LINE_BYTES = 64 * 1024 * 1024
# DuckDB's DECIMAL holds at most 38 digits; 18 digits fit its faster 64-bit storage.
_MAX_DIGITS = 38
_SHORT_DIGITS = 18

# PostgreSQL type (information_schema udt_name) -> DuckDB type.
_TYPES = {
    "bool": "BOOLEAN",
    "int2": "SMALLINT",
    "int4": "INTEGER",
    "int8": "BIGINT",
    "float4": "FLOAT",
    "float8": "DOUBLE",
    "text": "VARCHAR",
    "varchar": "VARCHAR",
    "bpchar": "VARCHAR",
    "name": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMPTZ",
    "time": "TIME",
    "interval": "INTERVAL",
    "json": "JSON",
    "jsonb": "JSON",
    "uuid": "UUID",
}
# Session settings that fix the text form of dates, timestamps and intervals.
_SESSION_SQL = (
    "set local timezone = 'UTC'; set local datestyle = 'ISO, YMD'; "
    "set local intervalstyle = 'postgres'"
)


class PublicationUnreadable(RuntimeError):
    """The BI role cannot read the PostgreSQL publication; the message says what to fix."""


class _PublicationMoved(RuntimeError):
    """A copied table's rows disagree with ``_publication`` (a publish ran mid-copy)."""


@dataclass(frozen=True)
class SnapshotFiles:
    """The copy's DuckDB files: the marts (``published``) and the health tables (``health``).

    A file is absent while its schema is (nothing published yet, no gate run yet).
    """

    marts: Path
    health: Path


def snapshot_files(settings: Settings) -> SnapshotFiles:
    """Where the copy of ``settings``' publication lives."""
    folder = settings.dashboard_cache_dir
    return SnapshotFiles(folder / "marts.duckdb", folder / "health.duckdb")


def refresh(settings: Settings, *, health: bool = False) -> SnapshotFiles:
    """Bring the local copy up to the PostgreSQL publication and return its files.

    One short query when nothing changed; a bulk copy of every table after a publication.
    One call at a time per process: while another session's call is copying, the current
    copy is returned as it is (it stays readable until the new one replaces it); only when
    there is no copy yet does a call wait for it.

    Args:
        settings: ``settings.postgres`` says where the warehouse is and the BI login.
        health: Also bring the health copy up to date (the data-health page's tables).

    Returns:
        The copy's files.

    Raises:
        PublicationUnreadable: The server is unreachable, the BI role cannot log in or may
            not read the publication, or the copy kept disagreeing with ``_publication``.
    """
    files = snapshot_files(settings)
    pg = settings.postgres
    if not _lock.acquire(blocking=False):
        if files.marts.is_file() and (files.health.is_file() or not health):
            return files
        _lock.acquire()
    try:
        try:
            _refresh_with(pg, files, health=health)
        except (psycopg2.OperationalError, psycopg2.InterfaceError, _PublicationMoved):
            _close_connection()  # a restarted server, or a publish mid-copy: once more
            _refresh_with(pg, files, health=health)
    except psycopg2.errors.InsufficientPrivilege as error:
        raise PublicationUnreadable(_privilege_message(pg, error)) from None
    except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
        _close_connection()
        raise PublicationUnreadable(_login_message(pg, error)) from None
    except _PublicationMoved as error:
        raise PublicationUnreadable(
            f"The copy of the PostgreSQL publication disagreed with its "
            f"{PUBLICATION_TABLE} table twice in a row ({error}). Reload the page; if it "
            f"persists, check that publish grants `{pg.bi_role}` SELECT on every table "
            "it lists."
        ) from None
    finally:
        _lock.release()
    return files


def _refresh_with(pg: PostgresSettings, files: SnapshotFiles, *, health: bool) -> None:
    con = _connection(pg)
    try:
        _refresh(con, files, health=health)
    finally:
        if not con.closed:
            con.rollback()


_lock = threading.Lock()
# One connection per process (with the login it was made for), reused across reruns: a login
# costs more than the check.
_kept: tuple[tuple, psycopg2.extensions.connection] | None = None


def _connection(pg: PostgresSettings) -> psycopg2.extensions.connection:
    global _kept
    login = (pg.host, pg.port, pg.dbname, pg.bi_role, pg.bi_password)
    if _kept is not None and _kept[0] == login and not _kept[1].closed:
        return _kept[1]
    _close_connection()
    try:
        con = psycopg2.connect(
            host=pg.host,
            port=pg.port,
            dbname=pg.dbname,
            user=pg.bi_role,
            password=pg.bi_password,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name=APPLICATION_NAME,
        )
    except psycopg2.OperationalError as error:
        raise PublicationUnreadable(_login_message(pg, error)) from None
    con.set_session(isolation_level="REPEATABLE READ", readonly=True)
    _kept = (login, con)
    return con


def _close_connection() -> None:
    global _kept
    if _kept is not None and not _kept[1].closed:
        _kept[1].close()
    _kept = None


def _reason(error: Exception) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def _login_message(pg: PostgresSettings, error: Exception) -> str:
    return (
        f"Cannot read the PostgreSQL publication as `{pg.bi_role}` on "
        f"`{pg.host}:{pg.port}/{pg.dbname}`: {_reason(error)}. "
        "Check that the server is running and that SOCIALMART_PG_HOST, SOCIALMART_PG_PORT and "
        "SOCIALMART_PG_DBNAME point at it, and that SOCIALMART_PG_BI_ROLE and "
        "SOCIALMART_PG_BI_PASSWORD are the read-only BI login the project created (the "
        "dashboards never log in as the pipeline's user)."
    )


def _privilege_message(pg: PostgresSettings, error: Exception) -> str:
    return (
        f"The BI role `{pg.bi_role}` may not read the publication on "
        f"`{pg.host}:{pg.port}/{pg.dbname}` ({_reason(error)}). It needs USAGE on schemas "
        f"`{PUBLISHED_SCHEMA}` and `{HEALTH_SCHEMA}` and SELECT on their tables, which publish "
        "grants; check SOCIALMART_PG_BI_ROLE names that role."
    )


def _refresh(con: psycopg2.extensions.connection, files: SnapshotFiles, *, health: bool) -> None:
    with con.cursor() as cursor:
        published = _publication_rows(cursor)
        if published is None:
            _forget(files.marts)
        elif published != _local_publication_rows(files.marts):
            expected = {table: count for _, _, table, count in published}
            _copy_schema(cursor, PUBLISHED_SCHEMA, files.marts, expected)
        if health:
            key = (published, _fingerprint(cursor, HEALTH_SCHEMA))
            if key[1] is None:
                _forget(files.health)
            elif _health_keys.get(files.health) != key or not files.health.is_file():
                _copy_schema(cursor, HEALTH_SCHEMA, files.health, None)
                _health_keys[files.health] = key


# What each health copy was made from (its publication and tables' fingerprint).
_health_keys: dict[Path, tuple] = {}

_PublicationRows = list[tuple]


def _publication_rows(cursor: psycopg2.extensions.cursor) -> _PublicationRows | None:
    """The current ``_publication`` rows, sorted; None when nothing is published.

    The transaction's first statement: it also fixes the session's text forms.
    """
    cursor.execute(
        f"{_SESSION_SQL}; select to_regclass(%s)", [f"{PUBLISHED_SCHEMA}.{PUBLICATION_TABLE}"]
    )
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute(
        f"select run_id::text, published_at, table_name, row_count "
        f"from {PUBLISHED_SCHEMA}.{PUBLICATION_TABLE}"
    )
    return sorted(cursor.fetchall(), key=_row_order)


def _row_order(row: tuple) -> tuple:
    return tuple("" if value is None else str(value) for value in row)


def _local_publication_rows(path: Path) -> _PublicationRows | None:
    """The ``_publication`` rows of the copy (None without a readable copy); read once per
    version of the file."""
    try:
        signature = reader.file_signature(path)
    except OSError:
        return None
    known = _local_rows.get(path)
    if known is not None and known[0] == signature:
        return known[1]
    try:
        with reader.open_marts(path) as duck:
            if not reader.table_columns(duck, PUBLICATION_TABLE):
                return None
            rows = duck.execute(
                "select run_id::varchar, published_at, table_name, row_count "
                f"from {PUBLICATION_TABLE}"
            ).fetchall()
    except duckdb.Error:
        return None
    _local_rows[path] = (signature, sorted(rows, key=_row_order))
    return _local_rows[path][1]


# The ``_publication`` rows of each copy, by the version of its file they were read from.
_local_rows: dict[Path, tuple[reader.Signature, _PublicationRows]] = {}


def _fingerprint(cursor: psycopg2.extensions.cursor, schema: str) -> tuple | None:
    """What changes whenever a table of ``schema`` is replaced or its rows change: per table,
    its oid, row count and newest inserting transaction. None when the schema has no table."""
    cursor.execute("select to_regnamespace(%s)", [schema])
    if cursor.fetchone()[0] is None:
        return None
    tables = _tables(cursor, schema)
    if not tables:
        return None
    cursor.execute(
        " union all ".join(
            f"select {_literal(table)}, {_literal(_qualified(schema, table))}::regclass::oid, "
            f"count(*), max(xmin::text::bigint) from {_qualified(schema, table)}"
            for table in tables
        )
    )
    return tuple(sorted(cursor.fetchall()))


def _tables(cursor: psycopg2.extensions.cursor, schema: str) -> list[str]:
    cursor.execute(
        "select table_name from information_schema.tables "
        "where table_schema = %s and table_type in ('BASE TABLE', 'VIEW') order by table_name",
        [schema],
    )
    return [name for (name,) in cursor.fetchall()]


def _forget(path: Path) -> None:
    """Drop a copy whose schema is gone (readers still holding it keep their snapshot)."""
    path.unlink(missing_ok=True)
    _health_keys.pop(path, None)


def _copy_schema(
    cursor: psycopg2.extensions.cursor,
    schema: str,
    target: Path,
    expected: dict[str, int] | None,
) -> None:
    """Copy every table of ``schema`` into a new DuckDB file renamed over ``target``.

    Args:
        cursor: A cursor in the copy's transaction.
        schema: The PostgreSQL schema.
        target: The DuckDB file to replace.
        expected: Row count per table that must come out (``_publication``), if known.

    Raises:
        _PublicationMoved: A table is missing or its rows differ from ``expected``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temp_files(target)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    csv = temp.with_name(temp.name + ".csv")
    try:
        with duckdb.connect(str(temp)) as duck:
            for table in _tables(cursor, schema):
                _copy_table(cursor, duck, schema, table, csv)
            if expected is not None:
                _check_counts(duck, expected)
            duck.execute("checkpoint")
        os.replace(temp, target)
    finally:
        for leftover in (temp, csv, temp.with_name(temp.name + ".wal")):
            leftover.unlink(missing_ok=True)


def _copy_table(
    cursor: psycopg2.extensions.cursor,
    duck: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    csv: Path,
) -> None:
    columns = _duck_columns(cursor, schema, table)
    select = ", ".join(expression for _, _, expression in columns)
    with csv.open("wb") as out:
        cursor.copy_expert(
            f"copy (select {select} from {_qualified(schema, table)}) to stdout with (format csv)",
            out,
        )
    types = ", ".join(f"{_literal(name)}: {_literal(kind)}" for name, kind, _ in columns)
    long_lines = (
        f", max_line_size = {_MAX_JSON_LINE_BYTES}"
        if any(kind == "JSON" for _, kind, _ in columns)
        else ""
    )
    duck.execute(
        f"create table {_ident(table)} as select * from read_csv({_literal(str(csv))}, "
        f"columns = {{{types}}}, header = false, auto_detect = false, "
        f"allow_quoted_nulls = false{long_lines})"
    )


def _duck_columns(
    cursor: psycopg2.extensions.cursor, schema: str, table: str
) -> list[tuple[str, str, str]]:
    """(name, DuckDB type, select expression) of every column of ``schema.table``."""
    cursor.execute(
        "select column_name, udt_name, numeric_precision, numeric_scale "
        "from information_schema.columns "
        "where table_schema = %s and table_name = %s order by ordinal_position",
        [schema, table],
    )
    found = cursor.fetchall()
    measured = _measure_numerics(
        cursor,
        schema,
        table,
        [name for name, udt, precision, _ in found if udt == "numeric" and not _fits(precision)],
    )
    columns = []
    for name, udt, precision, scale in found:
        expression = _ident(name)
        if udt == "numeric":
            kind = measured[name] if name in measured else f"DECIMAL({precision}, {scale})"
        elif udt.startswith("_"):  # an array: its JSON text, which DuckDB casts to a list
            kind = f"{_TYPES.get(udt[1:], 'VARCHAR')}[]"
            expression = f"array_to_json({expression})::text"
        else:
            kind = _TYPES.get(udt, "VARCHAR")
        columns.append((name, kind, expression))
    return columns


def _fits(precision: int | None) -> bool:
    return precision is not None and precision <= _MAX_DIGITS


def _measure_numerics(
    cursor: psycopg2.extensions.cursor, schema: str, table: str, names: list[str]
) -> dict[str, str]:
    """The exact DECIMAL type of each ``numeric`` column without a usable declared precision:
    the largest scale and integer digits of its values."""
    if not names:
        return {}
    cursor.execute(
        "select "
        + ", ".join(
            f"max(scale({_ident(name)})), max(length(trunc(abs({_ident(name)}))::text))"
            for name in names
        )
        + f" from {_qualified(schema, table)}"
    )
    row = cursor.fetchone()
    types = {}
    for index, name in enumerate(names):
        scale, digits = row[2 * index] or 0, row[2 * index + 1] or 1
        if digits + scale > _MAX_DIGITS:
            raise PublicationUnreadable(
                f"{schema}.{table}.{name} holds numbers of {digits + scale} digits, more than "
                f"the {_MAX_DIGITS} the dashboards can hold exactly; cast it to a numeric "
                "with fewer digits in the mart."
            )
        width = _SHORT_DIGITS if digits + scale <= _SHORT_DIGITS else _MAX_DIGITS
        types[name] = f"DECIMAL({width}, {scale})"
    return types


def _check_counts(duck: duckdb.DuckDBPyConnection, expected: dict[str, int]) -> None:
    rows = duck.execute("select table_name from duckdb_tables()").fetchall()
    present = {name for (name,) in rows}
    for table, count in expected.items():
        if table not in present:
            raise _PublicationMoved(f"{table} is listed but could not be read")
        (copied,) = duck.execute(f"select count(*) from {_ident(table)}").fetchone()
        if copied != count:
            raise _PublicationMoved(f"{table}: {copied} rows copied, {count} published")


def _remove_stale_temp_files(target: Path) -> None:
    cutoff = time.time() - _STALE_TEMP_SECONDS
    for path in target.parent.glob(f".{target.name}.*.tmp*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _qualified(schema: str, table: str) -> str:
    return f"{_ident(schema)}.{_ident(table)}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
