"""Threads connector against mocked HTTP: requests, paging, rows, faults, cleanup, secrets."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import responses
from connector_testkit import FakeClock, graph_client
from responses import matchers

from connectors.common.errors import FatalApiError, RetriesExhaustedError
from connectors.common.graph import GraphClient
from connectors.common.spool import read_manifest
from connectors.threads.client import PLATFORM, classify_threads_response
from connectors.threads.extract import extract_account
from socialmart.settings import Settings, load_settings

BASE = "https://graph.threads.net/v1.0"
TOKEN = "THAA-test-threads-secret-91b2c3"
PROFILE = "27300000000000101"
POSTS_URL = f"{BASE}/{PROFILE}/threads"
DAILY_URL = f"{BASE}/{PROFILE}/threads_insights"
NOV_1, NOV_2 = date(2026, 11, 1), date(2026, 11, 2)


@pytest.fixture
def threads_settings(settings: Settings) -> Settings:
    return replace(
        settings,
        threads=replace(
            settings.threads,
            base_url="https://graph.threads.net",
            access_token=TOKEN,
            profile_tokens=(),
            profile_ids=(PROFILE,),
            page_limit=2,
        ),
    )


@pytest.fixture
def client(threads_settings: Settings, clock: FakeClock) -> GraphClient:
    return graph_client(
        PLATFORM, BASE, TOKEN, threads_settings.http, classify_threads_response, clock
    )


def _post(post_id: str, stamp: str, media_type: str = "TEXT_POST") -> dict[str, Any]:
    return {
        "id": post_id,
        "media_product_type": "THREADS",
        "media_type": media_type,
        "permalink": f"https://www.threads.net/@ana/post/{post_id}",
        "text": "hello",
        "timestamp": stamp,
        "username": "ana",
    }


def _lifetime(post_id: str, **values: int) -> dict[str, Any]:
    return {
        "data": [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": value}],
                "title": name,
                "description": "…",
                "id": f"{post_id}/insights/{name}/lifetime",
            }
            for name, value in values.items()
        ]
    }


def _day(views: int, likes: int, followers: int, end_time: str) -> dict[str, Any]:
    return {
        "data": [
            {"name": "views", "period": "day", "values": [{"value": views, "end_time": end_time}]},
            {"name": "likes", "period": "day", "total_value": {"value": likes}},
            {"name": "followers_count", "period": "day", "total_value": {"value": followers}},
        ]
    }


def _error(code: int, message: str = "boom", subcode: int | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error | {"fbtrace_id": "Atrace"}}


def _mock_happy_path() -> None:
    next_url = f"{POSTS_URL}?access_token={TOKEN}&limit=2&after=MQZDZD"
    responses.get(
        POSTS_URL,
        match=[matchers.query_param_matcher({"after": "MQZDZD"}, strict_match=False)],
        json={"data": [_post("p3", "2026-10-31T23:59:59+0000")]},
    )
    responses.get(
        POSTS_URL,
        json={
            "data": [
                _post("p1", "2026-11-02T10:00:00+0000"),
                _post("p2", "2026-11-01T08:30:00+0000", "REPOST_FACADE"),
            ],
            "paging": {"cursors": {"before": "MAZDZD", "after": "MQZDZD"}, "next": next_url},
        },
    )
    responses.get(f"{BASE}/p1/insights", json=_lifetime("p1", views=120, likes=7, shares=1))
    responses.get(f"{BASE}/p2/insights", json={"data": []})
    for day, views in (("2026-11-01", 50), ("2026-11-02", 70)):
        since = str(_unix(day))
        responses.get(
            DAILY_URL,
            match=[matchers.query_param_matcher({"since": since}, strict_match=False)],
            json=_day(views, views // 10, 1000, f"{day}T07:00:00+0000"),
        )


def _unix(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


def _rows(manifest: Path) -> list[dict[str, Any]]:
    unit = manifest.parent
    return [
        row
        for name in read_manifest(manifest).files
        for row in json.loads((unit / name).read_text())
    ]


@responses.activate
def test_requests_rows_and_manifests(threads_settings: Settings, client: GraphClient) -> None:
    _mock_happy_path()
    posts, insights, daily = extract_account(
        threads_settings, PROFILE, NOV_1, NOV_2, "run-1", client=client
    )
    first = responses.calls[0].request
    assert first.params["access_token"] == TOKEN
    assert (
        first.params["fields"]
        == "id,media_product_type,media_type,permalink,text,timestamp,username"
    )
    assert (first.params["since"], first.params["until"]) == (
        str(_unix("2026-11-01")),
        str(_unix("2026-11-03")),
    )
    assert first.params["limit"] == "2"
    # the next link is followed as is (it carries the token)
    assert responses.calls[1].request.params["after"] == "MQZDZD"
    insight_call = next(c.request for c in responses.calls if "/p1/insights" in c.request.url)
    assert insight_call.params["metric"] == "views,likes,replies,reposts,quotes,shares"
    daily_call = next(c.request for c in responses.calls if "threads_insights" in c.request.url)
    assert (
        daily_call.params["metric"] == "views,likes,replies,reposts,quotes,clicks,followers_count"
    )

    post_rows = _rows(posts)
    # p3 is outside the window (UTC day 2026-10-31): not kept
    assert [(r["id"], r["post_date"], r["profile_id"]) for r in post_rows] == [
        ("p1", "2026-11-02", PROFILE),
        ("p2", "2026-11-01", PROFILE),
    ]
    # the repost answers an empty list: no insights row
    assert _rows(insights) == [
        {
            "profile_id": PROFILE,
            "post_id": "p1",
            "post_date": "2026-11-02",
            "views": 120,
            "likes": 7,
            "replies": None,
            "reposts": None,
            "quotes": None,
            "shares": 1,
        }
    ]
    daily_rows = _rows(daily)
    assert [
        (r["report_date"], r["views"], r["likes"], r["followers_count"]) for r in daily_rows
    ] == [
        ("2026-11-01", 50, 5, 1000),
        ("2026-11-02", 70, 7, 1000),
    ]
    assert read_manifest(daily).request_count == 2
    assert read_manifest(posts).row_count == 2


@responses.activate
def test_empty_profile_lands_empty_units(threads_settings: Settings, client: GraphClient) -> None:
    responses.get(POSTS_URL, json={"data": []})
    responses.get(DAILY_URL, json=_day(0, 0, 10, "2026-11-01T07:00:00+0000"))
    manifests = extract_account(threads_settings, PROFILE, NOV_1, NOV_1, "run-1", client=client)
    assert [read_manifest(m).row_count for m in manifests] == [0, 0, 1]


@responses.activate
def test_throttle_and_5xx_are_retried(
    threads_settings: Settings, client: GraphClient, clock: FakeClock
) -> None:
    responses.get(POSTS_URL, json=_error(4, "(#4) Application request limit reached"), status=400)
    responses.get(POSTS_URL, body="<html>oops</html>", status=502)
    responses.get(POSTS_URL, json={"data": []})
    responses.get(DAILY_URL, json=_day(1, 0, 10, "2026-11-01T07:00:00+0000"))
    manifests = extract_account(threads_settings, PROFILE, NOV_1, NOV_1, "run-1", client=client)
    assert read_manifest(manifests[0]).request_count == 3
    assert clock.sleeps == [1.0, 2.0]


@responses.activate
def test_retries_exhausted_discards_the_profile(
    threads_settings: Settings, client: GraphClient
) -> None:
    _mock_happy_path()
    responses.replace(responses.GET, DAILY_URL, json=_error(2, "transient"), status=400)
    with pytest.raises(RetriesExhaustedError):
        extract_account(threads_settings, PROFILE, NOV_1, NOV_2, "run-1", client=client)
    assert not list((threads_settings.spool_dir / "run-1").rglob("*.json"))


@responses.activate
def test_expired_token_is_fatal_with_the_fix_and_leaves_nothing(
    threads_settings: Settings, client: GraphClient, caplog: pytest.LogCaptureFixture
) -> None:
    _mock_happy_path()
    responses.replace(
        responses.GET,
        f"{BASE}/p1/insights",
        json=_error(190, "Error validating access token: Session has expired", 463),
        status=400,
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(FatalApiError) as failure:
        extract_account(threads_settings, PROFILE, NOV_1, NOV_2, "run-1", client=client)
    message = str(failure.value)
    assert "THREADS_ACCESS_TOKENS" in message and "rejected the access token" in message
    assert len(responses.calls) == 3  # no retry of a fatal answer
    assert not list((threads_settings.spool_dir / "run-1").rglob("*.json"))
    assert TOKEN not in message and TOKEN not in caplog.text


@responses.activate
def test_permission_error_names_the_setting(
    threads_settings: Settings, client: GraphClient
) -> None:
    responses.get(
        POSTS_URL, json=_error(10, "(#10) Application does not have permission"), status=400
    )
    with pytest.raises(FatalApiError, match="THREADS_PROFILES"):
        extract_account(threads_settings, PROFILE, NOV_1, NOV_1, "run-1", client=client)


def test_configured_tokens_are_masked_in_any_log_record(
    threads_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    GraphClient(PLATFORM, BASE, TOKEN, threads_settings.http, classify_threads_response)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("connectors.common.http").warning("oops %s", f"Bearer {TOKEN}")
    assert TOKEN not in caplog.text and "***" in caplog.text


def test_token_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", "shared-token-value")
    monkeypatch.setenv("THREADS_ACCESS_TOKENS", "111:tok-a-123456, 222:TH|app|tok:b")
    monkeypatch.delenv("THREADS_PROFILES", raising=False)
    threads = load_settings().threads
    assert threads.profiles == ("111", "222")
    assert threads.token_for("222") == "TH|app|tok:b"
    assert threads.token_for("333") == "shared-token-value"
    assert "tok-a" not in repr(threads) and "shared-token" not in repr(threads)
    monkeypatch.setenv("THREADS_PROFILES", "333")
    assert load_settings().threads.profiles == ("333",)
    monkeypatch.setenv("THREADS_ACCESS_TOKENS", "no-colon")
    with pytest.raises(ValueError, match="THREADS_ACCESS_TOKENS"):
        load_settings()


@responses.activate
def test_a_cut_off_json_error_body_is_retried(
    threads_settings: Settings, client: GraphClient
) -> None:
    responses.get(
        POSTS_URL, body='{"error":{"message":"(#10', status=400, content_type="application/json"
    )
    responses.get(POSTS_URL, body="<html>Not Found</html>", status=404, content_type="text/html")
    with pytest.raises(FatalApiError, match="HTTP 404"):
        extract_account(threads_settings, PROFILE, NOV_1, NOV_1, "run-1", client=client)
    assert len(responses.calls) == 2


@responses.activate
def test_paging_loop_and_next_without_token(client: GraphClient) -> None:
    looping = f"{POSTS_URL}?after=QQ"
    responses.get(POSTS_URL, json={"data": [], "paging": {"next": looping}})
    with pytest.raises(FatalApiError, match="paging loops"):
        list(client.pages(f"{PROFILE}/threads", account=PROFILE))
    # a next link without the token gets it added (and only then)
    assert responses.calls[1].request.params["access_token"] == TOKEN


# Profile ``clicks`` arrive per link. Payload shape: the Threads Insights API lists ``clicks``
# among the user metrics of ``GET /{threads-user-id}/threads_insights``
# (https://developers.facebook.com/documentation/threads/insights); it answers per link,
# ``link_total_values: [{"value": n, "link_url": "..."}]`` and no ``total_value``, as shown in
# https://qiita.com/MisaNeco/items/6cf07b23787e717d5789 (reading the official insights doc).
SHOP = "https://shop.example.com/new-in"
BIO = "https://links.example/ana"


def _clicks_day(clicks_entry: dict[str, Any]) -> dict[str, Any]:
    end_time = "2026-11-01T07:00:00+0000"
    return {
        "data": [
            {"name": "views", "period": "day", "values": [{"value": 500, "end_time": end_time}]},
            {"name": "likes", "period": "day", "total_value": {"value": 12}},
            clicks_entry,
            {"name": "followers_count", "period": "day", "total_value": {"value": 1000}},
        ]
    }


def _clicks(**shape: Any) -> dict[str, Any]:
    return {
        "name": "clicks",
        "period": "day",
        "title": "clicks",
        "description": "…",
        "id": f"{PROFILE}/insights/clicks/day",
        **shape,
    }


def _pull(settings: Settings, client: GraphClient, daily: dict[str, Any]) -> dict[str, Any]:
    """The one profile row an extract of NOV_1 lands when the daily insights are ``daily``."""
    responses.get(POSTS_URL, json={"data": []})
    responses.get(DAILY_URL, json=daily)
    *_, manifest = extract_account(settings, PROFILE, NOV_1, NOV_1, "run-1", client=client)
    (row,) = _rows(manifest)
    return row


@responses.activate
def test_clicks_per_link_are_summed_and_kept_per_link(
    threads_settings: Settings, client: GraphClient
) -> None:
    links = [{"value": 31, "link_url": SHOP}, {"value": 8, "link_url": BIO}]
    row = _pull(threads_settings, client, _clicks_day(_clicks(link_total_values=links)))
    assert row["report_date"] == NOV_1.isoformat()
    assert (row["views"], row["likes"], row["clicks"], row["followers_count"]) == (
        500,
        12,
        39,
        1000,
    )
    assert row["clicks_by_url"] == [
        {"link_url": SHOP, "value": 31},
        {"link_url": BIO, "value": 8},
    ]


@responses.activate
def test_no_link_clicked_is_zero_clicks(threads_settings: Settings, client: GraphClient) -> None:
    row = _pull(threads_settings, client, _clicks_day(_clicks(link_total_values=[])))
    assert (row["clicks"], row["clicks_by_url"]) == (0, [])


@responses.activate
def test_a_total_value_still_reads_as_before(
    threads_settings: Settings, client: GraphClient
) -> None:
    row = _pull(threads_settings, client, _clicks_day(_clicks(total_value={"value": 5})))
    assert (row["clicks"], row["clicks_by_url"]) == (5, None)


@responses.activate
def test_an_unknown_shape_is_null_with_a_warning(
    threads_settings: Settings, client: GraphClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="connectors.threads.extract"):
        row = _pull(threads_settings, client, _clicks_day(_clicks(link_values={"n": 3})))
    assert row["clicks"] is None
    assert "Threads metric clicks came back in an unknown shape" in caplog.text
    assert "link_values" in caplog.text
