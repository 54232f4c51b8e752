"""socialmart.pg_warehouse on a throw-away cluster: schemas, DuckDB's calling convention,
transactions, and a clear message when the server cannot be reached."""

from __future__ import annotations

import pytest

from socialmart import pg_warehouse
from socialmart.settings import Settings, load_settings
from socialmart.warehouse import SCHEMAS


def test_connect_creates_the_schemas_and_audit_tables(pg_settings: Settings) -> None:
    with pg_warehouse.connect(pg_settings) as con:
        schemas = {
            row[0]
            for row in con.execute("select schema_name from information_schema.schemata").fetchall()
        }
        audit = con.execute(
            "select count(*) from information_schema.tables where table_schema = ?", ["audit"]
        ).fetchone()
    assert set(SCHEMAS) <= schemas
    assert audit == (4,)


def test_placeholders_and_percent_signs(pg_settings: Settings) -> None:
    with pg_warehouse.connect(pg_settings) as con:
        row = con.execute("select ?::text || '%', ?::int + 1", ["a", 41]).fetchone()
    assert row == ("a%", 42)


def test_a_transaction_rolls_back_and_a_closed_block_discards_it(pg_settings: Settings) -> None:
    with pg_warehouse.connect(pg_settings) as con:
        con.execute("create table raw.t (x int)")
        con.begin()
        con.execute("insert into raw.t values (1)")
        con.rollback()
        con.execute("insert into raw.t values (2)")  # autocommit again
        con.begin()
        con.execute("insert into raw.t values (3)")
    with pg_warehouse.connect(pg_settings) as con:
        assert con.execute("select x from raw.t").fetchall() == [(2,)]


def test_an_unreachable_server_names_the_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIALMART_WAREHOUSE", "postgres")
    monkeypatch.setenv("SOCIALMART_PG_PORT", "1")
    monkeypatch.setenv("SOCIALMART_PG_PASSWORD", "s3cret-pw")
    with pytest.raises(pg_warehouse.WarehouseUnreachable) as raised:
        pg_warehouse.connect(load_settings())
    message = str(raised.value)
    assert "127.0.0.1:1/socialmart" in message
    assert "SOCIALMART_PG_PORT" in message and "SOCIALMART_WAREHOUSE=duckdb" in message
    assert "s3cret-pw" not in message


def test_an_unknown_warehouse_kind_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALMART_WAREHOUSE", "bigquery")
    with pytest.raises(ValueError, match="SOCIALMART_WAREHOUSE: expected one of duckdb, postgres"):
        load_settings()


def test_concurrent_first_connections_to_an_empty_database(pg_settings: Settings) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=6) as pool:
        connections = list(pool.map(lambda _: pg_warehouse.connect(pg_settings), range(6)))
    for con in connections:
        con.close()
    with pg_warehouse.connect(pg_settings) as con:
        tables = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'audit'"
        ).fetchone()
    assert tables == (4,)
