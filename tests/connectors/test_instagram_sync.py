"""Instagram media insights sync against the running stand-in: exact truth with faults,
fatal token, idempotency and no token anywhere."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pytest
from connector_testkit import latest_rows, stand_in_settings

from sandbox.creators import BRAND, partnership_media
from sandbox.instagram import truth
from sandbox.instagram.media import MEDIA_METRICS
from sandbox.server import RunningSandbox
from socialmart import pipeline
from socialmart.settings import SANDBOX_INSTAGRAM_TOKEN, Settings, load_settings

SEED = 42
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
WINDOW = pipeline.Window(date(2026, 11, 20), date(2026, 11, 20))
UNKNOWN = "17900000000000000"
SOURCES = ("instagram",)
FAULTS = [
    {"kind": "meta_error", "preset": "throttle", "match": "/insights$", "nth": 1},
    {"kind": "http_500", "match": "/insights$", "nth": 3},
    {"kind": "reset", "match": "/insights$", "nth": 5},
    {"kind": "truncated", "match": "/insights$", "nth": 8},
]


@pytest.fixture
def sync_settings(stand_in: RunningSandbox, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    media = [m.media_id for m in partnership_media()] + [UNKNOWN]
    return stand_in_settings(
        monkeypatch,
        tmp_path / "home",
        INSTAGRAM_GRAPH_BASE_URL=f"{stand_in.base_url}/graph.instagram.com",
        INSTAGRAM_ACCESS_TOKEN=SANDBOX_INSTAGRAM_TOKEN,
        INSTAGRAM_BUSINESS_ACCOUNT_ID=BRAND.ig_user_id,
        INSTAGRAM_MEDIA_IDS=",".join(media),
    )


def _latest(settings: Settings) -> list[dict[str, Any]]:
    columns = ("media_id", "status", *MEDIA_METRICS)
    rows = latest_rows(settings, "raw.instagram__media_insights", ("ig_account_id", "media_id"))
    return [{column: row[column] for column in columns} for row in rows]  # one account


def _expected() -> list[dict[str, Any]]:
    missing = {"media_id": UNKNOWN, "status": "inaccessible"} | dict.fromkeys(MEDIA_METRICS)
    return sorted([*truth.media_insights(SEED, NOW), missing], key=lambda row: row["media_id"])


def test_sync_with_faults_lands_exactly_the_truth(
    sync_settings: Settings, stand_in: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    outcome = pipeline.extract(sync_settings, WINDOW, "run-1", sources=SOURCES)
    assert outcome.failures == []
    assert {r.fault for r in stand_in.requests if r.fault} == {
        "meta_error",
        "http_500",
        "reset",
        "truncated",
    }
    spool_text = "".join(p.read_text() for p in sync_settings.spool_dir.rglob("*.json"))
    pipeline.load(sync_settings, "run-1")
    expected = _expected()
    assert {row["status"] for row in expected} == {
        "available",
        "no_data",
        "not_enough_viewers",
        "inaccessible",
    }
    assert _latest(sync_settings) == expected
    for run in ("run-2", "run-3"):
        pipeline.extract(sync_settings, WINDOW, run, sources=SOURCES)
        (report,) = pipeline.load(sync_settings, run)
        assert (report.rows_inserted, report.tombstones_inserted) == (0, 0)
    assert _latest(sync_settings) == expected
    assert SANDBOX_INSTAGRAM_TOKEN not in caplog.text + spool_text
    with duckdb.connect(str(sync_settings.warehouse_path), read_only=True) as con:
        dump = str(con.sql("select * from raw.instagram__media_insights").fetchall())
        dump += str(con.sql("select * from raw._loads").fetchall())
    assert SANDBOX_INSTAGRAM_TOKEN not in dump


def test_a_rejected_token_fails_the_account_clearly(
    sync_settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bad = "EAAG-revoked-instagram-token-77"
    monkeypatch.setenv("INSTAGRAM_ACCESS_TOKEN", bad)
    settings = load_settings()
    caplog.set_level(logging.DEBUG)
    outcome = pipeline.extract(settings, WINDOW, "run-1", sources=SOURCES)
    (failure,) = outcome.failures
    assert failure.account == BRAND.ig_user_id
    assert "INSTAGRAM_ACCESS_TOKEN" in failure.error and "code 190" in failure.error
    assert pipeline.load(settings, "run-1") == []
    assert bad not in caplog.text
