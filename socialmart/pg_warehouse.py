"""Open the shared PostgreSQL warehouse (``SOCIALMART_WAREHOUSE=postgres``).

The same layer schemas and audit tables as the embedded DuckDB file
(:mod:`socialmart.warehouse`; their DDL is plain SQL both engines run). Unlike DuckDB, many
processes may write at once: steps that must not overlap take advisory locks instead.
"""

from __future__ import annotations

import psycopg2
import psycopg2.extensions

from socialmart.settings import Settings
from socialmart.warehouse import AUDIT_DDL, SCHEMAS, WRITER_AUDIT_DDL

#: Seconds a connection attempt waits for the server.
CONNECT_TIMEOUT_SECONDS = 10


class WarehouseUnreachable(RuntimeError):
    """The PostgreSQL warehouse refused or did not answer the connection."""


def connect(settings: Settings) -> psycopg2.extensions.connection:
    """Connect as the pipeline's user and create the schemas and audit tables if missing.

    Args:
        settings: ``settings.postgres`` says where the warehouse is.

    Returns:
        An open connection in a transaction (psycopg2's default); commit or roll back, and
        close it when the step ends.

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
    try:
        ensure_schemas(con)
        con.commit()
    except Exception:
        con.close()
        raise
    return con


def ensure_schemas(con: psycopg2.extensions.connection) -> None:
    """Create the layer schemas and the audit tables if they do not exist (idempotent)."""
    with con.cursor() as cursor:
        for schema in SCHEMAS:
            cursor.execute(f"create schema if not exists {schema}")
        for ddl in AUDIT_DDL:
            cursor.execute(ddl)


def ensure_writer_table(con: psycopg2.extensions.connection, table: str) -> None:
    """Create the audit table ``table`` of :data:`WRITER_AUDIT_DDL` if it does not exist."""
    with con.cursor() as cursor:
        cursor.execute(WRITER_AUDIT_DDL[table])
