"""Benchmark steps on the PostgreSQL warehouse: ``python -m bench.pg_steps STEP JSON``.

Run like :mod:`bench.steps` (one child process per step, one JSON line out) with the
environment of :func:`bench.pg_cluster.warehouse_env`. The generator writes DuckDB
(``bench.generate``); its raw tables reach PostgreSQL by ``COPY`` into the loader's own raw
tables (``land_postgres.ensure_raw_table``), and the built mart comes back into DuckDB for the
same ground-truth checks as the DuckDB bench (``bench.reconcile``).
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import psycopg2

from bench import bulk_pages, dbt_runner, reconcile, steps
from bench.generate import generate
from bench.presets import get_preset
from connectors.common import land_postgres
from connectors.common.streams import get_stream, source_streams
from connectors.sources import SOURCE_NAMES
from socialmart import pg_warehouse
from socialmart.settings import Settings

Result = dict[str, Any]
#: Server settings recorded with the figures (the bench runs the cluster as the project ships it).
SERVER_SETTINGS = ("server_version", "shared_buffers", "work_mem", "maintenance_work_mem")
_NULL = r"\N"
#: PostgreSQL types of the placement mart's columns -> DuckDB's, for the ground-truth check.
_DUCK_TYPES = {
    "character varying": "VARCHAR",
    "text": "VARCHAR",
    "date": "DATE",
    "bigint": "BIGINT",
    "integer": "INTEGER",
    "double precision": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamp with time zone": "TIMESTAMPTZ",
    "timestamp without time zone": "TIMESTAMP",
    "jsonb": "JSON",
}


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def copy_raw(duck: duckdb.DuckDBPyConnection, con: pg_warehouse.Connection, folder: Path) -> int:
    """Append every non-empty raw table of the generated DuckDB warehouse to PostgreSQL's
    raw table of the same stream (created by the loader's DDL if missing), by CSV ``COPY``;
    the rows copied. Each table is checked: PostgreSQL gains exactly DuckDB's row count.

    Raises:
        RuntimeError: A table's row count differs after the copy.
    """
    specs = {spec.raw_table: spec for name in SOURCE_NAMES for spec in source_streams(name)}
    copied = 0
    tables = duck.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
    ).fetchall()
    for (table,) in tables:
        if table not in specs:
            continue
        (rows,) = duck.execute(f'select count(*) from raw."{table}"').fetchone()
        if not rows:
            continue
        land_postgres.ensure_raw_table(con, specs[table])
        names = [d[0] for d in duck.execute(f'select * from raw."{table}" limit 0').description]
        path = folder / f"{table}.csv"
        duck.execute(
            f"copy (select {_quoted(names)} from raw.\"{table}\") to '{path}' "
            f"(format csv, header false, nullstr '{_NULL}')"
        )
        (before,) = con.execute(f'select count(*) from raw."{table}"').fetchone()
        with path.open(encoding="utf-8") as handle, con.raw.cursor() as cursor:
            cursor.copy_expert(
                f'copy raw."{table}" ({_quoted(names)}) from stdin '
                f"with (format csv, null '{_NULL}')",
                handle,
            )
        path.unlink()
        (after,) = con.execute(f'select count(*) from raw."{table}"').fetchone()
        if after - before != rows:
            raise RuntimeError(
                f"raw.{table}: copied {rows} rows, PostgreSQL gained {after - before}"
            )
        copied += rows
    con.execute("analyze")
    return copied


def step_copy_raw(settings: Settings, cfg: dict[str, Any]) -> Result:
    """The generated raw tables into PostgreSQL (the starting point of every build), and the
    server's version and memory settings the figures were measured with."""
    folder = Path(tempfile.mkdtemp(prefix="bench-copy-", dir=settings.home))
    try:
        with (
            steps.connect_duckdb(settings, read_only=True) as duck,
            pg_warehouse.connect(settings) as con,
        ):
            took, rows = steps.timed(lambda: copy_raw(duck, con, folder))
            server = {name: con.execute(f"show {name}").fetchone()[0] for name in SERVER_SETTINGS}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"seconds": [took], "rows": rows, "server": server}


@contextmanager
def _scratch_database(settings: Settings, name: str):
    """Settings pointing at a new empty database ``name`` of the bench cluster, dropped after."""
    pg = settings.postgres
    admin = psycopg2.connect(**{**pg.connect_kwargs(), "dbname": "postgres"})
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'drop database if exists "{name}" with (force)')
            cursor.execute(f'create database "{name}"')
        yield replace(settings, postgres=replace(pg, dbname=name))
        with admin.cursor() as cursor:
            cursor.execute(f'drop database "{name}" with (force)')
    finally:
        admin.close()


def step_load_path(settings: Settings, cfg: dict[str, Any]) -> Result:
    """``land_postgres.load_spool`` on bulk pages cut from the generated warehouse against
    PostgreSQL's own ``COPY`` of the same rows (CSV rendered by DuckDB beforehand, untimed)
    into a plain table of the stream's columns; each into a fresh database, ``repeats`` times
    after one untimed warm-up. Both must end with every row.

    Raises:
        RuntimeError: Either side landed another number of rows than the pages hold.
    """
    spec = get_stream("meta", "ad_insights_placement")
    work = Path(tempfile.mkdtemp(prefix="bench-load-", dir=settings.home))
    try:
        pages, csv = work / "pages", work / "rows.csv"
        with steps.connect_duckdb(settings, read_only=True) as duck:
            manifests = bulk_pages.write_pages(duck, pages, "bench-load", cfg["bulk_days"])
            files = [
                str(pages / m.source / m.stream / m.account_id / f)
                for m in manifests
                for f in m.files
            ]
            types = ", ".join(f"'{c}': '{t}'" for c, t in spec.columns.items())
            duck.execute(
                f"copy (select * from read_json($files, format = 'array', columns = {{{types}}})) "
                f"to '{csv}' (format csv, header false, nullstr '{_NULL}')",
                {"files": files},
            )
        rows = sum(m.row_count for m in manifests)
        land_s, copy_s = [], []
        for i in range(cfg["repeats"] + 1):
            run_dir = work / f"run-{i}"
            shutil.copytree(pages, run_dir)
            with (
                _scratch_database(settings, f"bench_load_{i}") as scratch,
                pg_warehouse.connect(scratch) as con,
            ):
                land, _ = steps.timed(
                    lambda c=con, d=run_dir: land_postgres.load_spool(
                        c, d, "bench-load", lock_timeout_seconds=settings.lock_timeout_seconds
                    )
                )
                _check_rows(con, f"raw.{spec.raw_table}", rows)
                columns = ", ".join(
                    f'"{c}" {land_postgres.pg_type(t)}' for c, t in spec.columns.items()
                )
                con.execute(f"create table public.plain_copy ({columns})")
                with csv.open(encoding="utf-8") as handle, con.raw.cursor() as cursor:
                    peer, _ = steps.timed(
                        lambda h=handle, cur=cursor: cur.copy_expert(
                            f"copy public.plain_copy from stdin with (format csv, null '{_NULL}')",
                            h,
                        )
                    )
                _check_rows(con, "public.plain_copy", rows)
            shutil.rmtree(run_dir)
            if i:
                land_s.append(land)
                copy_s.append(peer)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "seconds": land_s,
        "copy_seconds": copy_s,
        "rows": rows,
        "units": len(manifests),
        "days": cfg["bulk_days"],
    }


def _check_rows(con: pg_warehouse.Connection, table: str, expected: int) -> None:
    (found,) = con.execute(f"select count(*) from {table}").fetchone()
    if found != expected:
        raise RuntimeError(f"{table} holds {found} rows after the load, not {expected}")


def mart_into_duckdb(
    con: pg_warehouse.Connection, duck: duckdb.DuckDBPyConnection, folder: Path
) -> int:
    """Copy PostgreSQL's ``marts.fct_placement_performance_daily`` into the same table of
    ``duck`` (column types mapped exactly: ``numeric(p, s)`` -> ``DECIMAL(p, s)``); its rows.

    Raises:
        ValueError: A column type without an exact DuckDB twin (the check would compare
            rounded numbers).
    """
    schema, table = reconcile.MART.split(".")
    found = con.execute(
        "select column_name, data_type, numeric_precision, numeric_scale "
        "from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()
    columns = {}
    for name, kind, precision, scale in found:
        if kind == "numeric" and precision is not None and precision <= 38:
            columns[name] = f"DECIMAL({precision}, {scale})"
        elif kind in _DUCK_TYPES:
            columns[name] = _DUCK_TYPES[kind]
        else:
            raise ValueError(f"{reconcile.MART}.{name}: no exact DuckDB type for {kind}")
    path = folder / "mart.csv"
    with path.open("w", encoding="utf-8") as handle, con.raw.cursor() as cursor:
        cursor.copy_expert(
            f"copy {reconcile.MART} ({_quoted(list(columns))}) to stdout "
            f"with (format csv, null '{_NULL}')",
            handle,
        )
    types = ", ".join(f"'{n}': '{t}'" for n, t in columns.items())
    duck.execute(f"create schema if not exists {schema}")
    duck.execute(
        f"create table {reconcile.MART} as select * from read_csv($path, header = false, "
        f"delim = ',', quote = '\"', escape = '\"', nullstr = '{_NULL}', columns = {{{types}}})",
        {"path": str(path)},
    )
    path.unlink()
    (rows,) = duck.execute(f"select count(*) from {reconcile.MART}").fetchone()
    return int(rows)


def step_reconcile(settings: Settings, cfg: dict[str, Any]) -> Result:
    """PostgreSQL's placement mart vs the generator's ground truth: the DuckDB bench's checks
    (:func:`bench.steps.step_reconcile`) on an exact copy of the mart."""
    preset = get_preset(cfg["scale"])
    folder = Path(tempfile.mkdtemp(prefix="bench-reconcile-", dir=settings.home))
    try:
        with (
            pg_warehouse.connect(settings) as con,
            steps.connect_duckdb(settings, folder / "mart.duckdb") as duck,
        ):
            duck.execute("set TimeZone = 'UTC'")
            copied, rows = steps.timed(lambda: mart_into_duckdb(con, duck, folder))
            truth = reconcile.placement_truth_mismatches(duck, preset, cfg["seed"], cfg["day_to"])
            tiktok = reconcile.tiktok_placement_truth_mismatches(
                duck, preset, cfg["seed"], cfg["day_to"]
            )
            gaps = reconcile.reporting_total_gaps(duck)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "seconds": [copied],
        "mart_rows": rows,
        "day_to": cfg["day_to"],
        "truth_mismatches": truth,
        "tiktok_truth_mismatches": tiktok,
        "reporting_gaps": gaps,
    }


def step_daily(settings: Settings, cfg: dict[str, Any]) -> Result:
    """Append one new generated day to PostgreSQL's raw tables, then the daily ``dbt build``
    as the pipeline runs it (incremental marts rebuild the new day plus their lookback)."""
    preset = get_preset(cfg["scale"])
    day = cfg["day_to"]
    folder = Path(tempfile.mkdtemp(prefix="bench-daily-", dir=settings.home))
    try:
        generate(folder / "day.duckdb", preset, cfg["seed"], day_from=day, day_to=day + 1)
        with (
            steps.connect_duckdb(settings, folder / "day.duckdb", read_only=True) as duck,
            pg_warehouse.connect(settings) as con,
        ):
            append_s, rows = steps.timed(lambda: copy_raw(duck, con, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    build = dbt_runner.build(settings, [], f"bench-daily-{day}")
    return {
        "seconds": [build.wall_s],
        "split": build.split(),
        "node_seconds": build.node_seconds,
        "append_seconds": append_s,
        "appended_rows": rows,
        "new_day": str(preset.first_day + timedelta(days=day)),
    }


STEPS = {
    "generate": steps.step_generate,
    "copy_raw": step_copy_raw,
    "load_path": step_load_path,
    "dbt_build": steps.step_dbt_build,
    "reconcile": step_reconcile,
    "daily": step_daily,
}

if __name__ == "__main__":
    steps.main(STEPS)
