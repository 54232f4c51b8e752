"""Open the shared PostgreSQL warehouse (``SOCIALMART_WAREHOUSE=postgres``).

The same layer schemas and audit tables as the embedded DuckDB file
(:mod:`socialmart.warehouse`; their DDL is plain SQL both engines run). Unlike DuckDB, many
processes may write at once: steps that must not overlap take advisory locks instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import psycopg2
import psycopg2.extensions

from socialmart.settings import Settings
from socialmart.warehouse import AUDIT_DDL, SCHEMAS, WRITER_AUDIT_DDL

#: Seconds a connection attempt waits for the server.
CONNECT_TIMEOUT_SECONDS = 10


class WarehouseUnreachable(RuntimeError):
    """The PostgreSQL warehouse refused or did not answer the connection."""


_PLACEHOLDER = re.compile(r"\?")


class Connection:
    """A psycopg2 connection used the way the pipeline uses DuckDB's.

    Autocommit unless :meth:`begin` opened a transaction (DuckDB's model);
    ``execute(sql, params)`` takes ``?`` placeholders and returns a cursor to fetch from; a
    ``with`` block closes the connection (rolling back an open transaction). ``raw`` is
    the psycopg2 connection, for ``COPY`` and anything else engine-specific.
    """

    def __init__(self, raw: psycopg2.extensions.connection) -> None:
        self.raw = raw
        self.raw.autocommit = True

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> psycopg2.extensions.cursor:
        """Run one statement; with ``params``, ``?`` marks each (a literal ``%`` is escaped)."""
        cursor = self.raw.cursor()
        if params is None:
            cursor.execute(sql)
        else:
            cursor.execute(_PLACEHOLDER.sub("%s", sql.replace("%", "%%")), list(params))
        return cursor

    def begin(self) -> None:
        self.raw.autocommit = False

    def commit(self) -> None:
        self.raw.commit()
        self.raw.autocommit = True

    def rollback(self) -> None:
        self.raw.rollback()
        self.raw.autocommit = True

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if not self.raw.autocommit:
            self.raw.rollback()
        self.close()


def connect(settings: Settings) -> Connection:
    """Connect as the pipeline's user and create the schemas and audit tables if missing.

    Args:
        settings: ``settings.postgres`` says where the warehouse is.

    Returns:
        An open :class:`Connection` (autocommit until ``begin``); close it (or use it as a
        context manager) when the step ends.

    Raises:
        WarehouseUnreachable: The server cannot be reached or refused the login; the message
            names the server and the settings that point at it.
    """
    pg = settings.postgres
    try:
        con = psycopg2.connect(
            **pg.connect_kwargs(),
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name="socialmart",
        )
    except psycopg2.OperationalError as error:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise WarehouseUnreachable(
            f"PostgreSQL warehouse {pg.user}@{pg.host}:{pg.port}/{pg.dbname} is unreachable "
            f"({reason}). Start the server, or point SOCIALMART_PG_HOST, SOCIALMART_PG_PORT, "
            "SOCIALMART_PG_USER, SOCIALMART_PG_PASSWORD and SOCIALMART_PG_DBNAME at it "
            "(or set SOCIALMART_WAREHOUSE=duckdb for the embedded warehouse)"
        ) from error
    wrapped = Connection(con)
    try:
        ensure_schemas(wrapped)
    except Exception:
        wrapped.close()
        raise
    return wrapped


#: Advisory lock key that serialises schema creation (``if not exists`` races when two
#: sessions create the same object at once); any constant no other lock of the project uses.
_SCHEMA_LOCK_KEY = 0x50C1A1


def ensure_schemas(con: Connection) -> None:
    """Create the layer schemas and the audit tables if they do not exist (idempotent).

    Concurrent first connections to an empty database are safe: the DDL runs in one
    transaction under an advisory lock, so a second session waits and then finds everything.
    """
    existing = {
        name
        for (name,) in con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema = 'audit'"
        ).fetchall()
    }
    if len(existing) >= len(AUDIT_DDL):
        return
    con.begin()
    try:
        con.execute("select pg_advisory_xact_lock(?)", [_SCHEMA_LOCK_KEY])
        for schema in SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
        for ddl in AUDIT_DDL:
            con.execute(ddl)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def ensure_writer_table(con: Connection, table: str) -> None:
    """Create the audit table ``table`` of :data:`WRITER_AUDIT_DDL` if it does not exist."""
    con.execute(WRITER_AUDIT_DDL[table])
