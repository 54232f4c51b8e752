"""The Instagram stand-in answers media insights with the reference's shapes (section 7, 8)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sandbox_support import serving

from sandbox.creators import partnership_media
from sandbox.instagram import truth
from sandbox.instagram.api import InstagramApi
from sandbox.instagram.media import MEDIA_METRICS, find_media, media_metrics
from socialmart.settings import SANDBOX_INSTAGRAM_TOKEN

SEED = 42
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TOKEN = SANDBOX_INSTAGRAM_TOKEN
REEL, SMALL_STORY, RECENT = "17912345678901234", "17918800000000102", "17932174733377207"
METRICS = ",".join(MEDIA_METRICS)


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    platform = InstagramApi(seed=SEED, token=TOKEN, clock=lambda: NOW)
    with serving(platform, "graph.instagram.com/v27.0") as url:
        yield url


def _insights(
    api: str, media_id: str, metric: str = METRICS, token: str = TOKEN
) -> requests.Response:
    params = {"access_token": token, "metric": metric}
    return requests.get(f"{api}/{media_id}/insights", params=params, timeout=10)


def test_lifetime_entries_like_the_sample(api: str) -> None:
    body = _insights(api, REEL).json()
    assert set(body) == {"data"}
    assert [e["name"] for e in body["data"]] == list(MEDIA_METRICS)
    reach = body["data"][0]
    assert set(reach) == {"name", "period", "values", "title", "description", "id"}
    assert reach["period"] == "lifetime"
    assert reach["id"] == f"{REEL}/insights/reach/lifetime"
    values = {e["name"]: e["values"][0]["value"] for e in body["data"]}
    assert all(isinstance(v, int) for v in values.values())
    assert values == media_metrics(SEED, find_media(REEL), NOW)
    parts = ("likes", "comments", "shares", "saved")
    assert values["total_interactions"] == sum(values[m] for m in parts)


def test_recent_media_answers_empty_data_not_zero(api: str) -> None:
    assert _insights(api, RECENT).json() == {"data": []}


def test_small_story_is_error_10(api: str) -> None:
    response = _insights(api, SMALL_STORY)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 10
    assert "Not enough viewers" in error["message"]


@pytest.mark.parametrize(
    ("media_id", "metric", "token", "code"),
    [
        (REEL, METRICS, "wrong-token", 190),
        ("17900000000000000", METRICS, TOKEN, 100),
        (REEL, "impressions", TOKEN, 100),
    ],
)
def test_errors(api: str, media_id: str, metric: str, token: str, code: int) -> None:
    response = _insights(api, media_id, metric, token)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_insights_grow_with_age() -> None:
    media = find_media(REEL)
    reach = [
        media_metrics(SEED, media, media.posted_at + timedelta(hours=h))["reach"]
        for h in (1, 12, 48, 24 * 8)
    ]
    assert reach == sorted(reach) and reach[0] < reach[-1] == media.reach_potential


def test_truth_covers_every_published_media_with_its_status() -> None:
    rows = {row["media_id"]: row for row in truth.media_insights(SEED, NOW)}
    assert set(rows) == {m.media_id for m in partnership_media() if m.posted_at <= NOW}
    assert rows[SMALL_STORY]["status"] == "not_enough_viewers"
    assert rows[SMALL_STORY]["reach"] is None
    assert rows[RECENT]["status"] == "no_data"
    assert rows[REEL]["status"] == "available" and rows[REEL]["reach"] > 0
