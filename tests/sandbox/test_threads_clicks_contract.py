"""Stand-in contract: Threads profile ``clicks`` come as ``link_total_values``, per link.

Shape: the Threads Insights API's user metric ``clicks``
(https://developers.facebook.com/documentation/threads/insights) answers
``link_total_values: [{"value": n, "link_url": "..."}]`` instead of ``total_value``, as shown in
https://qiita.com/MisaNeco/items/6cf07b23787e717d5789.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from sandbox_support import serving_threads

from sandbox.creators import BRAND, CREATORS
from sandbox.threads import truth
from sandbox.threads.profile_insights import day_numbers, link_clicks, link_urls
from socialmart.settings import SANDBOX_THREADS_TOKEN

SEED = 42
TOKEN = SANDBOX_THREADS_TOKEN
DAY = date(2026, 11, 10)
NOW = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    with serving_threads(NOW) as url:
        yield url


def _unix(day: date) -> int:
    return int(datetime.combine(day, datetime.min.time(), UTC).timestamp())


def _clicks(api: str, user_id: str, start: date, days: int) -> dict:
    response = requests.get(
        f"{api}/{user_id}/threads_insights",
        params={
            "access_token": TOKEN,
            "metric": "clicks,likes",
            "since": _unix(start),
            "until": _unix(start + timedelta(days=days)),
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    clicks, likes = response.json()["data"]
    assert likes["total_value"]["value"] >= 0  # other metrics keep total_value
    return clicks


def test_clicks_come_per_link_and_add_up_to_the_days_clicks(api: str) -> None:
    for profile in (BRAND, *CREATORS[:2]):
        entry = _clicks(api, profile.threads_user_id, DAY, 2)
        assert entry["name"] == "clicks" and entry["period"] == "day"
        assert "total_value" not in entry and "values" not in entry
        links = entry["link_total_values"]
        assert all(set(link) == {"value", "link_url"} for link in links)
        assert {link["link_url"] for link in links} <= set(link_urls(profile))
        days = [day_numbers(SEED, profile, d, NOW) for d in (DAY, DAY + timedelta(days=1))]
        assert sum(link["value"] for link in links) == sum(n["clicks"] for n in days) > 0


def test_per_link_clicks_of_a_range_are_the_sum_of_its_days(api: str) -> None:
    profile = BRAND
    whole = _clicks(api, profile.threads_user_id, DAY, 3)["link_total_values"]
    by_day: Counter[str] = Counter()
    for offset in range(3):
        for link in _clicks(api, profile.threads_user_id, DAY + timedelta(offset), 1)[
            "link_total_values"
        ]:
            by_day[link["link_url"]] += link["value"]
    assert {link["link_url"]: link["value"] for link in whole} == dict(by_day)


def test_link_split_is_exact_and_truth_agrees() -> None:
    for clicks in (0, 1, 2, 7, 1234):
        split = link_clicks(SEED, BRAND, DAY, clicks)
        assert sum(split.values()) == clicks
        assert all(n > 0 for n in split.values())
    rows = truth.profile_link_clicks_daily(SEED, DAY, DAY, NOW, [BRAND.threads_user_id])
    total = day_numbers(SEED, BRAND, DAY, NOW)["clicks"]
    assert sum(row["clicks"] for row in rows) == total
