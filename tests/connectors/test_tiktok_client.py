"""TikTok connector against mocked HTTP: envelope classification, retries, paging, span
shrinking, GMV Max, landing of recorded responses, and no token anywhere."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import requests
import responses
from connector_testkit import (
    ADV,
    TIKTOK_API,
    TOKEN,
    FakeClock,
    fixture_json,
    loaded_run,
)

from connectors.common.errors import (
    FatalApiError,
    QueryTooLargeError,
    RetriesExhaustedError,
    RetryableApiError,
)
from connectors.common.spool import MANIFEST_NAME
from connectors.tiktok.client import TikTokClient
from connectors.tiktok.errors import classify_tiktok_response
from connectors.tiktok.extract import extract_account, list_advertisers
from connectors.tiktok.streams import REPORT_WINDOW
from connectors.tiktok.throttle import TokenBucket
from socialmart.settings import Settings

EMPTY = {"code": 0, "message": "OK", "request_id": "1", "data": {"list": [], "page_info": {}}}


def _fixture(name: str) -> dict:
    return fixture_json(f"tiktok/{name}")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (40100, RetryableApiError),
        (40200, RetryableApiError),
        (40202, RetryableApiError),
        (40700, RetryableApiError),
        (50000, RetryableApiError),
        (50002, RetryableApiError),
        (51021, RetryableApiError),
        (60001, RetryableApiError),
        (40067, QueryTooLargeError),
        (40105, FatalApiError),
        (40001, FatalApiError),
        (40101, FatalApiError),
        (40110, FatalApiError),
        (41000, FatalApiError),
        (40002, FatalApiError),  # an invalid parameter other than the span
    ],
)
def test_classifier_per_code(code: int, kind: type) -> None:
    body = {"code": code, "message": "something", "request_id": "1", "data": {}}
    problem = classify_tiktok_response(requests.Response(), body, ADV)
    assert type(problem) is kind and problem.code == code


def test_classifier_span_error_and_ok() -> None:
    problem = classify_tiktok_response(requests.Response(), _fixture("error_span.json"), ADV)
    assert isinstance(problem, QueryTooLargeError)
    assert classify_tiktok_response(requests.Response(), _fixture("report_basic.json"), ADV) is None


@responses.activate
def test_access_token_header_and_json_params(tiktok: TikTokClient) -> None:
    responses.get(f"{TIKTOK_API}/advertiser/info/", json=_fixture("advertiser_info.json"))
    data = tiktok.get("advertiser/info/", {"advertiser_ids": [ADV]})
    assert data["list"][0]["currency"] == "USD"
    sent = responses.calls[0].request
    assert sent.headers["Access-Token"] == TOKEN
    assert json.loads(sent.params["advertiser_ids"]) == [ADV]
    assert TOKEN not in sent.url


@responses.activate
def test_rate_limit_then_gateway_timeout_then_ok(tiktok: TikTokClient, clock: FakeClock) -> None:
    url = f"{TIKTOK_API}/ad/get/"
    responses.get(url, json=_fixture("error_qps.json"))
    responses.get(url, body="<html>504 Gateway Time-out</html>", status=504)
    responses.get(url, json=_fixture("ad_get.json"))
    pages = list(tiktok.pages("ad/get/", {"advertiser_id": ADV}, page_size=1000, account=ADV))
    assert [a["ad_id"] for a in pages[0]][1] == "1728545390695443"
    assert clock.sleeps == [1.0, 2.0]


@responses.activate
def test_retries_exhausted(tiktok: TikTokClient) -> None:
    responses.get(
        f"{TIKTOK_API}/ad/get/", json={"code": 50000, "message": "System error.", "data": {}}
    )
    with pytest.raises(RetriesExhaustedError):
        tiktok.get("ad/get/", {"advertiser_id": ADV})
    assert len(responses.calls) == 4


@responses.activate
def test_paging_until_total_page(tiktok: TikTokClient) -> None:
    for page in (1, 2, 3):
        info = {"page": page, "page_size": 1, "total_number": 3, "total_page": 3}
        body = {"code": 0, "message": "ok", "data": {"list": [{"n": page}], "page_info": info}}
        responses.get(
            f"{TIKTOK_API}/campaign/get/",
            json=body,
            match=[responses.matchers.query_param_matcher({"page": str(page)}, strict_match=False)],
        )
    pages = list(tiktok.pages("campaign/get/", {"advertiser_id": ADV}, page_size=1))
    assert [p[0]["n"] for p in pages] == [1, 2, 3]


@responses.activate
def test_fatal_token_error_names_the_fix(tiktok: TikTokClient) -> None:
    body = {"code": 40105, "message": "Access token is incorrect or has been revoked.", "data": {}}
    responses.get(f"{TIKTOK_API}/advertiser/info/", json=body)
    with pytest.raises(FatalApiError, match="TIKTOK_ACCESS_TOKEN"):
        tiktok.get("advertiser/info/", {"advertiser_ids": [ADV]}, account=ADV)


def test_token_bucket_paces_after_burst() -> None:
    now = [0.0]
    bucket = TokenBucket(2, clock=lambda: now[0])
    waits = [bucket(requests.Response()) for _ in range(4)]
    assert waits == [0.0, 0.0, 0.5, 1.0]
    now[0] = 10.0
    assert bucket(requests.Response()) == 0.0


def test_report_window_spans_cover_the_range_in_30_days() -> None:
    chunks = list(REPORT_WINDOW.spans(date(2026, 1, 1), date(2026, 3, 5)))
    assert chunks[0] == (date(2026, 1, 1), date(2026, 1, 30))
    assert chunks[-1][1] == date(2026, 3, 5) and len(chunks) == 3


@responses.activate
def test_list_advertisers_from_app(tt_settings: Settings, tiktok: TikTokClient) -> None:
    configured = replace(
        tt_settings,
        tiktok=replace(
            tt_settings.tiktok, advertiser_ids=(), app_id="app", app_secret="s3cr3t-app-secret"
        ),
    )
    body = {"code": 0, "message": "ok", "data": {"list": [{"advertiser_id": ADV}]}}
    responses.get(f"{TIKTOK_API}/oauth2/advertiser/get/", json=body)
    assert list_advertisers(configured, tiktok) == [ADV]
    unconfigured = replace(configured, tiktok=replace(configured.tiktok, app_id=""))
    assert list_advertisers(unconfigured, tiktok) == []


def _mock_account(report_errors: list[dict] | None = None) -> None:
    responses.get(f"{TIKTOK_API}/advertiser/info/", json=_fixture("advertiser_info.json"))
    responses.get(f"{TIKTOK_API}/campaign/get/", json=EMPTY)
    responses.get(f"{TIKTOK_API}/adgroup/get/", json=_fixture("adgroup_get.json"))
    responses.get(f"{TIKTOK_API}/ad/get/", json=_fixture("ad_get.json"))
    for level in ("campaign", "adgroup", "ad"):  # no Upgraded Smart+ campaigns
        responses.get(f"{TIKTOK_API}/smart_plus/{level}/get/", json=EMPTY)
    for error in report_errors or []:
        responses.get(f"{TIKTOK_API}/report/integrated/get/", json=error)
    responses.get(f"{TIKTOK_API}/report/integrated/get/", json=_fixture("report_basic.json"))
    responses.get(f"{TIKTOK_API}/gmv_max/store/list/", json=_fixture("gmv_store_list.json"))
    responses.get(f"{TIKTOK_API}/gmv_max/campaign/get/", json=EMPTY)
    responses.get(f"{TIKTOK_API}/gmv_max/report/get/", json=_fixture("gmv_report.json"))


@responses.activate
def test_extract_lands_recorded_shapes(
    tt_settings: Settings, tiktok: TikTokClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _mock_account()
    manifests = extract_account(
        tt_settings, ADV, date(2021, 10, 25), date(2021, 10, 25), "r", tiktok
    )
    assert len(manifests) == 15  # the advertiser-level totals and Smart+ (empty) included
    con = loaded_run(tt_settings, "r")
    row = con.execute(
        "select advertiser_id, ad_id, stat_time_day, spend, total_complete_payment_rate "
        "from raw.tiktok__ad_report_daily"
    ).fetchone()
    assert row == (ADV, "1714125051115569", date(2021, 10, 25), "20.000", "0.00")
    placements = con.execute(
        "select placement_type, placements::varchar from raw.tiktok__adgroups order by adgroup_id"
    ).fetchall()
    assert placements[0] == ("PLACEMENT_TYPE_AUTOMATIC", None)
    assert con.execute(
        "select tiktok_item_id from raw.tiktok__ads where identity_type = 'AUTH_CODE'"
    ).fetchone() == ("7494337156519332665",)
    assert con.execute(
        "select store_id, orders from raw.tiktok__gmv_max_report_daily"
    ).fetchone() == ("111", "-")  # the fixture's day is the requested one: nothing quarantined
    assert con.execute(
        "select rows_quarantined from raw._loads where stream = 'gmv_max_report_daily'"
    ).fetchone() == (0,)
    # Only the available store is reported on.
    store_ids = [
        json.loads(c.request.params["store_ids"])
        for c in responses.calls
        if "/gmv_max/report/get/" in c.request.url
    ]
    assert store_ids == [["111"]]
    assert TOKEN not in caplog.text


@responses.activate
def test_span_error_shrinks_to_weeks(tt_settings: Settings, tiktok: TikTokClient) -> None:
    _mock_account(report_errors=[_fixture("error_span.json")])
    extract_account(tt_settings, ADV, date(2026, 9, 1), date(2026, 9, 14), "r", tiktok)
    spans = [
        (c.request.params["start_date"], c.request.params["end_date"])
        for c in responses.calls
        if "/report/integrated/get/" in c.request.url
    ]
    assert spans[:3] == [
        ("2026-09-01", "2026-09-14"),
        ("2026-09-01", "2026-09-07"),
        ("2026-09-08", "2026-09-14"),
    ]


@responses.activate
def test_fatal_mid_account_leaves_nothing_loadable(
    tt_settings: Settings, tiktok: TikTokClient
) -> None:
    denied = {"code": 40001, "message": "No permission to operate advertiser", "data": {}}
    responses.get(f"{TIKTOK_API}/advertiser/info/", json=_fixture("advertiser_info.json"))
    responses.get(f"{TIKTOK_API}/campaign/get/", json=EMPTY)
    responses.get(f"{TIKTOK_API}/adgroup/get/", json=denied)
    with pytest.raises(FatalApiError, match="TIKTOK_ADVERTISER_IDS"):
        extract_account(tt_settings, ADV, date(2026, 9, 1), date(2026, 9, 2), "r", tiktok)
    assert not list(Path(tt_settings.spool_dir).rglob(MANIFEST_NAME))
