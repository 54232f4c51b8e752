"""Loading a run's spool folder into the versioned raw tables (docs/architecture.md).

Per (stream, account) unit, in one transaction: read the page files with DuckDB's JSON reader
(typed columns, no per-row Python), hash the payload in SQL, insert rows whose hash differs from
the latest stored version of their key, tombstone keys that vanished from the pulled window, and
record the load in ``raw._loads``. A loaded unit's manifest is renamed so a re-run skips it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

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
    tombstones_inserted bigint not null
)"""


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


def load_spool(con: duckdb.DuckDBPyConnection, run_dir: Path, run_id: str) -> list[LoadReport]:
    """Load every complete unit under a run's spool folder into its raw table.

    Units without ``manifest.json`` (unfinished extracts) are ignored; units already loaded
    (manifest renamed) are skipped, so calling this twice is cheap and inserts nothing new.

    Args:
        con: Open read-write connection to the warehouse.
        run_dir: ``<spool_dir>/<run_id>``.
        run_id: The run; stored as ``_sync_id``. Must match the manifests.

    Returns:
        One report per unit loaded now, in path order.

    Raises:
        ValueError: A manifest is inconsistent with ``run_id`` or with its page files.
        KeyError: A manifest names a stream no connector declares.
    """
    reports = []
    for manifest_path in sorted(Path(run_dir).glob(f"*/*/*/{MANIFEST_NAME}")):
        manifest = read_manifest(manifest_path)
        if manifest.run_id != run_id:
            raise ValueError(f"{manifest_path} belongs to run {manifest.run_id}, not {run_id}")
        if manifest.status != STATUS_COMPLETE:
            log.warning("skipping %s: status %s", manifest_path, manifest.status)
            continue
        spec = get_stream(manifest.source, manifest.stream)
        report = load_unit(con, spec, manifest, manifest_path.parent)
        _mark_loaded(manifest_path.parent, manifest)
        log.info(
            "loaded %s account %s: %d rows seen, %d inserted, %d tombstones",
            report.table,
            report.account_id,
            report.rows_seen,
            report.rows_inserted,
            report.tombstones_inserted,
        )
        reports.append(report)
    return reports


def load_unit(
    con: duckdb.DuckDBPyConnection, spec: StreamSpec, manifest: Manifest, unit_dir: Path
) -> LoadReport:
    """Merge one unit's page files into ``raw.<spec.raw_table>`` in a single transaction."""
    files = [str(unit_dir / name) for name in manifest.files]
    con.begin()
    try:
        ensure_raw_table(con, spec)
        rows_seen = _stage(con, spec, files, manifest)
        _snapshot_latest(con, spec, manifest)
        meta = {"run_id": manifest.run_id, "pulled_at": manifest.pulled_at.isoformat()}
        window = {} if spec.is_snapshot else _window(manifest)
        tombstones = _scalar(con, _tombstone_sql(spec), {**meta, **window})
        inserted = _scalar(con, _insert_versions_sql(spec), meta)
        con.execute(
            f"insert into {RAW_SCHEMA}._loads values ($run_id, $source, $stream, $account, "
            "$window_start, $window_end, $pulled_at::timestamptz, now(), "
            "$rows_seen, $rows_inserted, $tombstones)",
            {
                **meta,
                **_window(manifest),
                "source": manifest.source,
                "stream": manifest.stream,
                "account": manifest.account_id,
                "rows_seen": rows_seen,
                "rows_inserted": inserted,
                "tombstones": tombstones,
            },
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.execute("drop table if exists temp._land_stage_all")
        con.execute("drop table if exists temp._land_stage")
        con.execute("drop table if exists temp._land_latest")
    return LoadReport(
        run_id=manifest.run_id,
        source=manifest.source,
        stream=manifest.stream,
        account_id=manifest.account_id,
        table=f"{RAW_SCHEMA}.{spec.raw_table}",
        window_start=manifest.window_start,
        window_end=manifest.window_end,
        rows_seen=rows_seen,
        rows_inserted=inserted,
        tombstones_inserted=tombstones,
    )


def ensure_raw_table(con: duckdb.DuckDBPyConnection, spec: StreamSpec) -> None:
    """Create schema ``raw``, ``raw._loads`` and the stream's table; add newly declared columns."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(_LOADS_DDL)
    columns = {**spec.columns, **METADATA_COLUMNS}
    table = _table(spec)
    body = ",\n    ".join(f"{_q(name)} {kind}" for name, kind in columns.items())
    con.execute(f"create table if not exists {table} (\n    {body}\n)")
    existing = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = $schema and table_name = $table",
            {"schema": RAW_SCHEMA, "table": spec.raw_table},
        ).fetchall()
    }
    for name, kind in spec.columns.items():
        if name not in existing:
            con.execute(f"alter table {table} add column {_q(name)} {kind}")


def _stage(
    con: duckdb.DuckDBPyConnection, spec: StreamSpec, files: list[str], manifest: Manifest
) -> int:
    """Read the page files into temp tables; returns the number of rows in the files."""
    payload = ", ".join(_q(c) for c in spec.columns)
    if files:
        types = ", ".join(f"{_literal(c)}: {_literal(t)}" for c, t in spec.columns.items())
        source = (
            f"select {payload}, filename as _file from read_json($files, format = 'array', "
            f"columns = {{{types}}}, filename = true)"
        )
        params: dict[str, Any] = {"files": files}
    else:
        typed_nulls = ", ".join(f"null::{t} as {_q(c)}" for c, t in spec.columns.items())
        source = f"select {typed_nulls}, null::varchar as _file where false"
        params = {}
    con.execute(
        f"create temp table _land_stage_all as "
        f"select *, {row_hash_sql(spec, spec.columns)} as _row_hash from ({source})",
        params,
    )
    rows_seen = _scalar(con, "select count(*) from temp._land_stage_all", {})
    if rows_seen != manifest.row_count:
        raise ValueError(
            f"{manifest.source}/{manifest.stream}/{manifest.account_id}: page files hold "
            f"{rows_seen} rows, the manifest says {manifest.row_count}"
        )
    foreign = _scalar(
        con,
        f"select count(*) from temp._land_stage_all "
        f"where {_q(spec.account_column)} is distinct from $account",
        {"account": manifest.account_id},
    )
    if foreign:
        raise ValueError(
            f"{manifest.source}/{manifest.stream}: {foreign} rows do not belong to account "
            f"{manifest.account_id} named in the manifest"
        )
    # A key repeated within one pull (unstable paging) keeps one row: the one on the last page.
    keys = ", ".join(_q(k) for k in spec.key)
    con.execute(
        "create temp table _land_stage as select * exclude (_file) from temp._land_stage_all "
        f"qualify row_number() over (partition by {keys} order by _file desc, _row_hash) = 1"
    )
    return rows_seen


def _snapshot_latest(con: duckdb.DuckDBPyConnection, spec: StreamSpec, manifest: Manifest) -> None:
    """Latest stored version of each key of the manifest's account (pruned to the dates seen)."""
    keys = ", ".join(_q(k) for k in spec.key)
    window = [spec.window_column] if spec.window_column is not None else []
    kept = ", ".join(_q(c) for c in dict.fromkeys([*spec.key, *window]))
    where = f"{_q(spec.account_column)} = $account"
    params: dict[str, Any] = {"account": manifest.account_id}
    if spec.window_column is not None and spec.window_column in spec.key:
        day = _q(spec.window_column)
        where += (
            f" and {day} between least($window_start, (select min({day}) from temp._land_stage))"
            f" and greatest($window_end, (select max({day}) from temp._land_stage))"
        )
        params.update(_window(manifest))
    con.execute(
        f"create temp table _land_latest as "
        f"select {kept}, _row_hash, _is_deleted from {_table(spec)} where {where} "
        f"qualify row_number() over (partition by {keys} order by _pulled_at desc, "
        f"_sync_id desc) = 1",
        params,
    )


def _tombstone_sql(spec: StreamSpec) -> str:
    keys = [_q(k) for k in spec.key]
    key_only = {name: kind for name, kind in spec.columns.items() if name in spec.key}
    # A snapshot pull covers every key of the account; a windowed pull only its days.
    in_window = (
        "true"
        if spec.window_column is None
        else f"l.{_q(spec.window_column)} between $window_start and $window_end"
    )
    return (
        f"insert into {_table(spec)} ({', '.join(keys)}, _sync_id, _pulled_at, _source, "
        f"_row_hash, _is_deleted) "
        f"select {', '.join(f'l.{k}' for k in keys)}, $run_id, $pulled_at::timestamptz, "
        f"{_literal(spec.source_label)}, {row_hash_sql(spec, key_only, alias='l')}, true "
        f"from temp._land_latest as l "
        f"where not l._is_deleted and {in_window} "
        f"and not exists (select 1 from temp._land_stage as s where {_key_match(spec)})"
    )


def _insert_versions_sql(spec: StreamSpec) -> str:
    payload = ", ".join(_q(c) for c in spec.columns)
    staged = ", ".join(f"s.{_q(c)}" for c in spec.columns)
    return (
        f"insert into {_table(spec)} ({payload}, _sync_id, _pulled_at, _source, _row_hash, "
        f"_is_deleted) "
        f"select {staged}, $run_id, $pulled_at::timestamptz, {_literal(spec.source_label)}, "
        f"s._row_hash, false "
        f"from temp._land_stage as s "
        f"where not exists (select 1 from temp._land_latest as l where {_key_match(spec)} "
        f"and not l._is_deleted and l._row_hash = s._row_hash)"
    )


def row_hash_sql(spec: StreamSpec, present: Collection[str], alias: str = "") -> str:
    """md5 of the canonical JSON of all payload columns; columns not in ``present`` are null."""
    prefix = f"{alias}." if alias else ""
    fields = ", ".join(
        f"{_q(c)} := {prefix + _q(c) if c in present else 'null'}" for c in spec.columns
    )
    return f"md5(to_json(struct_pack({fields})))"


def _key_match(spec: StreamSpec) -> str:
    return " and ".join(f"s.{_q(k)} is not distinct from l.{_q(k)}" for k in spec.key)


def _window(manifest: Manifest) -> dict[str, date]:
    return {"window_start": manifest.window_start, "window_end": manifest.window_end}


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> int:
    row = con.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def _mark_loaded(unit_dir: Path, manifest: Manifest) -> None:
    """Drop a loaded unit's pages and rename its manifest; a re-run then skips the unit."""
    for name in manifest.files:
        (unit_dir / name).unlink(missing_ok=True)
    (unit_dir / MANIFEST_NAME).replace(unit_dir / LOADED_MANIFEST_NAME)


def _table(spec: StreamSpec) -> str:
    return f"{RAW_SCHEMA}.{_q(spec.raw_table)}"


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
