"""Meta connector against the running stand-in: faults, exact ground truth, restatements,
idempotency, kill-and-rerun, a fatal account, usage-header pacing, no token anywhere."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from connector_testkit import FakeClock

from connectors.common.errors import FatalApiError
from connectors.common.land import load_spool
from connectors.common.spool import MANIFEST_NAME, read_manifest
from connectors.meta.client import MetaClient
from connectors.meta.extract import extract_account, extract_streams, list_accounts
from connectors.meta.insights import MIN_PAGE_LIMIT
from connectors.meta.streams import AD_INSIGHTS, AD_INSIGHTS_PLACEMENT
from sandbox.faults import FaultPlan
from sandbox.meta.restatement import DEFAULT_HORIZON_DAYS
from sandbox.meta.truth import ad_truth, entity_truth, placement_truth
from sandbox.server import RunningSandbox
from socialmart import pipeline
from socialmart.settings import SANDBOX_META_TOKEN, Settings, load_settings

SEED = 11
START, END = date(2026, 9, 16), date(2026, 9, 22)  # the deleted EU ad stops on 09-20
NOW = datetime(2026, 9, 24, 10, 0, tzinfo=UTC)  # recent days still restating
WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_ev", "1d_view")
CREATE = r"act_\d+/insights$"

FAULTS = [
    {"preset": "throttle", "match": CREATE, "nth": 1},
    {"preset": "async_too_large", "match": CREATE, "nth": 2},
    {"kind": "async_skipped", "match": CREATE, "nth": 6},
    {"kind": "http_503", "match": r"/v27\.0/\d+$", "nth": 2, "retry_after": 1},
    {"preset": "transient", "match": "/campaigns$", "nth": 2},
    {"kind": "http_500", "match": "/adsets$", "nth": 1, "times": 2},
    {"kind": "reset", "match": "/ads$", "nth": 2},
    {"kind": "truncated", "match": "/adcreatives$", "nth": 1},
    {"kind": "truncated", "match": r"/\d+/insights$", "nth": 3},
]


@pytest.fixture
def sync_settings(
    stand_in: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    monkeypatch.setenv("SOCIALMART_HOME", str(tmp_path))
    monkeypatch.setenv("META_GRAPH_BASE_URL", stand_in.meta_base_url)
    monkeypatch.delenv("META_AD_ACCOUNT_IDS", raising=False)
    base = load_settings()
    # Ranges over 3 days go async, so one sync exercises report runs and their faults.
    return replace(base, meta=replace(base.meta, async_threshold_days=3))


def _sync(settings: Settings, run_id: str, clock: FakeClock, start: date = START) -> list:
    client = MetaClient(settings.meta, settings.http, sleep=clock.sleep, clock=clock.time)
    try:
        for account in list_accounts(settings, client):
            extract_account(settings, account, start, END, run_id, client=client)
    finally:
        client.close()
    with duckdb.connect(str(settings.warehouse_path)) as con:
        return load_spool(con, settings.spool_dir / run_id, run_id)


_ACTION = (
    '[{"action_type":"VARCHAR","value":"VARCHAR","1d_click":"VARCHAR","7d_click":"VARCHAR",'
    '"28d_click":"VARCHAR","1d_ev":"VARCHAR","1d_view":"VARCHAR"}]'
)


def _latest_sql(table: str, key: str) -> str:
    """Latest non-deleted version per key, with the canonical purchase's windows as columns."""
    windows = ", ".join(
        f'coalesce(p."{w}", \'0\')::bigint as "purchases_{w}", '
        f'coalesce(v."{w}", \'0\')::decimal(18, 2) as "purchase_value_{w}"'
        for w in WINDOWS
    )
    return f"""
        with latest as (
            select * from {table}
            qualify row_number() over (partition by {key} order by _pulled_at desc) = 1
        ),
        live as (
            select *,
                list_filter(from_json(actions, '{_ACTION}'),
                            x -> x.action_type = 'omni_purchase')[1] as p,
                list_filter(from_json(action_values, '{_ACTION}'),
                            x -> x.action_type = 'omni_purchase')[1] as v
            from latest where not _is_deleted
        )
        select date_start::varchar as date, account_id, ad_id,
            {"publisher_platform, platform_position," if "platform" in key else ""}
            spend::decimal(18, 2) as spend, impressions::bigint as impressions,
            clicks::bigint as clicks,
            coalesce(p.value, '0')::bigint as purchases,
            coalesce(v.value, '0')::decimal(18, 2) as purchase_value,
            {windows}
        from live
    """


_MEASURES = (
    "spend",
    "impressions",
    "clicks",
    "purchases",
    "purchase_value",
    *(f"{m}_{w}" for w in WINDOWS for m in ("purchases", "purchase_value")),
)


def _as_rows(records: list[dict[str, Any]], grain: tuple[str, ...]) -> set[tuple]:
    return {
        tuple(r[c] for c in grain) + tuple(Decimal(str(r[m])) for m in _MEASURES) for r in records
    }


def _raw(con: duckdb.DuckDBPyConnection, spec, grain: tuple[str, ...]) -> set[tuple]:
    key = ", ".join(spec.key)
    frame = con.execute(_latest_sql(f"raw.{spec.raw_table}", key)).fetchall()
    names = [d[0] for d in con.description]
    return _as_rows([dict(zip(names, row, strict=True)) for row in frame], grain)


PLACEMENT_GRAIN = ("date", "account_id", "ad_id", "publisher_platform", "platform_position")
AD_GRAIN = ("date", "account_id", "ad_id")


def test_faulted_sync_lands_exactly_the_ground_truth(
    sync_settings: Settings, stand_in: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    with caplog.at_level(logging.DEBUG):
        reports = _sync(sync_settings, "run-1", clock)
    assert {r.stream for r in reports} >= {"ad_insights", "ad_insights_placement", "adcreatives"}
    faults = {r.fault for r in stand_in.requests if r.fault}
    assert faults >= {"meta_error", "async_failed", "async_skipped", "http_503", "reset"}
    assert 60.0 in clock.sleeps  # the throttle's estimated_time_to_regain_access (1 minute)

    truth_kw = {"as_of": NOW, "restatement_days": DEFAULT_HORIZON_DAYS}
    placement = placement_truth(SEED, START, END, **truth_kw)
    with duckdb.connect(str(sync_settings.warehouse_path), read_only=True) as con:
        assert _raw(con, AD_INSIGHTS_PLACEMENT, PLACEMENT_GRAIN) == _as_rows(
            placement, PLACEMENT_GRAIN
        )
        assert _raw(con, AD_INSIGHTS, AD_GRAIN) == _as_rows(
            ad_truth(SEED, START, END, **truth_kw), AD_GRAIN
        )
        _assert_entities_match_truth(con)
        deleted_spend = con.execute(
            "select sum(i.spend::decimal(18, 2)) from raw.meta__ad_insights i "
            "join raw.meta__ads a on a.id = i.ad_id where a.effective_status = 'DELETED'"
        ).fetchone()[0]
        _assert_token_absent(con, sync_settings, caplog.text)
    assert deleted_spend and deleted_spend > 0, "the deleted ad keeps its spend history"


def _assert_entities_match_truth(con: duckdb.DuckDBPyConnection) -> None:
    truth = entity_truth()
    for stream, columns in (
        ("ad_accounts", ("account_id", "id", "currency", "timezone_name")),
        ("campaigns", ("account_id", "id", "effective_status")),
        ("adsets", ("account_id", "id", "campaign_id", "effective_status")),
        ("ads", ("account_id", "id", "adset_id", "effective_status")),
        ("adcreatives", ("account_id", "id", "source_instagram_media_id")),
    ):
        landed = set(con.execute(f"select {', '.join(columns)} from raw.meta__{stream}").fetchall())
        assert landed == {tuple(row[c] for c in columns) for row in truth[stream]}, stream
    ads_creative = con.execute(
        "select count(*) from raw.meta__ads where creative->>'id' is null"
    ).fetchone()[0]
    assert ads_creative == 0
    partners = con.execute(
        "select id, json_array_length(branded_content->'partners') from raw.meta__adcreatives "
        "where branded_content is not null"
    ).fetchall()
    assert len(partners) == 4 and all(n >= 2 for _, n in partners)


def _assert_token_absent(con: duckdb.DuckDBPyConnection, settings: Settings, logs: str) -> None:
    secret = SANDBOX_META_TOKEN
    assert secret not in logs
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables"
    ).fetchall()
    for schema, table in tables:
        dump = json.dumps(
            con.execute(f'select * from "{schema}"."{table}"').fetchall(), default=str
        )
        assert secret not in dump and "access_token" not in dump, table
    for path in settings.spool_dir.rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(), path


def test_same_range_three_times_is_idempotent_and_kill_then_rerun_converges(
    sync_settings: Settings,
) -> None:
    sync_settings = replace(
        sync_settings, meta=replace(sync_settings.meta, ad_account_ids=("579220001184532",))
    )
    clock = FakeClock()
    _sync(sync_settings, "run-1", clock)
    state = _state(sync_settings)
    for run in ("run-2", "run-3"):
        reports = _sync(sync_settings, run, clock)
        assert sum(r.rows_inserted + r.tombstones_inserted for r in reports) == 0
        assert _state(sync_settings) == state

    # Killed half-way: one account extracted, its insights manifest never written.
    killed = replace(sync_settings, warehouse_path=sync_settings.home / "killed.duckdb")
    client = MetaClient(killed.meta, killed.http, sleep=clock.sleep, clock=clock.time)
    [first, *_] = list_accounts(killed, client)
    extract_account(killed, first, START, END, "run-k", client=client)
    unit = killed.spool_dir / "run-k" / "meta" / "ad_insights_placement" / first
    (unit / MANIFEST_NAME).unlink()
    with duckdb.connect(str(killed.warehouse_path)) as con:
        load_spool(con, killed.spool_dir / "run-k", "run-k")
    _sync(killed, "run-k2", clock)
    assert _state(killed) == state


def _state(settings: Settings) -> dict[str, set[tuple]]:
    """Latest payload per key in every Meta raw table (metadata columns excluded)."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'raw' and table_name like 'meta__%'"
            ).fetchall()
        ]
        state = {}
        for table in tables:
            rows = con.execute(
                f"select * exclude (_sync_id, _pulled_at, _source) from raw.{table} "
                "qualify row_number() over (partition by _row_hash order by _pulled_at) = 1"
            ).fetchall()
            count = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            state[table] = (frozenset(rows), count)
        return state


def test_restated_day_lands_a_second_version_equal_to_the_truth_at_the_second_pull(
    sync_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = date(2026, 9, 20)
    settings = replace(
        sync_settings, meta=replace(sync_settings.meta, ad_account_ids=("248710003360117",))
    )
    clock = FakeClock()
    t1, t2 = datetime(2026, 9, 21, 8, tzinfo=UTC), datetime(2026, 9, 25, 8, tzinfo=UTC)
    for run, moment in (("pull-t1", t1), ("pull-t2", t2)):
        monkeypatch.setenv("SANDBOX_NOW", moment.isoformat())
        _sync(settings, run, clock, start=day)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        versions = con.execute(
            "select count(distinct _sync_id), count(*) filter (where _sync_id = 'pull-t2') "
            "from raw.meta__ad_insights where date_start = $day and not _is_deleted",
            {"day": day},
        ).fetchone()
        latest = _raw(con, AD_INSIGHTS, AD_GRAIN)
    assert versions[0] == 2 and versions[1] > 0
    eu = [
        r
        for r in ad_truth(SEED, day, END, as_of=t2, restatement_days=DEFAULT_HORIZON_DAYS)
        if r["account_id"] == "248710003360117"
    ]
    assert latest == _as_rows(eu, AD_GRAIN)
    earlier = ad_truth(SEED, day, day, as_of=t1, restatement_days=DEFAULT_HORIZON_DAYS)
    final = ad_truth(SEED, day, day)
    assert sum(r["purchases"] for r in earlier) < sum(r["purchases"] for r in final)


def test_high_usage_header_slows_the_client_down(stand_in: RunningSandbox) -> None:
    # Usage at 85 % is between slow_down_at (75) and pause_at (95): half the 30 s maximum.
    stand_in.server.faults = FaultPlan.from_rules(
        [{"kind": "high_usage", "usage_pct": 85, "match": "/campaigns$", "nth": 1}]
    )
    settings = load_settings()
    meta = replace(settings.meta, base_url=stand_in.meta_base_url, page_limit=2)
    clock = FakeClock()
    client = MetaClient(meta, settings.http, sleep=clock.sleep, clock=clock.time)
    pages = list(client.pages("act_248710003360117/campaigns", {"limit": "2"}))
    assert len(pages) == 2
    assert clock.sleeps == [pytest.approx(15.0)]


def test_fatal_token_error_stops_only_that_account_and_leaves_nothing_of_it(
    sync_settings: Settings, stand_in: RunningSandbox
) -> None:
    uk = "331840007712906"
    stand_in.server.faults = FaultPlan.from_rules(
        [{"preset": "expired_token", "match": f"act_{uk}/adsets$", "times": None}]
    )
    outcome = pipeline.extract(sync_settings, pipeline.Window(START, START), "run-f", ("meta",))
    [failure] = outcome.failures
    assert failure.account == uk and "META_ACCESS_TOKEN" in failure.error
    assert SANDBOX_META_TOKEN not in failure.error
    run_dir = sync_settings.spool_dir / "run-f" / "meta"
    assert not list(run_dir.glob(f"*/{uk}"))
    loaded = {p.parent.name for p in run_dir.rglob(MANIFEST_NAME)}
    assert loaded == {"248710003360117", "579220001184532"}
    with pytest.raises(FatalApiError, match="META_ACCESS_TOKEN"):
        extract_account(sync_settings, uk, START, START, "run-g")


EU = "248710003360117"
#: Meta's "reduce the amount of data" on every insights page asking for too many rows.
REFUSE_BIG_PAGES = {"preset": "too_much_data", "match": "/insights$", "times": None}


def _one_day_placements(settings: Settings, run_id: str) -> Path:
    """Extract one account's placement insights for START only, in 5000-row pages."""
    settings = replace(settings, meta=replace(settings.meta, page_limit=5000))
    clock = FakeClock()
    client = MetaClient(settings.meta, settings.http, sleep=clock.sleep, clock=clock.time)
    try:
        [manifest] = extract_streams((AD_INSIGHTS_PLACEMENT,))(
            settings, EU, START, START, run_id, client
        )
    finally:
        client.close()
    return manifest


def _spooled_rows(manifest: Path) -> list[str]:
    files = read_manifest(manifest).files
    rows = [row for name in files for row in json.loads((manifest.parent / name).read_text())]
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


def test_one_day_pages_refused_above_1000_rows_shrink_to_the_unrefused_rows(
    sync_settings: Settings, stand_in: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    stand_in.server.faults = None
    unrefused = _one_day_placements(sync_settings, "run-plain")
    stand_in.server.faults = FaultPlan.from_rules([{**REFUSE_BIG_PAGES, "max_limit": 1000}])
    served_before = len(stand_in.requests)
    with caplog.at_level(logging.DEBUG):
        shrunk = _one_day_placements(sync_settings, "run-shrunk")
    served = stand_in.requests[served_before:]
    # The sync page, then the report run's results at 5000, 2500 and 1250 rows.
    assert [r.status for r in served].count(400) == 4
    assert read_manifest(shrunk).request_count == len(served)
    assert _spooled_rows(shrunk) == _spooled_rows(unrefused) != []
    halvings = [r for r in caplog.records if r.levelno == logging.WARNING and "again" in r.msg]
    assert len(halvings) == 3
    assert SANDBOX_META_TOKEN not in caplog.text


def test_one_day_page_refused_at_the_floor_fails_naming_account_day_and_limit(
    sync_settings: Settings, stand_in: RunningSandbox
) -> None:
    refuse_all = {**REFUSE_BIG_PAGES, "max_limit": MIN_PAGE_LIMIT - 1}
    stand_in.server.faults = FaultPlan.from_rules([refuse_all])
    with pytest.raises(FatalApiError) as info:
        _one_day_placements(sync_settings, "run-f")
    message = str(info.value)
    assert EU in message and START.isoformat() in message
    assert f"pages of {MIN_PAGE_LIMIT} rows" in message
    assert SANDBOX_META_TOKEN not in message
    assert not list((sync_settings.spool_dir / "run-f").rglob(MANIFEST_NAME))
