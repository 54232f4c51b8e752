"""MetaClient: paging, Meta error classification, usage-header pacing."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import requests
import responses
from connector_testkit import META_API, TOKEN, FakeClock, fixture_json
from responses import matchers

from connectors.common.errors import FatalApiError, QueryTooLargeError, RetryableApiError
from connectors.meta.client import MetaClient, normalize_account_id
from connectors.meta.errors import PageTooLargeError, classify_meta_response
from connectors.meta.throttle import ThrottlePolicy, Usage, pause_seconds, read_usage

INSIGHTS = f"{META_API}/act_1234567890/insights"


def _error(code: int, subcode: int | None = None, **extra: object) -> dict[str, object]:
    error: dict[str, object] = {"message": f"(#{code}) something", "code": code, **extra}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def _pages(
    client: MetaClient, limit_floor: int | None = None, **params: str
) -> list[list[dict[str, object]]]:
    return list(
        client.shrinking_pages(
            "act_1234567890/insights", params, account="1234567890", limit_floor=limit_floor
        )
    )


@responses.activate
def test_one_page_sends_token_as_query_param(meta_client: MetaClient) -> None:
    responses.get(INSIGHTS, json=fixture_json("meta/insights_page2.json"))
    pages = _pages(meta_client, level="ad")
    assert [len(page) for page in pages] == [1]
    sent = responses.calls[0].request
    assert sent.params["access_token"] == TOKEN
    assert sent.params["level"] == "ad"


@responses.activate
def test_many_pages_follow_next_as_is_until_absent(meta_client: MetaClient) -> None:
    first = fixture_json("meta/insights_page1.json")
    next_url = first["paging"]["next"]
    responses.get(
        INSIGHTS,
        json=first,
        match=[matchers.query_param_matcher({"level": "ad"}, strict_match=False)],
    )
    responses.get(
        INSIGHTS,
        json=fixture_json("meta/insights_page2.json"),
        match=[matchers.query_param_matcher({"after": "MQZDZD"}, strict_match=False)],
    )
    pages = _pages(meta_client, level="ad")
    assert [len(page) for page in pages] == [2, 1]
    assert responses.calls[1].request.url == next_url
    assert "paging" not in json.dumps(pages)


@responses.activate
def test_empty_page_with_next_does_not_stop_paging(meta_client: MetaClient) -> None:
    next_url = f"{INSIGHTS}?access_token={TOKEN}&limit=2&after=AAA"
    responses.get(
        INSIGHTS,
        json={"data": [], "paging": {"next": next_url}},
        match=[matchers.query_param_matcher({"level": "ad"}, strict_match=False)],
    )
    responses.get(
        INSIGHTS,
        json=fixture_json("meta/insights_page2.json"),
        match=[matchers.query_param_matcher({"after": "AAA"}, strict_match=False)],
    )
    assert [len(page) for page in _pages(meta_client, level="ad")] == [0, 1]


@responses.activate
def test_short_page_with_cursor_but_no_next_stops(meta_client: MetaClient) -> None:
    body = {"data": [{"id": "1"}], "paging": {"cursors": {"before": "A", "after": "B"}}}
    responses.get(INSIGHTS, json=body)
    assert _pages(meta_client, limit="500") == [[{"id": "1"}]]
    assert len(responses.calls) == 1


@responses.activate
def test_empty_result(meta_client: MetaClient) -> None:
    responses.get(INSIGHTS, json={"data": []})
    assert _pages(meta_client) == [[]]


def _mock_two_pages(next_url: str, headers: dict[str, str] | None = None) -> None:
    """A first page (asked with ``level=ad``, answered with ``headers``) linking ``next_url``,
    and the last page (asked with ``after=B``)."""
    responses.get(
        INSIGHTS,
        json={"data": [], "paging": {"next": next_url}},
        headers=headers,
        match=[matchers.query_param_matcher({"level": "ad"}, strict_match=False)],
    )
    responses.get(
        INSIGHTS,
        json={"data": []},
        match=[matchers.query_param_matcher({"after": "B"}, strict_match=False)],
    )


@responses.activate
def test_next_without_token_gets_it_added(meta_client: MetaClient) -> None:
    _mock_two_pages(f"{INSIGHTS}?after=B")
    _pages(meta_client, level="ad")
    assert responses.calls[1].request.params == {"after": "B", "access_token": TOKEN}


@responses.activate
def test_paging_loop_is_detected(meta_client: MetaClient) -> None:
    loop = f"{INSIGHTS}?access_token={TOKEN}&after=SAME"
    responses.get(INSIGHTS, json={"data": [], "paging": {"next": loop}})
    with pytest.raises(FatalApiError, match="loops") as info:
        _pages(meta_client)
    assert TOKEN not in str(info.value)


def _refusing_pages(refuse: Any, asked: list[tuple[str, str | None]]) -> Any:
    """A callback serving two pages (cursor ``P1`` between) and refusing when ``refuse`` says so."""

    def answer(request: Any) -> tuple[int, dict, str]:
        limit, after = request.params["limit"], request.params.get("after")
        asked.append((limit, after))
        if refuse(int(limit), after):
            return 400, {}, json.dumps(fixture_json("meta/error_too_much_data.json"))
        if after is None:
            next_url = f"{INSIGHTS}?access_token={TOKEN}&level=ad&limit={limit}&after=P1"
            return 200, {}, json.dumps({"data": [{"id": "1"}], "paging": {"next": next_url}})
        return 200, {}, json.dumps({"data": [{"id": "2"}]})

    return answer


@responses.activate
def test_refused_page_is_asked_again_with_half_the_limit_from_the_same_cursor(
    meta_client: MetaClient, caplog: pytest.LogCaptureFixture
) -> None:
    asked: list[tuple[str, str | None]] = []
    refuse = _refusing_pages(lambda limit, after: after == "P1" and limit > 1250, asked)
    responses.add_callback(responses.GET, INSIGHTS, callback=refuse)
    with caplog.at_level(logging.DEBUG):
        pages = list(
            meta_client.shrinking_pages(
                "act_1234567890/insights",
                {"level": "ad", "limit": "5000"},
                account="1234567890",
                limit_floor=100,
            )
        )
    assert pages == [[{"id": "1"}], [{"id": "2"}]]
    assert asked == [("5000", None), ("5000", "P1"), ("2500", "P1"), ("1250", "P1")]
    assert all(call.request.params["access_token"] == TOKEN for call in responses.calls)
    assert meta_client.request_count == 4
    halvings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(halvings) == 2
    assert "asking again for 2500 rows" in halvings[0] and "1234567890" in halvings[0]
    assert "asking again for 1250 rows" in halvings[1]
    assert TOKEN not in caplog.text


@responses.activate
def test_page_refused_at_the_floor_is_final_and_names_the_limit(meta_client: MetaClient) -> None:
    asked: list[tuple[str, str | None]] = []
    responses.add_callback(
        responses.GET, INSIGHTS, callback=_refusing_pages(lambda limit, after: True, asked)
    )
    with pytest.raises(PageTooLargeError) as info:
        _pages(meta_client, limit="5000", limit_floor=1000)
    assert info.value.limit == 1000 and info.value.subcode == 1487534
    assert [limit for limit, _ in asked] == ["5000", "2500", "1250", "1000"]


@responses.activate
def test_refused_page_without_a_floor_is_not_retried(meta_client: MetaClient) -> None:
    responses.add_callback(
        responses.GET, INSIGHTS, callback=_refusing_pages(lambda limit, after: True, [])
    )
    with pytest.raises(QueryTooLargeError) as info:
        _pages(meta_client, limit="5000")
    assert not isinstance(info.value, PageTooLargeError)
    assert len(responses.calls) == 1


@responses.activate
@pytest.mark.parametrize(
    "failure",
    [
        {"status": 400, "json": fixture_json("meta/error_throttled.json")},
        {"status": 400, "json": _error(1, is_transient=True)},
        {"status": 500, "body": "<html>oops</html>"},
        {"body": requests.ConnectionError("Connection reset by peer")},
        {"status": 200, "body": '{"data": [{"account_id": "1'},
    ],
    ids=["throttle-80004", "transient-1", "5xx", "connection-reset", "truncated-json"],
)
def test_retry_then_success(
    meta_client: MetaClient, clock: FakeClock, failure: dict[str, object]
) -> None:
    responses.get(INSIGHTS, **failure)  # type: ignore[arg-type]
    responses.get(INSIGHTS, json=fixture_json("meta/insights_page2.json"))
    assert [len(page) for page in _pages(meta_client)] == [1]
    assert meta_client.request_count == 2
    assert clock.sleeps == [1.0]  # base backoff, jitter pinned at the ceiling


@responses.activate
def test_throttle_waits_for_estimated_regain_time_in_minutes(
    meta_client: MetaClient, clock: FakeClock
) -> None:
    usage = {
        "1234567890": [
            {"type": "ads_insights", "call_count": 102, "estimated_time_to_regain_access": 12}
        ]
    }
    responses.get(
        INSIGHTS,
        status=400,
        json=fixture_json("meta/error_throttled.json"),
        headers={"x-business-use-case-usage": json.dumps(usage)},
    )
    responses.get(INSIGHTS, json={"data": []})
    _pages(meta_client)
    assert clock.sleeps == [720.0]


@responses.activate
def test_fatal_token_error_names_the_fix_and_hides_the_token(
    meta_client: MetaClient, caplog: pytest.LogCaptureFixture
) -> None:
    responses.get(INSIGHTS, status=400, json=fixture_json("meta/error_token_expired.json"))
    with caplog.at_level(logging.DEBUG), pytest.raises(FatalApiError) as info:
        _pages(meta_client)
    message = str(info.value)
    assert "code 190, subcode 463: expired" in message
    assert "META_ACCESS_TOKEN" in message and "ads_read" in message
    assert "1234567890" in message
    assert TOKEN not in message and TOKEN not in caplog.text
    assert len(responses.calls) == 1  # never retried


@responses.activate
def test_slows_down_on_high_usage_before_being_throttled(
    meta_client: MetaClient, clock: FakeClock
) -> None:
    next_url = f"{INSIGHTS}?access_token={TOKEN}&after=B"
    busy = {"x-ad-account-usage": json.dumps({"acc_id_util_pct": 85, "reset_time_duration": 100})}
    _mock_two_pages(next_url, busy)
    _pages(meta_client, level="ad")
    # Default policy: 75 % -> 0 s ... 95 % -> 30 s, linear: 85 % -> 15 s, before the 2nd call.
    assert clock.sleeps == [pytest.approx(15.0)]


@responses.activate
def test_list_ad_accounts(meta_client: MetaClient) -> None:
    responses.get(f"{META_API}/me/adaccounts", json=fixture_json("meta/adaccounts.json"))
    assert meta_client.list_ad_accounts() == ["1234567890", "2222222222"]


def test_normalize_account_id() -> None:
    assert normalize_account_id(" act_42 ") == "42"
    assert normalize_account_id("42") == "42"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (_error(80004, 2446079), RetryableApiError),
        (_error(17, 2446079), RetryableApiError),
        (_error(613), RetryableApiError),
        (_error(80014), RetryableApiError),
        (_error(999, is_transient=True), RetryableApiError),
        (_error(100, 1487534), QueryTooLargeError),
        (_error(100, 1504018), QueryTooLargeError),
        (_error(2, 1504038), QueryTooLargeError),
        (_error(-3, 1504045), QueryTooLargeError),
        (_error(190, 460), FatalApiError),
        (_error(102), FatalApiError),
        (_error(3), FatalApiError),
        (_error(10), FatalApiError),
        (_error(200, is_transient=True), FatalApiError),
        (_error(100, 3191001), FatalApiError),
        (_error(100), FatalApiError),
        ({"data": []}, type(None)),
        (None, type(None)),
    ],
)
def test_classification(body: object, expected: type) -> None:
    response = requests.Response()
    response.status_code = 400
    assert isinstance(classify_meta_response(response, body, "42"), expected)


def test_permission_error_message_is_actionable() -> None:
    response = requests.Response()
    problem = classify_meta_response(response, _error(200, 1545041), "42")
    assert "ads_read" in str(problem) and "META_AD_ACCOUNT_IDS" in str(problem)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, 0.0),
        ({"x-app-usage": '{"call_count": 28, "total_time": 25, "total_cputime": 25}'}, 0.0),
        ({"x-app-usage": '{"call_count": 80, "total_time": 5, "total_cputime": 5}'}, 7.5),
        ({"x-fb-ads-insights-throttle": '{"app_id_util_pct": 96, "acc_id_util_pct": 10}'}, 60.0),
        ({"x-ad-account-usage": '{"acc_id_util_pct": 99, "reset_time_duration": 300}'}, 300.0),
        (
            {
                "x-business-use-case-usage": '{"1": [{"type": "ads_insights", "call_count": 5, '
                '"estimated_time_to_regain_access": 2}]}'
            },
            120.0,
        ),
        ({"x-app-usage": "not json"}, 0.0),
    ],
)
def test_pause_policy(headers: dict[str, str], expected: float) -> None:
    assert pause_seconds(read_usage(headers), ThrottlePolicy()) == pytest.approx(expected)


def test_pause_policy_is_configurable() -> None:
    policy = ThrottlePolicy(slow_down_at_pct=50, pause_at_pct=90, max_slow_down_seconds=40)
    assert pause_seconds(Usage(peak_pct=70), policy) == pytest.approx(20.0)
