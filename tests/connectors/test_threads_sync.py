"""Threads sync against the running stand-in: exact ground truth, faults, fatal tokens,
idempotency, kill-and-rerun and no token anywhere."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import pytest
from connector_testkit import latest_rows, stand_in_settings

from sandbox.creators import BRAND, CREATORS
from sandbox.server import RunningSandbox
from sandbox.threads import truth
from socialmart import pipeline
from socialmart.settings import SANDBOX_THREADS_TOKEN, Settings, load_settings

SEED = 42
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
WINDOW = pipeline.Window(date(2026, 11, 18), date(2026, 11, 20))
PROFILES = (BRAND.threads_user_id, CREATORS[0].threads_user_id, CREATORS[1].threads_user_id)
SOURCES = ("threads",)
KEYS = {
    "posts": ("profile_id", "id"),
    "post_insights": ("profile_id", "post_id"),
    "profile_insights_daily": ("profile_id", "report_date"),
}
FAULTS = [
    {"kind": "meta_error", "preset": "throttle", "match": "/threads$", "nth": 1, "times": 2},
    {"kind": "meta_error", "preset": "transient", "match": "/insights$", "nth": 3},
    {"kind": "http_500", "match": "/threads_insights$", "nth": 2},
    {"kind": "http_503", "match": "/insights$", "nth": 7, "retry_after": 0},
    {"kind": "reset", "match": "/insights$", "nth": 11},
    {"kind": "truncated", "match": "/threads$", "nth": 4},
]


@pytest.fixture
def sync_settings(stand_in: RunningSandbox, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("THREADS_ACCESS_TOKENS", raising=False)
    return stand_in_settings(
        monkeypatch,
        tmp_path / "home",
        THREADS_BASE_URL=f"{stand_in.base_url}/graph.threads.net",
        THREADS_PROFILES=",".join(PROFILES),
        THREADS_ACCESS_TOKEN=SANDBOX_THREADS_TOKEN,
        THREADS_PAGE_LIMIT="4",
        HTTP_TIMEOUT_SECONDS="5",
    )


def _sync(settings: Settings, run_id: str) -> pipeline.ExtractOutcome:
    outcome = pipeline.extract(settings, WINDOW, run_id, sources=SOURCES)
    pipeline.load(settings, run_id)
    return outcome


def _latest(settings: Settings, stream: str) -> list[dict[str, Any]]:
    return latest_rows(settings, f"raw.threads__{stream}", KEYS[stream])


def _expected(stream: str, now: datetime = NOW) -> list[dict[str, Any]]:
    build = {
        "posts": truth.posts,
        "post_insights": truth.post_insights,
        "profile_insights_daily": truth.profile_insights_daily,
    }[stream]
    rows = build(SEED, WINDOW.start, WINDOW.end, now, PROFILES)
    return sorted(rows, key=lambda row: tuple(str(row[k]) for k in KEYS[stream]))


def _project(rows: list[dict[str, Any]], like: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = like[0].keys() if like else ()
    return [{name: row[name] for name in names} for row in rows]


def _raw_state(settings: Settings) -> dict[str, list[tuple]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return {
            stream: con.sql(
                f"select * exclude (_sync_id, _pulled_at) from raw.threads__{stream} order by all"
            ).fetchall()
            for stream in KEYS
        }


def test_sync_with_faults_lands_exactly_the_truth(
    sync_settings: Settings, stand_in: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    outcome = pipeline.extract(sync_settings, WINDOW, "run-1", sources=SOURCES)
    assert outcome.failures == []
    fired = {r.fault for r in stand_in.requests if r.fault}
    assert fired == {"meta_error", "http_500", "http_503", "reset", "truncated"}
    spool_text = "".join(p.read_text() for p in (sync_settings.spool_dir / "run-1").rglob("*.json"))
    pipeline.load(sync_settings, "run-1")
    for stream in KEYS:
        expected = _expected(stream)
        assert expected, stream
        assert _project(_latest(sync_settings, stream), expected) == expected, stream
    # no token in log lines, spool files, raw tables or the load log
    assert SANDBOX_THREADS_TOKEN not in caplog.text
    assert SANDBOX_THREADS_TOKEN not in spool_text
    with duckdb.connect(str(sync_settings.warehouse_path), read_only=True) as con:
        for table in ("threads__posts", "threads__post_insights", "_loads"):
            dump = str(con.sql(f"select * from raw.{table}").fetchall())
            assert SANDBOX_THREADS_TOKEN not in dump


def test_profile_clicks_land_per_link_and_add_up(sync_settings: Settings) -> None:
    """The stand-in answers clicks as link_total_values (the API's shape): summed into
    ``clicks`` and kept per link in ``clicks_by_url``, exactly as the truth splits them."""
    _sync(sync_settings, "run-1")
    with duckdb.connect(str(sync_settings.warehouse_path), read_only=True) as con:
        landed = con.sql(
            "select profile_id, report_date, unnest(from_json(clicks_by_url, "
            '\'[{"link_url": "VARCHAR", "value": "BIGINT"}]\'), recursive := true) '
            "from raw.threads__profile_insights_daily where not _is_deleted"
        ).fetchall()
        sums = con.sql(
            "select sum(clicks), count(*) filter (where clicks is null) "
            "from raw.threads__profile_insights_daily where not _is_deleted"
        ).fetchone()
    expected = truth.profile_link_clicks_daily(SEED, WINDOW.start, WINDOW.end, NOW, PROFILES)
    assert sorted(landed) == sorted(
        (r["profile_id"], r["report_date"], r["link_url"], r["clicks"]) for r in expected
    )
    assert sums == (sum(r["clicks"] for r in expected), 0)
    assert sums[0] > 0


def test_same_window_three_times_gives_the_same_raw_state(sync_settings: Settings) -> None:
    _sync(sync_settings, "run-1")
    first = _raw_state(sync_settings)
    for run in ("run-2", "run-3"):
        assert _sync(sync_settings, run).failures == []
        assert _raw_state(sync_settings) == first
    with duckdb.connect(str(sync_settings.warehouse_path), read_only=True) as con:
        inserted = con.sql(
            "select sum(rows_inserted + tombstones_inserted) from raw._loads "
            "where run_id in ('run-2', 'run-3')"
        ).fetchone()[0]
    assert inserted == 0


def test_a_later_pull_adds_versions_of_growing_post_insights(
    sync_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sync(sync_settings, "run-1")
    later = NOW + timedelta(hours=20)
    monkeypatch.setenv("SANDBOX_NOW", later.isoformat())
    _sync(sync_settings, "run-2")
    expected = _expected("post_insights", later)
    assert _project(_latest(sync_settings, "post_insights"), expected) == expected
    with duckdb.connect(str(sync_settings.warehouse_path), read_only=True) as con:
        versions = con.sql(
            "select count(*) from raw.threads__post_insights group by profile_id, post_id"
        ).fetchall()
    assert {n for (n,) in versions} == {2}  # every post grew, each pull kept


def test_killed_extract_is_never_loaded_and_a_rerun_completes(sync_settings: Settings) -> None:
    pipeline.extract(sync_settings, WINDOW, "run-1", sources=SOURCES)
    # The process died before one unit's manifest was written: that unit must not load.
    victim = sync_settings.spool_dir / "run-1" / "threads" / "post_insights" / PROFILES[1]
    (victim / "manifest.json").unlink()
    reports = pipeline.load(sync_settings, "run-1")
    assert len(reports) == 3 * len(PROFILES) - 1
    assert all(row["profile_id"] != PROFILES[1] for row in _latest(sync_settings, "post_insights"))
    _sync(sync_settings, "run-2")
    for stream in KEYS:
        expected = _expected(stream)
        assert _project(_latest(sync_settings, stream), expected) == expected, stream


def test_a_rejected_token_stops_only_that_profile(
    sync_settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bad = "THAA-expired-token-of-lena-0042"
    monkeypatch.setenv("THREADS_ACCESS_TOKENS", f"{PROFILES[2]}:{bad}")
    settings = load_settings()
    caplog.set_level(logging.DEBUG)
    outcome = pipeline.extract(settings, WINDOW, "run-1", sources=SOURCES)
    (failure,) = outcome.failures
    assert failure.account == PROFILES[2]
    assert "code 190" in failure.error and "THREADS_ACCESS_TOKENS" in failure.error
    assert not (settings.spool_dir / "run-1" / "threads" / "posts" / PROFILES[2]).exists()
    pipeline.load(settings, "run-1")
    landed = {row["profile_id"] for row in _latest(settings, "profile_insights_daily")}
    assert landed == set(PROFILES[:2])
    assert bad not in caplog.text and bad not in failure.error
