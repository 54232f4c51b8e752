"""Open the warehouse DuckDB file and make sure its schemas and audit tables exist.

The warehouse has one writer at a time (DuckDB locks the file per process): open a
connection for one step, close it before handing the file to another process (dbt).
"""

from __future__ import annotations

import duckdb

from socialmart.settings import Settings

SCHEMAS = ("raw", "staging", "marts", "audit")

# Audit tables shared by transform, the gate and publish. Timestamps are UTC.
AUDIT_DDL = (
    """
    create table if not exists audit.dbt_builds (
        run_id varchar not null,
        selector varchar,
        full_refresh boolean not null,
        started_at timestamptz not null,
        finished_at timestamptz,
        succeeded boolean
    )
    """,
    """
    create table if not exists audit.gate_runs (
        run_id varchar not null,
        validated_at timestamptz not null,
        passed boolean not null,
        error_count integer not null,
        warning_count integer not null
    )
    """,
    """
    create table if not exists audit.gate_results (
        run_id varchar not null,
        validated_at timestamptz not null,
        suite varchar not null,
        expectation_type varchar not null,
        column_names varchar,
        severity varchar not null,
        success boolean not null,
        observed_value varchar,
        details json
    )
    """,
    """
    create table if not exists audit.publish_log (
        run_id varchar not null,
        published_at timestamptz not null,
        published_path varchar not null,
        table_count integer not null,
        row_counts json not null
    )
    """,
)

# Audit tables their writer creates on first use (the health file copies gate_validations
# only once it exists): every gate run of either kind with its Data Docs path, and the
# marts' dbt test results of each build.
WRITER_AUDIT_DDL = {
    "gate_validations": """
    create table if not exists audit.gate_validations (
        run_id varchar not null,
        validated_at timestamptz not null,
        gate varchar not null,
        passed boolean not null,
        expectation_count integer not null,
        error_count integer not null,
        warning_count integer not null,
        data_docs_path varchar
    )
    """,
    "mart_test_results": """
    create table if not exists audit.mart_test_results (
        run_id varchar not null,
        build_started_at timestamptz not null,
        unique_id varchar not null,
        test_name varchar not null,
        model varchar not null,
        column_names varchar,
        severity varchar not null,
        status varchar not null,
        failures bigint,
        message varchar,
        test_kwargs json,
        failing_rows json
    )
    """,
}


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-write, creating the file, schemas and audit tables if missing.

    Args:
        settings: Where the warehouse lives (``settings.warehouse_path``).

    Returns:
        An open connection; close it (or use it as a context manager) when the step ends.

    Raises:
        socialmart.run_lock.WarehouseBusy: Another process has the file open (DuckDB's
            "Could not set lock on file"); the message names the file and the likely holder.
    """
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(settings.warehouse_path))
    except duckdb.IOException as error:
        if "Could not set lock" not in str(error):
            raise
        from socialmart.run_lock import WarehouseBusy, warehouse_in_use_message

        raise WarehouseBusy(warehouse_in_use_message(settings, error)) from error
    try:
        apply_resource_settings(con, settings)
        ensure_schemas(con)
    except Exception:
        con.close()
        raise
    return con


def resource_settings(settings: Settings) -> dict[str, str]:
    """DuckDB settings bounding memory and threads (``DUCKDB_*``).

    The spill folder stays DuckDB's default, ``<database file>.tmp``: setting
    ``temp_directory`` again on a database that has spilled fails ("Cannot switch temporary
    directory"), and every connection (dbt's cursors too) applies these settings.
    """
    return {
        "memory_limit": settings.duckdb.memory_limit,
        "threads": str(settings.duckdb.threads),
    }


def apply_resource_settings(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Apply :func:`resource_settings` to an open connection (and so to its database).

    Every DuckDB connection the project opens on warehouse-sized data goes through this, so
    a large query spills next to the database file instead of failing with "Out of Memory"
    when DuckDB's default limit (80 % of RAM) is above the process's.
    """
    for name, value in resource_settings(settings).items():
        escaped = value.replace("'", "''")
        con.execute(f"set {name} = '{escaped}'")


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """Create the layer schemas and the audit tables if they do not exist (idempotent)."""
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    for ddl in AUDIT_DDL:
        con.execute(ddl)


def ensure_writer_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Create the audit table ``table`` of :data:`WRITER_AUDIT_DDL` if it does not exist."""
    con.execute(WRITER_AUDIT_DDL[table])
