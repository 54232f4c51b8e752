"""The dashboards on a PostgreSQL warehouse: they read the publication as the BI role.

Each test publishes small marts (dashboard_marts.write_every_mart) and health tables both as
the embedded DuckDB files and into PostgreSQL schemas ``published`` and ``health`` (CSV COPY,
tests/pg_support.copy_schema), with a BI role that may read those two schemas only; the
pages' queries must give the same answers from the dashboards' copy as from the files.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import psycopg2
import pytest
from dashboard_marts import write_every_mart
from pg_support import PostgresServer, copy_schema
from streamlit.testing.v1 import AppTest
from test_browser import _metrics, _open, browser_page, served_dashboard  # noqa: F401

from dashboards import pg_snapshot, reader
from dashboards.queries import advantage_plus, creators, health, performance, publication, spend
from socialmart import pg_warehouse
from socialmart.publish_postgres import ensure_bi_role, publish
from socialmart.settings import PROJECT_ROOT, Settings
from socialmart.warehouse import AUDIT_DDL, WRITER_AUDIT_DDL

FIRST, LAST = datetime(2026, 10, 1).date(), datetime(2026, 10, 3).date()
ALL = reader.Selection(FIRST, LAST)
PUBLISHED_AT = datetime(2026, 10, 5, 6, 30, 12, 345678, tzinfo=UTC)
APP = str(PROJECT_ROOT / "dashboards" / "app.py")
HEALTH_TABLES = ("dbt_builds", "gate_runs", "gate_results", "publish_log", "gate_validations")


def _server(settings: Settings) -> PostgresServer:
    pg = settings.postgres
    return PostgresServer(pg.host, pg.port, pg.user, pg.dbname)


def _grant_bi_role(settings: Settings) -> None:
    """The read-only BI login as publish makes it: USAGE and SELECT on ``published`` and
    ``health`` only (re-granted after the test replaced their tables)."""
    with pg_warehouse.connect(settings) as con:
        ensure_bi_role(con, settings)


def _publish(settings: Settings, marts: Path, run_id: str, published_at: datetime) -> None:
    """Add ``_publication`` to the marts file and copy its tables into ``published``."""
    _publish_file(marts, run_id, published_at)
    _copy_file(settings, marts, pg_snapshot.PUBLISHED_SCHEMA)


def _publish_file(marts: Path, run_id: str, published_at: datetime) -> None:
    """Add ``_publication`` to the marts file, as publish writes it."""
    with duckdb.connect(str(marts)) as con:
        tables = [
            name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()
        ]
        tables = [name for name in tables if name != "_publication"]
        con.execute(
            "create or replace table _publication ("
            " run_id varchar, published_at timestamptz, table_name varchar, row_count bigint)"
        )
        for table in tables:
            con.execute(
                f"insert into _publication select ?, ?, ?, count(*) from {table}",
                [run_id, published_at, table],
            )


def _copy_file(settings: Settings, path: Path, schema: str) -> None:
    """Replace PostgreSQL ``schema`` by the tables of the DuckDB file ``path``."""
    server = _server(settings)
    with server.connect() as con, con.cursor() as cursor:
        cursor.execute(f"drop schema if exists {schema} cascade")
    with duckdb.connect() as scratch:
        scratch.execute(f"attach '{path}' as source (read_only)")
        scratch.execute(f"create schema {schema}")
        for (table,) in scratch.execute(
            "select table_name from duckdb_tables()"
            " where database_name = 'source' and schema_name = 'main'"
        ).fetchall():
            scratch.execute(f"create table {schema}.{table} as select * from source.main.{table}")
        copy_schema(scratch, server, schema)
    _grant_bi_role(settings)


def _write_health(path: Path, run_id: str, published_at: datetime, *, failed_after: bool) -> None:
    """A health file as publish writes it: one publication, its passing gate run and,
    if asked, a failed gate run after it."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema audit")
        for ddl in (*AUDIT_DDL, WRITER_AUDIT_DDL["gate_validations"]):
            con.execute(ddl)
        passed_at = published_at - timedelta(minutes=1)
        runs = [(run_id, passed_at, "marts", True, 40, 0, 1, None)]
        if failed_after:
            runs.append(
                ("later", published_at + timedelta(hours=1), "marts", False, 40, 1, 0, None)
            )
        con.executemany("insert into audit.gate_validations values (?, ?, ?, ?, ?, ?, ?, ?)", runs)
        con.executemany(
            "insert into audit.gate_runs values (?, ?, ?, ?, ?)",
            [(run, at, ok, errors, warnings) for run, at, _, ok, _, errors, warnings, _ in runs],
        )
        con.execute(
            "insert into audit.gate_results values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                runs[-1][0],
                runs[-1][1],
                "marts.fct_ad_performance_daily",
                "expect_column_values_to_not_be_null",
                "spend",
                "error" if failed_after else "warning",
                False,
                "2 nulls",
                json.dumps({"unexpected": [None, None]}),
            ],
        )
        con.execute(
            "insert into audit.publish_log values (?, ?, ?, ?, ?)",
            [run_id, published_at, "marts", 1, json.dumps({"fct_ad_performance_daily": 4})],
        )
        for table in HEALTH_TABLES:
            con.execute(f"create table main.{table} as select * from audit.{table}")
            con.execute(f"drop table audit.{table}")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """The embedded publication (marts and health files) the PostgreSQL one must equal."""
    folder = tmp_path / "embedded"
    folder.mkdir()
    return folder / "marts.duckdb", folder / "health.duckdb"


@pytest.fixture
def published(pg_settings: Settings, files: tuple[Path, Path]) -> Settings:
    """The same marts and health tables published as files and into PostgreSQL."""
    marts, health_file = files
    write_every_mart(marts)
    _publish(pg_settings, marts, "run-1", PUBLISHED_AT)
    _write_health(health_file, "run-1", PUBLISHED_AT, failed_after=True)
    _copy_file(pg_settings, health_file, pg_snapshot.HEALTH_SCHEMA)
    return pg_settings


def _page_answers(path: Path) -> list:
    """What the pages ask of the marts, by every query module."""
    return [
        publication.marts_status(path),
        publication.latest_publication(path),
        publication.date_span(path),
        publication.filter_accounts(path),
        advantage_plus.campaigns(path, ALL),
        advantage_plus.daily_share(path, "A", FIRST, LAST),
        advantage_plus.weekly_split(path, "A", FIRST, LAST),
        creators.leaderboard(path, FIRST, LAST, "creator_driven_revenue"),
        creators.daily(path, "ana", FIRST, LAST),
        performance.totals(path, ALL, "reporting"),
        performance.totals(path, ALL, "account"),
        performance.breakdown(path, ALL, "account", "campaign"),
        performance.daily_by_platform(path, ALL, "reporting"),
        spend.totals_by_currency(path, ALL),
    ]


def _assert_same(ours: list, theirs: list) -> None:
    assert len(ours) == len(theirs)
    for mine, expected in zip(ours, theirs, strict=True):
        if isinstance(expected, pd.DataFrame):
            assert not expected.empty
            pd.testing.assert_frame_equal(mine, expected, check_exact=True)
        else:
            assert mine == expected


def test_pages_answer_the_same_from_postgres_as_from_the_files(
    published: Settings, files: tuple[Path, Path]
) -> None:
    copy = pg_snapshot.refresh(published, health=True)

    _assert_same(_page_answers(copy.marts), _page_answers(files[0]))
    # Money stays exact: 0.10 + 0.20 style sums come back as the same Decimal values.
    totals = spend.totals_by_currency(copy.marts, ALL).set_index("account_currency")
    assert isinstance(totals["spend"].iloc[0], Decimal)
    # The data-health page's facts, the publication among them, from the same copy.
    health_file = files[1]
    assert health.last_publication(copy.health) == health.last_publication(health_file)
    assert health.last_publication(copy.health).run_id == "run-1"
    for ask in (health.gate_history, health.gate_failures):
        pd.testing.assert_frame_equal(ask(copy.health), ask(health_file), check_exact=True)
    stale = health.gate_failure_after_publication(copy.health)
    assert stale == health.gate_failure_after_publication(health_file) is not None


def test_the_pipeline_publication_reads_the_same_as_the_file(
    pg_settings: Settings, files: tuple[Path, Path]
) -> None:
    """What publish on PostgreSQL (socialmart.publish_postgres) writes, through the copy."""
    marts = write_every_mart(files[0])
    _copy_file(pg_settings, marts, "marts")
    with pg_warehouse.connect(pg_settings) as con:
        con.execute("insert into audit.gate_runs values (?, now(), true, 0, 0)", ["run-pg"])
    result = publish(pg_settings, "run-pg")
    _publish_file(marts, "run-pg", result.published_at)

    copy = pg_snapshot.refresh(pg_settings, health=True)

    _assert_same(_page_answers(copy.marts), _page_answers(marts))
    logged = health.last_publication(copy.health)
    assert (logged.run_id, logged.published_at, logged.row_counts) == (
        "run-pg",
        result.published_at,
        result.row_counts,
    )
    assert not health.gate_history(copy.health).empty
    assert not health.api_versions(copy.health).empty


def test_types_stay_exact(published: Settings) -> None:
    """numeric(p, s) -> DECIMAL(p, s); numeric without precision -> DECIMAL with the scale of
    its values; dates, timestamps (to the microsecond) and booleans unchanged."""
    with _server(published).connect() as con, con.cursor() as cursor:
        cursor.execute(
            "alter table published.fct_ad_performance_daily alter column spend type numeric"
        )
    copy = pg_snapshot.refresh(published)

    with duckdb.connect(str(copy.marts), read_only=True) as con:
        types = dict(
            con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where table_name = 'fct_ad_performance_daily'"
            ).fetchall()
        )
        spends = con.execute("select spend from fct_ad_performance_daily order by spend").fetchall()
        (published_at,) = con.execute("select distinct published_at from _publication").fetchone()
        split_types = dict(
            con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where table_name = 'rpt_advantage_plus_placement_split'"
            ).fetchall()
        )
    assert types["spend"] == "DECIMAL(18,2)"
    assert types["purchase_value"] == "DECIMAL(18,2)"
    assert types["report_date"] == "DATE"
    assert [spend for (spend,) in spends] == [
        Decimal("1.10"),
        Decimal("5.50"),
        Decimal("10.00"),
        Decimal("11.00"),
    ]
    assert split_types["spend_share"] == "DECIMAL(18,6)"
    assert split_types["threads_without_opt_in"] == "BOOLEAN"
    assert published_at == PUBLISHED_AT


def test_a_new_publication_is_seen_by_the_next_query(
    published: Settings, files: tuple[Path, Path]
) -> None:
    copy = pg_snapshot.refresh(published)
    before = spend.totals_by_currency(copy.marts, ALL)
    inode = copy.marts.stat().st_ino
    # Nothing new: the copy is kept, not made again.
    assert pg_snapshot.refresh(published).marts.stat().st_ino == inode

    marts = files[0]
    with duckdb.connect(str(marts)) as con:
        con.execute("update fct_placement_performance_daily set spend = spend + 1")
    _publish(published, marts, "run-2", PUBLISHED_AT + timedelta(days=1))

    again = pg_snapshot.refresh(published)
    after = spend.totals_by_currency(again.marts, ALL)
    assert publication.latest_publication(again.marts).run_id == "run-2"
    assert after.equals(spend.totals_by_currency(marts, ALL))
    assert not after.equals(before)


def test_sessions_keep_reading_the_current_copy_while_one_copies(
    published: Settings, files: tuple[Path, Path]
) -> None:
    pg_snapshot.refresh(published)
    _publish(published, files[0], "run-2", PUBLISHED_AT + timedelta(days=1))
    with pg_snapshot._lock:  # another session is copying
        current = pg_snapshot.refresh(published)
        assert publication.latest_publication(current.marts).run_id == "run-1"
    assert publication.latest_publication(pg_snapshot.refresh(published).marts).run_id == "run-2"


def test_reads_as_the_bi_role_only(published: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dashboards log in as the BI role; the pipeline's user and password are never used."""
    logins = []
    connect = psycopg2.connect
    monkeypatch.setattr(
        psycopg2, "connect", lambda *args, **kwargs: logins.append(kwargs) or connect(**kwargs)
    )
    pipeline = dataclasses.replace(published.postgres, password="the-pipeline-secret")
    pg_snapshot.refresh(dataclasses.replace(published, postgres=pipeline), health=True)
    monkeypatch.undo()

    with _server(published).connect() as con, con.cursor() as cursor:
        cursor.execute(
            "select distinct usename from pg_stat_activity where application_name = %s",
            [pg_snapshot.APPLICATION_NAME],
        )
        assert cursor.fetchall() == [(published.postgres.bi_role,)]
    assert logins and {login["user"] for login in logins} == {published.postgres.bi_role}
    assert all(login["password"] != "the-pipeline-secret" for login in logins)


def test_unreachable_server_or_unknown_role_gives_a_clear_message(published: Settings) -> None:
    closed = dataclasses.replace(published.postgres, port=1)
    with pytest.raises(pg_snapshot.PublicationUnreadable) as error:
        pg_snapshot.refresh(dataclasses.replace(published, postgres=closed))
    message = str(error.value)
    assert f"{published.postgres.bi_role}` on `127.0.0.1:1/" in message
    for setting in ("SOCIALMART_PG_HOST", "SOCIALMART_PG_PORT", "SOCIALMART_PG_BI_ROLE"):
        assert setting in message

    stranger = dataclasses.replace(published.postgres, bi_role="nobody_here")
    with pytest.raises(pg_snapshot.PublicationUnreadable, match="SOCIALMART_PG_BI_PASSWORD"):
        pg_snapshot.refresh(dataclasses.replace(published, postgres=stranger))


def test_a_role_without_grants_is_told_what_it_needs(published: Settings) -> None:
    with _server(published).connect() as con, con.cursor() as cursor:
        cursor.execute(f"revoke usage on schema published from {published.postgres.bi_role}")
    with pytest.raises(pg_snapshot.PublicationUnreadable, match="USAGE on schemas"):
        pg_snapshot.refresh(published)


def test_a_dropped_connection_is_opened_again(published: Settings) -> None:
    pg_snapshot.refresh(published)
    with _server(published).connect() as con, con.cursor() as cursor:
        cursor.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where application_name = %s",
            [pg_snapshot.APPLICATION_NAME],
        )
        assert cursor.fetchall() == [(True,)]
    assert publication.latest_publication(pg_snapshot.refresh(published).marts).run_id == "run-1"


def test_a_copy_that_disagrees_with_the_publication_is_refused(published: Settings) -> None:
    with _server(published).connect() as con, con.cursor() as cursor:
        cursor.execute(
            "update published._publication set row_count = row_count + 1 "
            "where table_name = 'dim_creators'"
        )
    with pytest.raises(pg_snapshot.PublicationUnreadable, match="dim_creators: 3 rows copied"):
        pg_snapshot.refresh(published)


def test_pages_show_the_postgres_publication_or_why_not(
    published: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page("views/spend.py").run()
    assert not app.exception
    assert "run-1" in " ".join(caption.value for caption in app.caption)
    assert not app.error

    monkeypatch.setenv("SOCIALMART_PG_PORT", "1")
    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page("views/health.py").run()
    assert not app.exception
    [shown] = app.error
    assert "cannot read the PostgreSQL publication" in shown.value
    assert "SOCIALMART_PG_PORT" in shown.value


def test_nothing_published_yet(pg_settings: Settings) -> None:
    _grant_bi_role(pg_settings)  # creates the two schemas, empty
    copy = pg_snapshot.refresh(pg_settings, health=True)
    assert publication.marts_status(copy.marts) is publication.MartsStatus.MISSING
    assert not health.is_available(copy.health)

    app = AppTest.from_file(APP, default_timeout=60)
    app.switch_page("views/spend.py").run()
    assert not app.exception
    pg = pg_settings.postgres
    assert (
        f"schema `published` of PostgreSQL `{pg.host}:{pg.port}/{pg.dbname}`" in app.info[0].value
    )


@pytest.fixture
def postgres_dashboard_url(published: Settings, tmp_path: Path) -> Iterator[str]:
    """The dashboard served (as test_browser serves it) on the PostgreSQL publication:
    pg_settings' SOCIALMART_WAREHOUSE=postgres and SOCIALMART_PG_* are in the environment."""
    with served_dashboard(dict(os.environ), tmp_path / "streamlit.log") as url:
        yield url


@pytest.mark.e2e
def test_spend_by_placement_page_in_a_browser(
    browser_page,  # noqa: F811 (test_browser's fixture)
    postgres_dashboard_url: str,
    files: tuple[Path, Path],
) -> None:
    with duckdb.connect(str(files[0]), read_only=True) as marts:
        spend_by_currency = marts.execute(
            "select account_currency, sum(spend) from fct_placement_performance_daily "
            "group by 1 order by 1"
        ).fetchall()

    _open(
        browser_page,
        f"{postgres_dashboard_url}/spend",
        "Spend by placement platform",
        f"Spend ({spend_by_currency[0][0]})",
        "spend-postgres",
    )

    metrics = _metrics(browser_page)
    assert {label: value for label, value in metrics.items() if label.startswith("Spend")} == {
        f"Spend ({currency})": f"{amount:,.2f}" for currency, amount in spend_by_currency
    }
    assert browser_page.get_by_text("by run run-1", exact=False).is_visible()
