"""Write-audit-publish on PostgreSQL: only gated marts reach schema ``published``, atomically,
and the BI role reads ``published`` and ``health`` only."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import duckdb
import psycopg2
import psycopg2.errors
import pytest
from pg_support import fetch_sorted

from connectors.common.land import ensure_load_tables
from socialmart import pg_warehouse, publish_postgres, warehouse
from socialmart.publish import PublishRefused
from socialmart.publish import refresh_health as refresh_duckdb_health
from socialmart.publish_postgres import (
    HEALTH_SCHEMA,
    PUBLISHED_SCHEMA,
    BiRoleMissing,
    ensure_bi_role,
    publish,
)
from socialmart.settings import Settings, load_settings

FACT = "fct_placement_performance_daily"
DIM = "dim_ad_accounts"

_MARTS = f"""
create table marts.{FACT} (
    report_date date, ad_account_id varchar, account_currency varchar,
    spend numeric(18, 2), cpm numeric(18, 6), impressions bigint
);
create table marts.{DIM} (ad_account_id varchar, account_name varchar, is_deleted boolean);
insert into marts.{DIM} values ('111', 'Mode EU', false), ('222', null, true);
comment on table marts.{FACT} is ' Spend per placement and day. ';
comment on column marts.{FACT}.spend is 'Spend in the account''s currency.';
"""


def _fact_rows(spend: str) -> list[tuple]:
    return [
        (date(2026, 6, 1), "111", "EUR", Decimal(spend), Decimal("8.036468"), 5210),
        (date(2026, 6, 1), "222", "USD", Decimal("0.10"), Decimal("0.000000"), 0),
        (date(2026, 6, 2), "111", "EUR", Decimal("41.87"), None, None),
    ]


def _write_marts(con: pg_warehouse.Connection, spend: str = "41.80") -> None:
    """(Re)create the marts as dbt would leave them, the fact with ``spend`` in its first row."""
    con.execute(f"drop table if exists marts.{FACT}, marts.{DIM}")
    con.execute(_MARTS)
    for row in _fact_rows(spend):
        con.execute(f"insert into marts.{FACT} values (?, ?, ?, ?, ?, ?)", row)


def _record_gate(con: pg_warehouse.Connection, run_id: str, *, passed: bool = True) -> None:
    con.execute(
        "insert into audit.gate_runs values (?, ?, ?, ?, 0)",
        [run_id, datetime.now(UTC), passed, 0 if passed else 1],
    )


def _gated_marts(settings: Settings, run_id: str, spend: str = "41.80") -> None:
    with pg_warehouse.connect(settings) as con:
        _write_marts(con, spend)
        _record_gate(con, run_id)


def _exact(rows: list[tuple]) -> list[tuple]:
    """Rows in a stable order, numbers with their scale (``Decimal('1.50') == Decimal('1.5')``)."""
    return fetch_sorted(
        [tuple(str(v) if isinstance(v, Decimal) else v for v in row) for row in rows]
    )


def _snapshot(con, schema: str = PUBLISHED_SCHEMA) -> dict[str, list[tuple]]:
    """Every table of ``schema`` with all its rows, exactly (schemas ``*_next`` listed too)."""
    with con.cursor() as cursor:
        cursor.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema = %s or table_schema like %s order by 1, 2",
            [schema, f"{schema}%_next"],
        )
        names = cursor.fetchall()
        snapshot = {}
        for table_schema, table in names:
            cursor.execute(f'select * from {table_schema}."{table}"')
            snapshot[f"{table_schema}.{table}"] = _exact(cursor.fetchall())
    return snapshot


def _columns(con, schema: str, table: str) -> list[tuple]:
    with con.cursor() as cursor:
        cursor.execute(
            "select a.attname, format_type(a.atttypid, a.atttypmod), "
            "col_description(a.attrelid, a.attnum) from pg_attribute as a "
            "where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped "
            "order by a.attnum",
            [f'{schema}."{table}"'],
        )
        return cursor.fetchall()


def _connect(settings: Settings, user: str | None = None):
    pg = settings.postgres
    return psycopg2.connect(
        host=pg.host, port=pg.port, user=user or pg.user, dbname=pg.dbname, password=""
    )


def test_publish_copies_every_mart_exactly(pg_settings: Settings) -> None:
    _gated_marts(pg_settings, "run-1")

    result = publish(pg_settings, "run-1")

    assert result.row_counts == {DIM: 2, FACT: 3}
    assert result.path == f"{pg_settings.postgres.dbname}.{PUBLISHED_SCHEMA}"
    with closing(_connect(pg_settings)) as con:
        published = _snapshot(con)
        assert sorted(published) == [f"published.{t}" for t in ("_publication", DIM, FACT)]
        assert published[f"published.{FACT}"] == _exact(_fact_rows("41.80"))
        assert published[f"published.{DIM}"] == [("111", "Mode EU", False), ("222", None, True)]
        # numeric scale and every column type are the mart's, comments included
        spend_column = ("spend", "numeric(18,2)", "Spend in the account's currency.")
        assert spend_column in _columns(con, "published", FACT)
        for table in (FACT, DIM):
            assert _columns(con, "published", table) == _columns(con, "marts", table)
        with con.cursor() as cursor:
            cursor.execute(f"select obj_description('published.{FACT}'::regclass, 'pg_class')")
            assert cursor.fetchone() == ("Spend per placement and day.",)
            cursor.execute("select sum(spend)::text from published." + FACT)
            assert cursor.fetchone() == ("83.77",)
        publication = published["published._publication"]
        assert [(run_id, table, count) for run_id, _, table, count in publication] == [
            ("run-1", DIM, 2),
            ("run-1", FACT, 3),
        ]
        assert {published_at for _, published_at, _, _ in publication} == {result.published_at}
        health = _snapshot(con, HEALTH_SCHEMA)
    [(run_id, _, location, table_count, counts)] = health["health.publish_log"]
    assert (run_id, location, table_count, counts) == (
        "run-1",
        result.path,
        2,
        {DIM: 2, FACT: 3},
    )


def _role_connect(settings: Settings):
    return _connect(settings, settings.postgres.bi_role)


def test_the_bi_role_reads_published_and_health_only(pg_settings: Settings) -> None:
    _gated_marts(pg_settings, "run-1")
    with pg_warehouse.connect(pg_settings) as con:
        con.execute("create table raw.probe as select 1 as x")
    publish(pg_settings, "run-1")

    with closing(_role_connect(pg_settings)) as bi:
        bi.autocommit = True
        with bi.cursor() as cursor:
            cursor.execute(f"select count(*) from published.{FACT}")
            assert cursor.fetchone() == (3,)
            cursor.execute("select run_id from health.publish_log")
            assert cursor.fetchall() == [("run-1",)]
            cursor.execute("select count(*) from health.source_freshness")  # no loads yet
            assert cursor.fetchone() == (0,)
            for table in ("raw.probe", f"marts.{FACT}", "audit.gate_runs", "audit.publish_log"):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cursor.execute(f"select * from {table}")
            for statement in (
                "create table public.mine (x int)",
                "create table published.mine (x int)",
                f"delete from published.{FACT}",
                "create schema mine",
            ):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cursor.execute(statement)


def test_the_bi_role_gets_the_configured_password(
    pg_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIALMART_PG_BI_ROLE", "bi_with_password")
    monkeypatch.setenv("SOCIALMART_PG_BI_PASSWORD", "s3cret 'quoted'")
    settings = load_settings()
    with pg_warehouse.connect(settings) as con:
        ensure_bi_role(con, settings)
        ensure_bi_role(con, settings)  # idempotent
        (verifier,) = con.execute(
            "select rolpassword from pg_authid where rolname = 'bi_with_password'"
        ).fetchone()
        (can_login,) = con.execute(
            "select rolcanlogin from pg_roles where rolname = 'bi_with_password'"
        ).fetchone()
    assert verifier.startswith("SCRAM-SHA-256$") and "s3cret" not in verifier
    assert can_login


def test_the_bi_role_must_not_be_the_pipeline_user(
    pg_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIALMART_PG_BI_ROLE", pg_settings.postgres.user)
    settings = load_settings()
    with pg_warehouse.connect(settings) as con, pytest.raises(ValueError, match="separate"):
        ensure_bi_role(con, settings)


def test_a_missing_bi_role_the_pipeline_may_not_create_is_a_clear_error(
    pg_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = "pipeline_without_createrole"
    with closing(_connect(pg_settings)) as admin:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"create role {user} login")  # database owner, not superuser
            cursor.execute(f'alter database "{pg_settings.postgres.dbname}" owner to {user}')
    monkeypatch.setenv("SOCIALMART_PG_USER", user)
    monkeypatch.setenv("SOCIALMART_PG_BI_ROLE", "bi_nobody_created")
    settings = load_settings()
    with pg_warehouse.connect(settings) as con, pytest.raises(BiRoleMissing, match="create role"):
        ensure_bi_role(con, settings)


@pytest.mark.parametrize("gate", ["missing", "failed", "rebuilt after the gate"])
def test_a_refused_publish_leaves_published_untouched(pg_settings: Settings, gate: str) -> None:
    _gated_marts(pg_settings, "run-1")
    publish(pg_settings, "run-1")
    with closing(_connect(pg_settings)) as con:
        before = {**_snapshot(con), **_snapshot(con, HEALTH_SCHEMA)}
    with pg_warehouse.connect(pg_settings) as con:
        _write_marts(con, spend="99.99")
        if gate == "failed":
            _record_gate(con, "run-2", passed=False)
        elif gate == "rebuilt after the gate":
            _record_gate(con, "run-2")
            con.execute(
                "insert into audit.dbt_builds values ('run-3', null, false, ?, null, null)",
                [datetime.now(UTC) + timedelta(seconds=1)],
            )

    match = {
        "missing": "no gate result",
        "failed": "gate failed",
        "rebuilt after the gate": "rebuilt",
    }
    with pytest.raises(PublishRefused, match=match[gate]):
        publish(pg_settings, "run-2")

    with closing(_connect(pg_settings)) as con:
        assert {**_snapshot(con), **_snapshot(con, HEALTH_SCHEMA)} == before


def test_an_error_before_commit_leaves_the_old_publication(
    pg_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _gated_marts(pg_settings, "run-1")
    publish(pg_settings, "run-1")
    with closing(_connect(pg_settings)) as con:
        before = {**_snapshot(con), **_snapshot(con, HEALTH_SCHEMA)}
    _gated_marts(pg_settings, "run-2", spend="99.99")
    filled = []

    def fail_after_the_swap(*args: object) -> None:
        with closing(_connect(pg_settings)) as other:  # the new rows are in, uncommitted
            filled.append(
                _snapshot(other) == {k: v for k, v in before.items() if "health" not in k}
            )
        raise RuntimeError("injected after the new publication was filled")

    monkeypatch.setattr(publish_postgres, "log_publication", fail_after_the_swap)
    with pytest.raises(RuntimeError, match="injected"):
        publish(pg_settings, "run-2")

    assert filled == [True], "readers saw the uncommitted publication"
    with closing(_connect(pg_settings)) as con:
        assert {**_snapshot(con), **_snapshot(con, HEALTH_SCHEMA)} == before


# Publishes run-2 but dies by SIGKILL between filling the new publication and committing it.
_KILLED_PUBLISH = """
import os, signal, sys
from socialmart import publish_postgres
from socialmart.settings import load_settings
publish_postgres.log_publication = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
publish_postgres.publish(load_settings(), sys.argv[1])
"""


def test_a_killed_publish_leaves_the_old_publication(pg_settings: Settings) -> None:
    _gated_marts(pg_settings, "run-1")
    publish(pg_settings, "run-1")
    with closing(_connect(pg_settings)) as con:
        before = {**_snapshot(con), **_snapshot(con, HEALTH_SCHEMA)}
    _gated_marts(pg_settings, "run-2", spend="99.99")

    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_PUBLISH, "run-2"],
        env=os.environ.copy(),
        capture_output=True,
        timeout=120,
        check=False,
    )

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with closing(_connect(pg_settings)) as con:
        assert {**_snapshot(con), **_snapshot(con, HEALTH_SCHEMA)} == before
    assert publish(pg_settings, "run-2").row_counts == {DIM: 2, FACT: 3}


def test_a_repeatable_read_reader_keeps_its_publication_while_a_new_one_commits(
    pg_settings: Settings,
) -> None:
    _gated_marts(pg_settings, "run-1")
    publish(pg_settings, "run-1")
    reader = _role_connect(pg_settings)
    reader.set_session(isolation_level="REPEATABLE READ")
    try:
        old = _snapshot(reader)
        _gated_marts(pg_settings, "run-2", spend="99.99")
        publishing = threading.Thread(target=publish, args=(pg_settings, "run-2"), daemon=True)
        publishing.start()
        publishing.join(timeout=60)
        assert not publishing.is_alive(), "the publish waited for the open reader"

        assert _snapshot(reader) == old
        with closing(_role_connect(pg_settings)) as new_reader:
            new = _snapshot(new_reader)
        reader.rollback()
        assert _snapshot(reader) == new
    finally:
        reader.close()
    assert new[f"published.{FACT}"] == _exact(_fact_rows("99.99"))
    assert {row[0] for row in new["published._publication"]} == {"run-2"}
    assert {row[0] for row in old["published._publication"]} == {"run-1"}


def test_republishing_the_same_run_is_idempotent(pg_settings: Settings) -> None:
    _gated_marts(pg_settings, "run-1")
    first = publish(pg_settings, "run-1")
    with closing(_connect(pg_settings)) as con:
        before = _snapshot(con)
    second = publish(pg_settings, "run-1")
    with closing(_connect(pg_settings)) as con:
        after = _snapshot(con)
        with con.cursor() as cursor:
            cursor.execute("select nspname from pg_namespace where nspname like '%%_next'")
            assert cursor.fetchall() == []

    def without_time(snapshot: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
        publication = [(r[0], r[2], r[3]) for r in snapshot["published._publication"]]
        return {**snapshot, "published._publication": publication}

    assert second.row_counts == first.row_counts
    assert without_time(after) == without_time(before)
    with closing(_role_connect(pg_settings)) as bi, bi.cursor() as cursor:
        cursor.execute(f"select count(*) from published.{FACT}")
        assert cursor.fetchone() == (3,)


def test_a_mart_whose_columns_changed_is_replaced_and_a_dropped_mart_removed(
    pg_settings: Settings,
) -> None:
    _gated_marts(pg_settings, "run-1")
    publish(pg_settings, "run-1")
    with pg_warehouse.connect(pg_settings) as con:
        con.execute(f"drop table marts.{DIM}")
        con.execute(f"alter table marts.{FACT} add column clicks bigint default 7")
        _record_gate(con, "run-2")

    assert publish(pg_settings, "run-2").row_counts == {FACT: 3}

    with closing(_role_connect(pg_settings)) as bi:
        published = _snapshot(bi)
    assert sorted(published) == [f"published.{t}" for t in ("_publication", FACT)]
    assert published[f"published.{FACT}"] == _exact([(*row, 7) for row in _fact_rows("41.80")])


# The same loads, skips, drift and builds in either warehouse (plain SQL both engines run).
_HEALTH_INPUTS = """
insert into raw._loads values
    ('r1', 'meta', 'ads', 'a1', '2026-01-01', '2026-01-05', '2026-01-07 01:00:00+00',
     '2026-01-07 02:00:00+00', 10, 8, 1, 0, 3, 0),
    ('r2', 'meta', 'ads', 'a1', '2026-01-02', '2026-01-06', '2026-01-07 03:00:00+00',
     '2026-01-07 04:00:00+00', 12, 9, 1, 2, 3, 1),
    ('r2', 'meta', 'ads', 'a2', '2026-01-02', '2026-01-06', '2026-01-07 03:00:00+00',
     '2026-01-07 05:00:00+00', 5, 5, 0, 0, 3, 0);
insert into raw._skipped_runs values
    ('tiktok', 's1', '2026-01-07 00:00:00+00', 'no accounts'),
    ('tiktok', 's2', '2026-01-07 06:00:00+00', 'still none'),
    ('meta', 's3', '2026-01-07 00:30:00+00', 'before the last load');
insert into raw._schema_drift values
    ('meta', 'ads', 'new_field', 'r1', '2026-01-07 02:00:00+00', 'r2', '2026-01-07 04:00:00+00');
insert into audit.gate_runs values ('r2', '2026-01-07 07:00:00+00', true, 0, 1);
insert into audit.dbt_builds values ('r2', null, false, '2026-01-07 06:30:00+00',
    '2026-01-07 06:40:00+00', true);
"""


def _health_tables(fetch_tables, fetch_rows) -> dict[str, list[tuple]]:
    return {table: _exact(fetch_rows(table)) for table in sorted(fetch_tables())}


def test_health_tables_are_the_health_file_s(pg_settings: Settings) -> None:
    """refresh_health on PostgreSQL gives the DuckDB health file's tables, row for row."""
    with warehouse.connect(pg_settings) as duck:
        ensure_load_tables(duck)
        duck.execute(_HEALTH_INPUTS)
        refresh_duckdb_health(duck, pg_settings)
    with duckdb.connect(str(pg_settings.published_health_path), read_only=True) as health:
        expected = _health_tables(
            lambda: [t for (t,) in health.execute("show tables").fetchall()],
            lambda t: health.execute(f"select * from {t}").fetchall(),
        )
    with pg_warehouse.connect(pg_settings) as con:
        ensure_load_tables(con)
        for statement in _HEALTH_INPUTS.split(";"):
            if statement.strip():
                con.execute(statement)
        publish_postgres.refresh_health(con, pg_settings)
    with closing(_role_connect(pg_settings)) as bi, bi.cursor() as cursor:

        def rows(table: str) -> list[tuple]:
            cursor.execute(f"select * from {HEALTH_SCHEMA}.{table}")
            return cursor.fetchall()

        def tables() -> list[str]:
            cursor.execute(
                "select table_name from information_schema.tables where table_schema = %s",
                [HEALTH_SCHEMA],
            )
            return [t for (t,) in cursor.fetchall()]

        actual = _health_tables(tables, rows)
    assert actual == expected
    assert actual["skipped_sources"][0][:4] == (
        "tiktok",
        2,
        datetime(2026, 1, 7, 6, tzinfo=UTC),
        "still none",
    )
    assert actual["source_freshness"][0][7:] == (17, 14, 2, 1)


def test_the_marts_cannot_change_while_they_are_copied(
    pg_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What dbt does to a mart (replace the table, insert rows) waits for the publication."""
    _gated_marts(pg_settings, "run-1")
    refused = []
    copy_comments = publish_postgres.copy_comments

    def while_copying(*args: object) -> None:
        with closing(_connect(pg_settings)) as dbt, dbt.cursor() as cursor:
            dbt.autocommit = True
            cursor.execute("set lock_timeout = '200ms'")
            for statement in (
                f"alter table marts.{FACT} rename to {FACT}__dbt_backup",
                f"insert into marts.{DIM} values ('333', 'late', false)",
            ):
                with pytest.raises(psycopg2.errors.LockNotAvailable):
                    cursor.execute(statement)
                refused.append(statement)
        copy_comments(*args)

    monkeypatch.setattr(publish_postgres, "copy_comments", while_copying)
    publish(pg_settings, "run-1")

    assert len(refused) == 2
