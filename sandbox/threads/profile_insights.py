"""Daily profile insights: what a profile's posts gained within each UTC day, plus followers.

Numbers of a day are the increments of its posts' lifetime numbers between the day's start and
its end (both capped at ``now``), so they add up with the post insights exactly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sandbox.creators import Profile
from sandbox.threads.generator import (
    GROWTH_SECONDS,
    SCENARIO_START,
    post_metrics,
    posts_between,
    unit,
)

PROFILE_METRICS = ("views", "likes", "replies", "reposts", "quotes", "clicks", "followers_count")
#: Metrics summed from the posts' increments.
_FROM_POSTS = ("views", "likes", "replies", "reposts", "quotes")
_GROWTH_DAYS = GROWTH_SECONDS // 86400 + 1


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def day_numbers(seed: int, profile: Profile, day: date, now: datetime) -> dict[str, int]:
    """Every metric of :data:`PROFILE_METRICS` for one UTC ``day`` as seen at ``now``."""
    low = min(day_start(day), now)
    high = min(day_start(day + timedelta(days=1)), now)
    totals = dict.fromkeys(_FROM_POSTS, 0)
    # Posts older than the growth period no longer change.
    for post in posts_between(seed, profile, day - timedelta(days=_GROWTH_DAYS), day):
        if not post.has_insights or post.posted_at >= high:
            continue
        before, after = post_metrics(post, low), post_metrics(post, high)
        for metric in _FROM_POSTS:
            totals[metric] += after[metric] - before[metric]
    click_rate = 0.002 + 0.006 * unit(seed, "clicks", profile.handle)
    totals["clicks"] = int(totals["views"] * click_rate)
    totals["followers_count"] = followers_at(seed, profile, high)
    return totals


def followers_at(seed: int, profile: Profile, at: datetime) -> int:
    """Followers at ``at``: the starting count plus steady, seeded growth."""
    per_day = profile.followers * 0.002 * (0.5 + unit(seed, "growth", profile.handle))
    days = max(0.0, (at - day_start(SCENARIO_START)).total_seconds() / 86400)
    return profile.followers + int(per_day * days)
