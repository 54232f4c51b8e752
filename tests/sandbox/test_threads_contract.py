"""The Threads stand-in answers with the reference's shapes (meta-api.md sections 7 and 8)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from sandbox_support import serving_threads

from sandbox.creators import BRAND, CREATORS
from sandbox.threads import truth
from sandbox.threads.generator import POST_METRICS, find_post, post_metrics, posts_between
from sandbox.threads.profile_insights import day_numbers
from socialmart.settings import SANDBOX_THREADS_TOKEN

SEED = 42
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TOKEN = SANDBOX_THREADS_TOKEN
ANA = CREATORS[0]
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$")


def _unix(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    with serving_threads(NOW) as url:
        yield url


def _get(url: str, **params: object) -> requests.Response:
    return requests.get(url, params={"access_token": TOKEN, **params}, timeout=10)


def test_posts_page_shape_and_token_bearing_next(api: str) -> None:
    fields = "id,media_product_type,media_type,permalink,text,timestamp,username"
    since, until = _unix(date(2026, 11, 1)), _unix(date(2026, 11, 8))
    first = _get(
        f"{api}/{ANA.threads_user_id}/threads", fields=fields, since=since, until=until, limit=2
    ).json()
    assert set(first) == {"data", "paging"}
    assert len(first["data"]) == 2
    post = first["data"][0]
    assert set(post) <= set(fields.split(",")) and {"id", "media_type", "timestamp"} <= set(post)
    assert post["media_product_type"] == "THREADS"
    assert TIMESTAMP.match(post["timestamp"])
    assert post["permalink"].startswith(f"https://www.threads.net/@{ANA.handle}/post/")
    assert set(first["paging"]["cursors"]) == {"before", "after"}
    assert f"access_token={TOKEN}" in first["paging"]["next"]
    # newest first, and following next to the end returns every post once, the last page
    # without a next link
    rows, body = list(first["data"]), first
    while "next" in body.get("paging", {}):
        body = requests.get(body["paging"]["next"], timeout=10).json()
        rows += body["data"]
    assert [r["timestamp"] for r in rows] == sorted((r["timestamp"] for r in rows), reverse=True)
    expected = truth.posts(SEED, date(2026, 11, 1), date(2026, 11, 7), NOW, [ANA.threads_user_id])
    assert sorted(r["id"] for r in rows) == sorted(p["id"] for p in expected)


def test_me_is_the_brand_and_repost_text_is_absent(api: str) -> None:
    body = _get(f"{api}/me/threads", fields="id,media_type,text,username", limit=100).json()
    assert {p["username"] for p in body["data"]} == {BRAND.handle}
    reposts = [p for p in body["data"] if p["media_type"] == "REPOST_FACADE"]
    assert reposts and all("text" not in p for p in reposts)


def test_post_insights_shape_like_the_sample(api: str) -> None:
    post = next(
        p for p in posts_between(SEED, ANA, date(2026, 11, 1), date(2026, 11, 5)) if p.has_insights
    )
    body = _get(f"{api}/{post.id}/insights", metric=",".join(POST_METRICS)).json()
    assert [e["name"] for e in body["data"]] == list(POST_METRICS)
    views = body["data"][0]
    assert set(views) == {"name", "period", "values", "title", "description", "id"}
    assert views["period"] == "lifetime"
    assert views["id"] == f"{post.id}/insights/views/lifetime"
    assert isinstance(views["values"][0]["value"], int)
    assert views["values"][0]["value"] == post_metrics(post, NOW)["views"]


def test_repost_facade_insights_are_empty(api: str) -> None:
    repost = next(
        p
        for p in posts_between(SEED, BRAND, date(2026, 10, 1), date(2026, 11, 20))
        if not p.has_insights
    )
    assert _get(f"{api}/{repost.id}/insights", metric="views").json() == {"data": []}


def test_profile_insights_daily_values_and_total_values(api: str) -> None:
    day = date(2026, 11, 10)
    body = _get(
        f"{api}/{ANA.threads_user_id}/threads_insights",
        metric="views,likes,followers_count",
        since=_unix(day),
        until=_unix(day + timedelta(days=2)),
    ).json()
    views, likes, followers = body["data"]
    assert views["period"] == "day" and views["id"] == f"{ANA.threads_user_id}/insights/views/day"
    assert [v["end_time"] for v in views["values"]] == [
        "2026-11-10T07:00:00+0000",
        "2026-11-11T07:00:00+0000",
    ]
    first, second = (day_numbers(SEED, ANA, d, NOW) for d in (day, day + timedelta(days=1)))
    assert [v["value"] for v in views["values"]] == [first["views"], second["views"]]
    assert likes["total_value"] == {"value": first["likes"] + second["likes"]}
    assert followers["total_value"] == {"value": second["followers_count"]}
    assert "values" not in likes


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"access_token": "wrong-token"}, 190),
        ({"metric": "views", "since": "1700000000"}, 100),
        ({"metric": "impressions"}, 100),
        ({}, 100),
    ],
)
def test_errors_use_the_graph_envelope(api: str, params: dict, code: int) -> None:
    response = requests.get(
        f"{api}/{ANA.threads_user_id}/threads_insights",
        params={"access_token": TOKEN, **params},
        timeout=10,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["fbtrace_id"]


def test_unknown_node_and_bearer_auth(api: str) -> None:
    missing = _get(f"{api}/1899999999999999/insights", metric="views").json()["error"]
    assert (missing["code"], missing["error_subcode"]) == (100, 33)
    bearer = requests.get(
        f"{api}/me/threads", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    assert bearer.status_code == 200


def test_post_numbers_grow_with_age_and_settle() -> None:
    post = posts_between(SEED, ANA, date(2026, 11, 3), date(2026, 11, 3))[0]
    ages = [post.posted_at + timedelta(hours=h) for h in (-1, 1, 6, 24, 72, 24 * 7, 24 * 30)]
    views = [post_metrics(post, at)["views"] for at in ages]
    assert views[0] == 0 and views == sorted(views) and views[1] < views[3]
    assert views[-2] == views[-1] == post.views_potential
    assert find_post(SEED, post.id) == post


def test_profile_days_add_up_to_post_growth() -> None:
    """A profile's daily views are the increments of its posts' lifetime views."""
    now = datetime(2026, 11, 30, tzinfo=UTC)
    first, last = date(2026, 8, 1), date(2026, 11, 29)
    daily = sum(day_numbers(SEED, ANA, d, now)["views"] for d in _days(first, last))
    lifetime = sum(
        post_metrics(p, now)["views"]
        for p in posts_between(SEED, ANA, first, last)
        if p.has_insights
    )
    assert daily == lifetime > 0


def test_truth_is_deterministic_per_seed() -> None:
    window = (date(2026, 11, 1), date(2026, 11, 3), NOW)
    assert truth.post_insights(SEED, *window) == truth.post_insights(SEED, *window)
    assert truth.post_insights(SEED, *window) != truth.post_insights(SEED + 1, *window)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
