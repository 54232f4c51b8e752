"""A throw-away PostgreSQL cluster for tests, and copying DuckDB tables into it.

The cluster lives in a temp folder, listens on 127.0.0.1 on a free port with trust auth and
is stopped and deleted afterwards. PostgreSQL refuses to run as root, so as root every
server command runs as the ``postgres`` OS user (``runuser``). Binaries come from
``/usr/lib/postgresql/<version>/bin`` (``scripts/install-postgres.sh`` installs them).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg2

from connectors.common.land_postgres import pg_type

PG_ROOT = Path("/usr/lib/postgresql")
DBNAME = "socialmart"
_SERVER_USER = "postgres"
_NULL = r"\N"


def find_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding a server, or None."""
    found = [path.parent for path in PG_ROOT.glob("*/bin/postgres")]
    return max(found, key=lambda path: int(path.parent.name)) if found else None


@dataclass(frozen=True)
class PostgresServer:
    """Connection details of a running test cluster."""

    host: str
    port: int
    user: str
    dbname: str

    def env(self) -> dict[str, str]:
        """The ``SOCIALMART_PG_*`` variables the dbt ``postgres`` target reads."""
        return {
            "SOCIALMART_PG_HOST": self.host,
            "SOCIALMART_PG_PORT": str(self.port),
            "SOCIALMART_PG_USER": self.user,
            "SOCIALMART_PG_PASSWORD": "",
            "SOCIALMART_PG_DBNAME": self.dbname,
        }

    def connect(self) -> psycopg2.extensions.connection:
        return psycopg2.connect(host=self.host, port=self.port, user=self.user, dbname=self.dbname)

    def new_database(self, name: str) -> PostgresServer:
        """Create database ``name`` (dropped first if it exists) on this cluster."""
        admin = psycopg2.connect(host=self.host, port=self.port, user=self.user, dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'drop database if exists "{name}" with (force)')
            cursor.execute(f'create database "{name}"')
        admin.close()
        return PostgresServer(self.host, self.port, self.user, name)

    def warehouse_env(self) -> dict[str, str]:
        """The settings that make the pipeline use this database as its warehouse."""
        return {"SOCIALMART_WAREHOUSE": "postgres", **self.env()}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", _SERVER_USER, "--", *command]


@contextmanager
def running_postgres(bin_dir: Path) -> Iterator[PostgresServer]:
    """Init, start, yield and finally stop and delete a private cluster."""
    root = Path(tempfile.mkdtemp(prefix="socialmart-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        account = pwd.getpwnam(_SERVER_USER)
        root.chmod(0o755)
        os.chown(root, account.pw_uid, account.pw_gid)
        os.chown(sockets, account.pw_uid, account.pw_gid)
    user = _SERVER_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    port = _free_port()
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                user,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ]
        ),
        **run,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off"
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "-l",
                str(root / "server.log"),
                "start",
            ]
        ),
        **run,
    )
    try:
        server = PostgresServer("127.0.0.1", port, user, DBNAME)
        admin = psycopg2.connect(host=server.host, port=port, user=user, dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"create database {DBNAME}")
        admin.close()
        yield server
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


def copy_schema(duck: duckdb.DuckDBPyConnection, server: PostgresServer, schema: str) -> list[str]:
    """Recreate every table of DuckDB ``schema`` in Postgres and copy its rows (CSV COPY).

    Returns:
        The table names copied.
    """
    tables = [
        name
        for (name,) in duck.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by 1",
            [schema],
        ).fetchall()
    ]
    with tempfile.TemporaryDirectory() as folder, server.connect() as pg, pg.cursor() as cursor:
        cursor.execute(f"create schema if not exists {schema}")
        for table in tables:
            columns = duck.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            ddl = ", ".join(f'"{name}" {pg_type(kind)}' for name, kind in columns)
            cursor.execute(f'drop table if exists {schema}."{table}"')
            cursor.execute(f'create table {schema}."{table}" ({ddl})')
            path = Path(folder) / f"{table}.csv"
            duck.execute(
                f"copy {schema}.\"{table}\" to '{path}' (format csv, header false, nullstr '\\N')"
            )
            with path.open(encoding="utf-8") as handle:
                cursor.copy_expert(
                    f"copy {schema}.\"{table}\" from stdin with (format csv, null '\\N')", handle
                )
    return tables


def fetch_sorted(rows: list[tuple]) -> list[tuple]:
    """Rows in an engine-independent order (collations differ between engines)."""
    return sorted(rows, key=lambda row: tuple("" if v is None else str(v) for v in row))
