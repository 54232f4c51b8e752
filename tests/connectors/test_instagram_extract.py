"""Instagram media insights connector: statuses per media, media ids, faults, cleanup."""

from __future__ import annotations

import json
import logging
import multiprocessing
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
import responses
from connector_testkit import FakeClock, graph_client

from connectors.common.errors import ConnectorError, FatalApiError
from connectors.common.graph import GraphClient
from connectors.common.land import LoadPolicy, load_spool
from connectors.common.spool import read_manifest
from connectors.instagram.client import PLATFORM, classify_instagram_response
from connectors.instagram.extract import extract_account, list_accounts
from connectors.instagram.media_ids import media_ids
from socialmart import pg_warehouse
from socialmart.run_lock import warehouse_lock
from socialmart.settings import Settings

BASE = "https://graph.facebook.com/v27.0"
TOKEN = "EAAG-test-instagram-secret-55d1e0"
ACCOUNT = "17841400000000011"
START = END = date(2026, 11, 20)


@pytest.fixture
def ig_settings(settings: Settings) -> Settings:
    return replace(
        settings,
        instagram=replace(
            settings.instagram,
            base_url="https://graph.facebook.com",
            access_token=TOKEN,
            business_account_id=ACCOUNT,
            media_ids=("m1", "m2", "m3", "m4"),
        ),
    )


@pytest.fixture
def client(ig_settings: Settings, clock: FakeClock) -> GraphClient:
    return graph_client(PLATFORM, BASE, TOKEN, ig_settings.http, classify_instagram_response, clock)


def _lifetime(**values: int) -> dict[str, Any]:
    return {
        "data": [
            {"name": k, "period": "lifetime", "values": [{"value": v}], "id": f"x/insights/{k}"}
            for k, v in values.items()
        ]
    }


def _error(code: int, message: str, subcode: int | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


def _mock_media() -> None:
    responses.get(f"{BASE}/m1/insights", json=_lifetime(reach=900, views=1200, likes=40, saved=3))
    responses.get(f"{BASE}/m2/insights", json={"data": []})
    responses.get(
        f"{BASE}/m3/insights",
        json=_error(10, "(#10) Not enough viewers for the media to show insights"),
        status=400,
    )
    responses.get(
        f"{BASE}/m4/insights",
        json=_error(100, "Unsupported get request. Object with ID 'm4' does not exist", 33),
        status=400,
    )


def _rows(manifest: Path) -> dict[str, dict[str, Any]]:
    unit = manifest.parent
    rows = [r for f in read_manifest(manifest).files for r in json.loads((unit / f).read_text())]
    return {row["media_id"]: row for row in rows}


@responses.activate
def test_one_row_per_media_with_its_status(ig_settings: Settings, client: GraphClient) -> None:
    _mock_media()
    (manifest,) = extract_account(ig_settings, ACCOUNT, START, END, "run-1", client=client)
    sent = responses.calls[0].request.params
    assert sent["metric"] == "reach,views,likes,comments,shares,saved,total_interactions"
    assert sent["access_token"] == TOKEN
    assert len(responses.calls) == 4  # neither "unavailable" answer is retried
    rows = _rows(manifest)
    assert rows["m1"] == {
        "ig_account_id": ACCOUNT,
        "media_id": "m1",
        "status": "available",
        "status_detail": None,
        "reach": 900,
        "views": 1200,
        "likes": 40,
        "comments": None,
        "shares": None,
        "saved": 3,
        "total_interactions": None,
    }
    assert rows["m2"]["status"] == "no_data" and rows["m2"]["reach"] is None
    assert rows["m3"]["status"] == "not_enough_viewers"
    assert "Not enough viewers" in rows["m3"]["status_detail"]
    assert rows["m4"]["status"] == "inaccessible"


@responses.activate
def test_snapshot_load_tombstones_media_no_longer_pulled(
    ig_settings: Settings, client: GraphClient
) -> None:
    _mock_media()
    con = duckdb.connect(str(ig_settings.warehouse_path))
    extract_account(ig_settings, ACCOUNT, START, END, "run-1", client=client)
    load_spool(con, ig_settings.spool_dir / "run-1", "run-1")
    fewer = replace(ig_settings, instagram=replace(ig_settings.instagram, media_ids=("m1",)))
    extract_account(fewer, ACCOUNT, START, END, "run-2", client=client)
    (report,) = load_spool(con, ig_settings.spool_dir / "run-2", "run-2")
    # 3 of 4 media gone at once is a suspect pull: nothing is deleted until confirmed.
    assert (report.rows_inserted, report.tombstones_inserted, report.tombstones_withheld) == (
        0,
        0,
        3,
    )
    extract_account(fewer, ACCOUNT, START, END, "run-3", client=client)
    confirmed = LoadPolicy(confirmed=(f"instagram/media_insights/{ACCOUNT}",))
    (report,) = load_spool(con, ig_settings.spool_dir / "run-3", "run-3", confirmed)
    assert (report.rows_inserted, report.tombstones_inserted) == (0, 3)


@responses.activate
def test_rejected_token_stops_the_account_and_leaves_nothing(
    ig_settings: Settings, client: GraphClient, caplog: pytest.LogCaptureFixture
) -> None:
    _mock_media()
    responses.replace(
        responses.GET, f"{BASE}/m2/insights", json=_error(190, "Invalid OAuth"), status=400
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(FatalApiError, match="INSTAGRAM_ACCESS_TOKEN"):
        extract_account(ig_settings, ACCOUNT, START, END, "run-1", client=client)
    assert not list((ig_settings.spool_dir / "run-1").rglob("*.json"))
    assert TOKEN not in caplog.text


@responses.activate
def test_transient_errors_are_retried(
    ig_settings: Settings, client: GraphClient, clock: FakeClock
) -> None:
    single = replace(ig_settings, instagram=replace(ig_settings.instagram, media_ids=("m1",)))
    responses.get(f"{BASE}/m1/insights", json=_error(2, "temporarily unavailable"), status=400)
    responses.get(f"{BASE}/m1/insights", json=_lifetime(reach=5))
    (manifest,) = extract_account(single, ACCOUNT, START, END, "run-1", client=client)
    assert _rows(manifest)["m1"]["reach"] == 5
    assert clock.sleeps == [1.0]


def test_accounts_only_when_configured(settings: Settings, ig_settings: Settings) -> None:
    assert (
        list_accounts(
            replace(settings, instagram=replace(settings.instagram, business_account_id=""))
        )
        == []
    )
    assert list_accounts(ig_settings) == [ACCOUNT]


def _creatives(path: Path, rows: list[tuple[str, str | None, str, bool]]) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    con.execute(
        "create table raw.meta__adcreatives (id varchar, source_instagram_media_id varchar, "
        "_sync_id varchar, _pulled_at timestamptz, _is_deleted boolean)"
    )
    con.executemany("insert into raw.meta__adcreatives values (?, ?, 's', ?::timestamptz, ?)", rows)
    con.close()


def test_media_ids_from_the_latest_ad_creatives(ig_settings: Settings) -> None:
    auto = replace(ig_settings, instagram=replace(ig_settings.instagram, media_ids=()))
    assert media_ids(auto, "run-1") == []  # no warehouse yet
    _creatives(
        auto.warehouse_path,
        [
            ("c1", "111", "2026-11-01T00:00:00Z", False),
            ("c1", "222", "2026-11-02T00:00:00Z", False),  # the creative changed its media
            ("c2", "333", "2026-11-01T00:00:00Z", False),
            ("c2", "333", "2026-11-02T00:00:00Z", True),  # deleted
            ("c3", None, "2026-11-01T00:00:00Z", False),
            ("c4", "222", "2026-11-01T00:00:00Z", False),
        ],
    )
    assert media_ids(auto, "run-1") == ["222"]
    assert media_ids(ig_settings, "run-1") == ["m1", "m2", "m3", "m4"]  # the setting wins


def test_media_ids_include_the_creatives_this_run_extracted(ig_settings: Settings) -> None:
    auto = replace(ig_settings, instagram=replace(ig_settings.instagram, media_ids=()))
    unit = auto.spool_dir / "run-1" / "meta" / "adcreatives" / "1234567890"
    unit.mkdir(parents=True)
    page = [
        {"id": "c9", "source_instagram_media_id": "999", "object_story_spec": {"page_id": "1"}},
        {"id": "c8", "name": "no media"},
    ]
    (unit / "page-00001.json").write_text(json.dumps(page))
    assert media_ids(auto, "run-1") == ["999"]
    assert media_ids(auto, "another-run") == []


def test_media_ids_without_the_creatives_table(ig_settings: Settings) -> None:
    auto = replace(ig_settings, instagram=replace(ig_settings.instagram, media_ids=()))
    duckdb.connect(str(auto.warehouse_path)).close()
    assert media_ids(auto, "run-1") == []


def test_media_ids_when_the_warehouse_cannot_be_opened(ig_settings: Settings) -> None:
    auto = replace(ig_settings, instagram=replace(ig_settings.instagram, media_ids=()))
    auto.warehouse_path.write_text("not a duckdb file")
    with pytest.raises(ConnectorError, match="INSTAGRAM_MEDIA_IDS"):
        media_ids(auto, "run-1")


def _hold_the_warehouse(settings: Settings, held: Any, release: Any) -> None:
    """A load in another process: the run lock and DuckDB's write lock, until released."""
    with warehouse_lock(settings, "load-run", "load"):
        con = duckdb.connect(str(settings.warehouse_path))
        held.set()
        release.wait(30)
        con.close()


def test_media_ids_wait_for_a_load_that_writes_the_warehouse(ig_settings: Settings) -> None:
    """The Instagram extract reads the warehouse while another DAG's load may write it: it
    waits for the run lock instead of failing on DuckDB's file lock (seen under Airflow)."""
    auto = replace(ig_settings, instagram=replace(ig_settings.instagram, media_ids=()))
    _creatives(auto.warehouse_path, [("c1", "111", "2026-11-01T00:00:00Z", False)])
    fork = multiprocessing.get_context("fork")
    held, release = fork.Event(), fork.Event()
    load = fork.Process(target=_hold_the_warehouse, args=(auto, held, release))
    load.start()
    try:
        assert held.wait(30)
        with pytest.raises(duckdb.IOException, match="lock"):  # what the extract met before
            duckdb.connect(str(auto.warehouse_path), read_only=True)
        threading.Timer(1.0, release.set).start()
        assert media_ids(auto, "run-1") == ["111"]
    finally:
        release.set()
        load.join(30)
    assert load.exitcode == 0


def test_media_ids_from_a_postgresql_warehouse(pg_settings: Settings) -> None:
    auto = replace(pg_settings, instagram=replace(pg_settings.instagram, media_ids=()))
    with pg_warehouse.connect(auto) as pg:
        assert media_ids(auto, "run-1") == []  # no creatives table yet
        pg.execute(
            "create table raw.meta__adcreatives (id text, source_instagram_media_id text, "
            "_sync_id text, _pulled_at timestamptz, _is_deleted boolean)"
        )
        pg.execute(
            "insert into raw.meta__adcreatives values "
            "('c1', '111', 's', '2026-11-01T00:00:00Z', false), "
            "('c1', '222', 's', '2026-11-02T00:00:00Z', false), "
            "('c2', '333', 's', '2026-11-01T00:00:00Z', false), "
            "('c2', '333', 's', '2026-11-02T00:00:00Z', true)"
        )
    assert media_ids(auto, "run-1") == ["222"]
