"""land_postgres: the same spool loads the same raw rows on PostgreSQL as on DuckDB, and loads
of one stream serialise on its advisory lock while other streams run in parallel."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import psycopg2.errors
import pytest
from pg_support import fetch_sorted
from test_land import ACCOUNT, JUNE_1, JUNE_2, JUNE_3, Spool, _row, _write_unit

from connectors.common import land, land_postgres
from connectors.common.land import LoadPolicy
from connectors.common.spool import MANIFEST_NAME, SpoolWriter, read_manifest
from connectors.common.streams import StreamSpec, get_stream
from connectors.meta.streams import AD_INSIGHTS_PLACEMENT
from socialmart import pg_warehouse
from socialmart.settings import Settings

LOCK_WAIT = 30.0  # seconds a load that is meant to wait may wait (never reached when green)


@pytest.fixture
def pg(pg_settings: Settings) -> Iterator[pg_warehouse.Connection]:
    with pg_warehouse.connect(pg_settings) as connection:
        yield connection


class Twin:
    """Loads each run into DuckDB (``land``) and PostgreSQL (``land_postgres``) from two
    copies of the same spool folder, and compares what both warehouses hold."""

    def __init__(self, root: Path, pg: pg_warehouse.Connection) -> None:
        self.spool = Spool(root / "spool")
        self.pg_spool = root / "pg-spool"
        self.duck = duckdb.connect(str(root / "warehouse.duckdb"))
        self.pg = pg
        self.specs: list[StreamSpec] = []

    def load(self, run_id: str, policy: LoadPolicy | None = None) -> list[land.LoadReport]:
        """Load ``run_id`` on both engines; both must report (or refuse) the same."""
        policy = policy or LoadPolicy()
        if not (self.pg_spool / run_id).exists():
            shutil.copytree(self.spool.root / run_id, self.pg_spool / run_id)
        duck = _outcome(
            lambda: land.load_spool(self.duck, self.spool.root / run_id, run_id, policy)
        )
        pg = _outcome(
            lambda: land_postgres.load_spool(
                self.pg, self.pg_spool / run_id, run_id, policy, lock_timeout_seconds=LOCK_WAIT
            )
        )
        assert pg == duck
        for report in duck if isinstance(duck, list) else []:
            spec = get_stream(report.source, report.stream)
            if spec not in self.specs:
                self.specs.append(spec)
        self.assert_same_rows()
        return duck if isinstance(duck, list) else []

    def assert_same_rows(self) -> None:
        tables = [
            (f"{schema}.{spec.raw_table}", spec.json_columns)
            for spec in self.specs
            for schema in ("raw", "quarantine")
        ]
        tables += [("raw._schema_drift", ()), ("raw._skipped_runs", ())]
        for table, json_columns in tables:
            assert _rows(self.pg, table, json_columns) == _rows(self.duck, table, json_columns), (
                table
            )
        # loaded_at is each engine's clock.
        loads = "raw._loads"
        assert _rows(self.pg, loads, (), drop=("loaded_at",)) == _rows(
            self.duck, loads, (), drop=("loaded_at",)
        )


def _outcome(load: Callable[[], list[land.LoadReport]]) -> list[land.LoadReport] | str:
    try:
        return load()
    except ValueError as error:
        return f"ValueError: {error}"


def _rows(
    con: Any, table: str, json_columns: tuple[str, ...], drop: tuple[str, ...] = ()
) -> tuple[list[str], list[tuple]]:
    """Column names and engine-independent values: JSON parsed, instants in UTC."""
    cursor = con.execute(f"select * from {table}")
    names = [column[0] for column in cursor.description]
    rows = []
    for row in cursor.fetchall():
        values = []
        for name, value in zip(names, row, strict=True):
            if name in drop:
                continue
            if name in json_columns and isinstance(value, str):
                value = json.loads(value)
            if isinstance(value, datetime):
                value = value.astimezone(UTC)
            values.append(value)
        rows.append(tuple(values))
    return [n for n in names if n not in drop], fetch_sorted(rows)


@pytest.fixture
def twin(tmp_path: Path, pg: pg_warehouse.Connection) -> Iterator[Twin]:
    pair = Twin(tmp_path, pg)
    yield pair
    pair.duck.close()


def _counts(reports: list[land.LoadReport]) -> list[tuple[int, ...]]:
    return [
        (r.rows_seen, r.rows_inserted, r.tombstones_inserted, r.rows_quarantined) for r in reports
    ]


def test_every_raw_row_matches_duckdb_through_a_load_history(twin: Twin) -> None:
    spool = twin.spool
    first = spool.pull([[_row(JUNE_1), _row(JUNE_2), _row(JUNE_3)]], end=JUNE_3)
    assert _counts(twin.load(first)) == [(3, 3, 0, 0)]
    assert twin.load(first) == []  # the same run again: its units are marked loaded
    same = spool.pull([[_row(JUNE_2)], [_row(JUNE_1)]], end=JUNE_2)  # new run, same data
    assert _counts(twin.load(same)) == [(2, 0, 0, 0)]
    restated = spool.pull([[_row(JUNE_1, spend="2.50"), _row(JUNE_2)]])
    assert _counts(twin.load(restated)) == [(2, 1, 0, 0)]
    vanished = spool.pull([[_row(JUNE_1, spend="2.50")]], end=JUNE_2)
    assert _counts(twin.load(vanished)) == [(1, 0, 1, 0)]
    suspect = spool.pull([[]], start=JUNE_1, end=JUNE_3)
    [withheld] = twin.load(suspect)
    assert (withheld.tombstones_withheld, withheld.live_keys_in_window) == (2, 2)
    confirmed = spool.pull([[]], start=JUNE_3, end=JUNE_3)
    trusted = LoadPolicy(confirmed=("meta/*/1234567890",))
    assert _counts(twin.load(confirmed, trusted)) == [(0, 0, 1, 0)]
    broken = spool.pull(
        [
            [
                _row(JUNE_1, spend="-3.00"),
                _row(JUNE_2),
                _row(JUNE_3, ad="302"),
                _row(JUNE_1, ad="303", account_currency="EURO", clicks="1,2"),
            ]
        ]
    )
    assert _counts(twin.load(broken)) == [(4, 1, 0, 3)]
    drift = spool.pull(
        [[_row(JUNE_1, spend="2.50", engaged_views="3", new_metric="1")]], end=JUNE_1
    )
    assert _counts(twin.load(drift)) == [(1, 0, 0, 0)]
    repeated = spool.pull(
        [[_row(JUNE_2, spend="1.00")], [_row(JUNE_2, spend="1.10")]], JUNE_2, JUNE_2
    )
    assert _counts(twin.load(repeated)) == [(2, 1, 0, 0)]
    empty = spool.pull([], account="777")  # no page at all, for an account without rows
    assert _counts(twin.load(empty)) == [(0, 0, 0, 0)]
    # Two accounts in one run, each with its own window; the other repeats ACCOUNT's keys.
    run_id = "run-both"
    _write_unit(spool, run_id, ACCOUNT, [[_row(JUNE_1), _row(JUNE_2, spend="3.00")]], JUNE_3)
    _write_unit(
        spool, run_id, "999", [[_row(d, account_id="999") for d in (JUNE_1, JUNE_2)]], JUNE_3
    )
    assert _counts(twin.load(run_id)) == [(2, 2, 0, 0), (2, 2, 0, 0)]
    # A sharply shorter pull is suspect, a small deletion is not (LoadPolicy.max_vanished_share).
    ads = [_row(JUNE_3, ad=str(ad)) for ad in range(310, 320)]
    assert _counts(twin.load(spool.pull([ads], start=JUNE_3, end=JUNE_3))) == [(10, 10, 0, 0)]
    assert _counts(twin.load(spool.pull([ads[:6]], start=JUNE_3, end=JUNE_3))) == [(6, 0, 4, 0)]
    [short] = twin.load(spool.pull([ads[:1]], start=JUNE_3, end=JUNE_3))
    assert (short.tombstones_inserted, short.tombstones_withheld) == (0, 5)
    # Text the hash must escape as DuckDB's to_json does: quotes, backslash, controls, Unicode.
    odd = 'Ad "Été" \\ / \n\t\u0001 \u2028 ✓'
    assert _counts(twin.load(spool.pull([[_row(JUNE_1, ad_name=odd)]], end=JUNE_1))) == [
        (1, 1, 0, 0)
    ]


def test_a_manifest_mismatch_loads_nothing_on_either_engine(twin: Twin) -> None:
    twin.load(twin.spool.pull([[_row(JUNE_1)]]))
    run = twin.spool.pull([[_row(JUNE_1, spend="9.00")], [_row(JUNE_2)]])
    manifest = twin.spool.root / run / "meta" / "ad_insights_placement" / ACCOUNT / MANIFEST_NAME
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "row_count": 5}))
    assert twin.load(run) == []  # both refused with the same message (Twin.load compares)
    assert (twin.pg_spool / run / manifest.relative_to(twin.spool.root / run)).exists()
    foreign = twin.spool.pull([[_row(JUNE_1, account_id="555")]])
    assert twin.load(foreign) == []


SNAPSHOT_TYPES = [
    # Money as DECIMAL(18, 2), nested JSON, booleans (TikTok campaigns and ad groups).
    (
        "tiktok",
        "smart_plus_campaigns",
        "7000000000000000001",
        [
            {
                "advertiser_id": "7000000000000000001",
                "campaign_id": "c1",
                "budget": 120.5,
                "budget_optimize_on": True,
            },
            {
                "advertiser_id": "7000000000000000001",
                "campaign_id": "c2",
                "budget": "80.25",
                "budget_optimize_on": False,
            },
        ],
    ),
    (
        "tiktok",
        "adgroups",
        "7000000000000000001",
        [
            {
                "advertiser_id": "7000000000000000001",
                "adgroup_id": "g1",
                "placements": ["PLACEMENT_TIKTOK", "PLACEMENT_PANGLE"],
                "budget": 50,
            }
        ],
    ),
    # INTEGER, DOUBLE and an object (Meta ad accounts).
    (
        "meta",
        "ad_accounts",
        "act_1",
        [
            {
                "account_id": "act_1",
                "id": "act_1",
                "account_status": 1,
                "timezone_offset_hours_utc": -7.0,
                "business": {"id": "b1", "name": "Shop"},
            },
            {
                "account_id": "act_1",
                "id": "act_2",
                "account_status": 2,
                "timezone_offset_hours_utc": 5.5,
                "business": None,
            },
        ],
    ),
]


def test_typed_columns_match_duckdb_and_money_stays_exact(
    twin: Twin, pg: pg_warehouse.Connection
) -> None:
    pulled_at = datetime(2026, 6, 3, tzinfo=UTC)
    for number, (source, stream, account, rows) in enumerate(SNAPSHOT_TYPES):
        run_id = f"types-{number}"
        writer = SpoolWriter(
            twin.spool.root,
            run_id,
            source,
            stream,
            account,
            JUNE_1,
            JUNE_1,
            clock=lambda: pulled_at,
        )
        writer.write_page(rows)
        writer.commit(request_count=1)
        assert _counts(twin.load(run_id)) == [(len(rows), len(rows), 0, 0)]
    spec = get_stream("tiktok", "smart_plus_campaigns")
    budget = pg.execute(
        "select format_type(atttypid, atttypmod) from pg_attribute "
        "where attrelid = ?::regclass and attname = 'budget'",
        [f"raw.{spec.raw_table}"],
    ).fetchone()
    assert budget == ("numeric(18,2)",)
    assert pg.execute(
        f"select budget from raw.{spec.raw_table} order by campaign_id"
    ).fetchall() == [
        (Decimal("120.50"),),
        (Decimal("80.25"),),
    ]
    # A JSON null is SQL null on both engines (jsonb 'null' would read as None in Python too).
    nulls = "select id from raw.meta__ad_accounts where business is null"
    assert pg.execute(nulls).fetchall() == twin.duck.execute(nulls).fetchall() == [("act_2",)]
    # Same rows, same hashes: a warehouse can move between engines without new versions.
    hashes = "select _row_hash from raw.meta__ad_accounts order by id"
    assert pg.execute(hashes).fetchall() == twin.duck.execute(hashes).fetchall()


def test_a_torn_page_fails_the_stream_and_loses_nothing(
    pg: pg_warehouse.Connection, tmp_path: Path
) -> None:
    spool = Spool(tmp_path / "spool")
    first = spool.pull([[_row(JUNE_1)]])
    land_postgres.load_spool(pg, spool.root / first, first, lock_timeout_seconds=LOCK_WAIT)
    run = spool.pull([[_row(JUNE_1, spend="5.00")], [_row(JUNE_2)]])
    unit = spool.root / run / "meta" / "ad_insights_placement" / ACCOUNT
    (unit / "page-00002.json").write_text('[{"account_id": "1234567890", "ad_id": ')
    with pytest.raises(duckdb.InvalidInputException, match="Malformed JSON in file .*page-00002"):
        land_postgres.load_spool(pg, spool.root / run, run, lock_timeout_seconds=LOCK_WAIT)
    assert pg.execute(f"select count(*) from {AD_INSIGHTS_PLACEMENT_TABLE}").fetchone() == (1,)
    assert pg.execute("select count(*) from raw._loads").fetchone() == (1,)
    assert (unit / MANIFEST_NAME).exists()  # still pending: can be loaded after a fix


def test_a_copy_postgresql_refuses_fails_the_stream_without_hanging_and_loses_nothing(
    pg: pg_warehouse.Connection, tmp_path: Path
) -> None:
    """The rows reach PostgreSQL through a pipe DuckDB writes while COPY reads: a COPY that
    fails half-way must stop the writer (no hang), roll back and leave the units pending."""
    spool = Spool(tmp_path / "spool")
    first = spool.pull([[_row(JUNE_1)]])
    land_postgres.load_spool(pg, spool.root / first, first, lock_timeout_seconds=LOCK_WAIT)
    pg.execute(
        f"alter table {AD_INSIGHTS_PLACEMENT_TABLE} add constraint small check (spend::numeric < 9)"
    )
    # Every row refused: COPY fails on the first, with far more than a pipe's buffer unread.
    refused = [_row(JUNE_2, ad=str(ad), spend="9.00") for ad in range(3000)]
    run = spool.pull([[_row(JUNE_1), *refused]])
    with pytest.raises(psycopg2.errors.CheckViolation, match="small"):
        land_postgres.load_spool(pg, spool.root / run, run, lock_timeout_seconds=LOCK_WAIT)
    assert pg.execute(f"select count(*) from {AD_INSIGHTS_PLACEMENT_TABLE}").fetchone() == (1,)
    assert pg.execute("select count(*) from raw._loads").fetchone() == (1,)
    # The writer thread ended (other tests of this worker may leave daemon threads behind).
    assert not [t for t in threading.enumerate() if t.name.startswith("land-append-")]
    unit = spool.root / run / "meta" / "ad_insights_placement" / ACCOUNT
    assert (unit / MANIFEST_NAME).exists()


def test_a_failed_duckdb_write_fails_the_stream_with_duckdb_s_error_and_loses_nothing(
    pg: pg_warehouse.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = Spool(tmp_path / "spool")
    run = spool.pull([[_row(JUNE_1), _row(JUNE_2)]])
    monkeypatch.setattr(land_postgres, "_CSV_OUT", "(format no_such_format)")
    with pytest.raises(duckdb.Error, match="no_such_format"):
        land_postgres.load_spool(pg, spool.root / run, run, lock_timeout_seconds=LOCK_WAIT)
    assert pg.execute(f"select count(*) from {AD_INSIGHTS_PLACEMENT_TABLE}").fetchone() == (0,)
    assert pg.execute("select count(*) from raw._loads").fetchone() == (0,)
    monkeypatch.undo()
    [report] = land_postgres.load_spool(pg, spool.root / run, run, lock_timeout_seconds=LOCK_WAIT)
    assert report.rows_inserted == 2


def test_a_load_leaves_the_planner_statistics_of_what_it_wrote(
    pg: pg_warehouse.Connection, tmp_path: Path
) -> None:
    """dbt and the gate read raw right after a load: without statistics the planner takes a
    table for empty and re-runs staging views per row (minutes instead of milliseconds)."""
    spool = Spool(tmp_path / "spool")
    run = spool.pull([[_row(JUNE_1), _row(JUNE_2)]])
    land_postgres.load_spool(pg, spool.root / run, run, lock_timeout_seconds=LOCK_WAIT)
    analysed = pg.execute(
        "select relname, reltuples from pg_class join pg_namespace on relnamespace = "
        "pg_namespace.oid where nspname = 'raw' and relname in (?, '_loads') order by 1",
        [AD_INSIGHTS_PLACEMENT_TABLE.split(".", 1)[1]],
    ).fetchall()
    assert analysed == [("_loads", 1.0), (AD_INSIGHTS_PLACEMENT_TABLE.split(".", 1)[1], 2.0)]


def test_a_newly_declared_column_is_added(pg: pg_warehouse.Connection, tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    first = spool.pull([[_row(JUNE_1)]])
    land_postgres.load_spool(pg, spool.root / first, first, lock_timeout_seconds=LOCK_WAIT)
    wider = replace(
        AD_INSIGHTS_PLACEMENT, columns={**AD_INSIGHTS_PLACEMENT.columns, "reach": "BIGINT"}
    )
    run = spool.pull([[_row(JUNE_1, reach="88")]])
    unit = spool.root / run / "meta" / "ad_insights_placement" / ACCOUNT
    units = [(read_manifest(unit / MANIFEST_NAME), unit)]
    [report] = land_postgres.load_units(pg, wider, units, lock_timeout_seconds=LOCK_WAIT)
    assert report.rows_inserted == 1
    reach = f"select reach from {AD_INSIGHTS_PLACEMENT_TABLE} where _sync_id = ?"
    assert pg.execute(reach, [run]).fetchone() == (88,)


def test_the_statements_of_a_load_do_not_grow_with_its_rows(
    twin: Twin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set-based: a thousand rows over many pages and accounts cost the statements of one row
    (a throughput guard without a clock; speed is measured by the benchmarks)."""
    statements: list[str] = []
    execute, load_spool = pg_warehouse.Connection.execute, land_postgres.load_spool

    def counting(self: pg_warehouse.Connection, sql: str, params: Any = None) -> Any:
        statements.append(sql)
        return execute(self, sql, params)

    def counted_load(*args: Any, **kwargs: Any) -> list[land.LoadReport]:
        with monkeypatch.context() as patch:
            patch.setattr(pg_warehouse.Connection, "execute", counting)
            return load_spool(*args, **kwargs)

    twin.load(_many_accounts_run(twin.spool, "first", accounts=1, ads=1, pages=1))  # the DDL
    monkeypatch.setattr(land_postgres, "load_spool", counted_load)
    twin.load(_many_accounts_run(twin.spool, "small", accounts=1, ads=1, pages=1))
    small = len(statements)
    statements.clear()
    big = twin.load(_many_accounts_run(twin.spool, "big", accounts=5, ads=50, pages=4))
    assert sum(report.rows_inserted for report in big) == 5 * 50 * 4
    assert 0 < small == len(statements)  # and Twin.load compared every row with DuckDB's


def _many_accounts_run(spool: Spool, run_id: str, accounts: int, ads: int, pages: int) -> str:
    """One run of ``accounts`` accounts, each ``pages`` pages (one day each) of ``ads`` ads."""
    days = [JUNE_1 + timedelta(days=page) for page in range(pages)]
    for number in range(accounts):
        account = f"{run_id}-{number}"
        _write_unit(
            spool,
            run_id,
            account,
            [
                [
                    _row(day, ad=str(ad), account_id=account, spend=f"{ad}.{page:02d}")
                    for ad in range(ads)
                ]
                for page, day in enumerate(days)
            ],
            days[-1],
        )
    return run_id


# --- concurrency ------------------------------------------------------------------------


def _placement_run(spool: Spool, account: str = ACCOUNT) -> str:
    return spool.pull(
        [[_row(JUNE_1, account_id=account), _row(JUNE_2, account_id=account)]], account=account
    )


def _hold_lock(settings: Settings, spec: StreamSpec) -> pg_warehouse.Connection:
    holder = pg_warehouse.connect(settings)
    holder.begin()
    land_postgres.lock_stream(holder, spec, 0)
    return holder


def test_a_load_of_a_locked_stream_fails_after_the_timeout_naming_the_holder(
    pg_settings: Settings, pg: pg_warehouse.Connection, tmp_path: Path
) -> None:
    spool = Spool(tmp_path / "spool")
    run = _placement_run(spool)
    holder = _hold_lock(pg_settings, AD_INSIGHTS_PLACEMENT)
    try:
        holder_pid = holder.execute("select pg_backend_pid()").fetchone()[0]
        with pytest.raises(land_postgres.StreamLockTimeout) as failure:
            land_postgres.load_spool(pg, spool.root / run, run, lock_timeout_seconds=0.2)
        message = str(failure.value)
        assert message.startswith(
            "meta/ad_insights_placement: another load of this stream holds the lock it needs"
        )
        assert f"pid {holder_pid}, application 'socialmart'" in message
        assert "waited 0.2 s" in message and "SOCIALMART_LOCK_TIMEOUT_SECONDS" in message
        # Nothing loaded, the unit still pending, the connection usable.
        assert (
            spool.root / run / "meta" / "ad_insights_placement" / ACCOUNT / MANIFEST_NAME
        ).exists()
        assert pg.execute(f"select count(*) from {AD_INSIGHTS_PLACEMENT_TABLE}").fetchone() == (0,)
    finally:
        holder.close()
    [report] = land_postgres.load_spool(pg, spool.root / run, run, lock_timeout_seconds=0.2)
    assert report.rows_inserted == 2


AD_INSIGHTS_PLACEMENT_TABLE = f"raw.{AD_INSIGHTS_PLACEMENT.raw_table}"


def test_two_loads_of_one_stream_run_one_after_the_other_other_streams_alongside(
    pg_settings: Settings,
    pg: pg_warehouse.Connection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spool = Spool(tmp_path / "spool")
    first, second = _placement_run(spool), _placement_run(spool, "999")
    other_stream = "other-stream"
    writer = SpoolWriter(spool.root, other_stream, "meta", "ad_accounts", "act_1", JUNE_1, JUNE_1)
    writer.write_page([{"account_id": "act_1", "id": "act_1", "account_status": 1}])
    writer.commit(request_count=1)
    # The first load pauses inside its transaction, holding the stream's lock.
    paused, release = threading.Event(), threading.Event()
    snapshot_latest = land_postgres._snapshot_latest

    def pausing(con: pg_warehouse.Connection, duck: duckdb.DuckDBPyConnection, *rest: Any) -> None:
        (run_id,) = duck.execute("select distinct run_id from temp._land_units").fetchone()
        if run_id == first:
            paused.set()
            release.wait(LOCK_WAIT)
        snapshot_latest(con, duck, *rest)

    monkeypatch.setattr(land_postgres, "_snapshot_latest", pausing)
    try:
        first_load = _load_in_thread(pg_settings, spool, first)
        assert paused.wait(LOCK_WAIT)
        # Another stream loads meanwhile, without waiting.
        [other] = land_postgres.load_spool(
            pg, spool.root / other_stream, other_stream, lock_timeout_seconds=0.2
        )
        assert other.rows_inserted == 1
        # The second load of the stream waits on its lock (seen in pg_locks)...
        second_load = _load_in_thread(pg_settings, spool, second)
        waiting = "select count(*) from pg_locks where locktype = 'advisory' and not granted"
        assert _wait_for(lambda: pg.execute(waiting).fetchone()[0] == 1)
        assert second_load.thread.is_alive() and not second_load.outcome
    finally:
        release.set()
    # ... and runs once the first committed: both loads complete, nothing lost or doubled.
    for load in (first_load, second_load):
        load.thread.join(LOCK_WAIT * 2)
    assert [(r.account_id, r.rows_inserted) for r in first_load.outcome] == [(ACCOUNT, 2)]
    assert [(r.account_id, r.rows_inserted) for r in second_load.outcome] == [("999", 2)]
    assert pg.execute(
        f"select account_id, count(*) from {AD_INSIGHTS_PLACEMENT_TABLE} group by 1 order by 1"
    ).fetchall() == [(ACCOUNT, 2), ("999", 2)]
    assert pg.execute("select count(*) from raw._loads").fetchone() == (3,)


class _ThreadedLoad(NamedTuple):
    thread: threading.Thread
    outcome: list[Any]  # the reports, or the exception the load raised


def _load_in_thread(settings: Settings, spool: Spool, run_id: str) -> _ThreadedLoad:
    """Start ``load_spool`` of ``run_id`` on a connection of its own, in a thread."""
    outcome: list[Any] = []

    def load() -> None:
        with pg_warehouse.connect(settings) as con:
            try:
                outcome.extend(
                    land_postgres.load_spool(
                        con, spool.root / run_id, run_id, lock_timeout_seconds=LOCK_WAIT
                    )
                )
            except BaseException as error:  # the test's assertions on outcome show it
                outcome.append(error)

    thread = threading.Thread(target=load)
    thread.start()
    return _ThreadedLoad(thread, outcome)


def _wait_for(condition: Callable[[], bool]) -> bool:
    """Poll ``condition`` until it holds (True) or LOCK_WAIT passed (False)."""
    deadline = datetime.now(UTC).timestamp() + LOCK_WAIT
    while datetime.now(UTC).timestamp() < deadline:
        if condition():
            return True
        threading.Event().wait(0.05)
    return False


def test_ensure_raw_table_is_idempotent_and_a_skipped_run_is_recorded(
    pg: pg_warehouse.Connection,
) -> None:
    for _ in range(2):
        land_postgres.ensure_raw_table(pg, AD_INSIGHTS_PLACEMENT)
    land_postgres.record_skipped_run(pg, "meta", "run-9", "no accounts configured")
    assert pg.execute("select source, run_id, reason from raw._skipped_runs").fetchall() == [
        ("meta", "run-9", "no accounts configured")
    ]
    columns = pg.execute(f"select * from {AD_INSIGHTS_PLACEMENT_TABLE} limit 0").description
    assert [c[0] for c in columns] == [*AD_INSIGHTS_PLACEMENT.columns, *land.METADATA_COLUMNS]


def test_pg_type_keeps_money_exact_and_refuses_unknown_types() -> None:
    assert land_postgres.pg_type("DECIMAL(18, 2)") == "numeric(18, 2)"
    assert land_postgres.pg_type("JSON") == "jsonb"
    assert land_postgres.pg_type("TIMESTAMPTZ") == "timestamptz"
    with pytest.raises(ValueError, match="HUGEINT"):
        land_postgres.pg_type("HUGEINT")
