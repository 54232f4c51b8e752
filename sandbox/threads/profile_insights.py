"""Daily profile insights: what a profile's posts gained within each UTC day, plus followers.

Numbers of a day are the increments of its posts' lifetime numbers between the day's start and
its end (both capped at ``now``), so they add up with the post insights exactly.

Link clicks are per link: the real API answers ``clicks`` with
``link_total_values: [{"value": n, "link_url": "..."}]`` rather than ``total_value`` (Threads
Insights API, https://developers.facebook.com/documentation/threads/insights, user metric
``clicks``; response shape as reported in https://qiita.com/MisaNeco/items/6cf07b23787e717d5789).
A day's clicks are split over the profile's links (:func:`link_clicks`); they add up to
``clicks`` exactly.
"""

from __future__ import annotations

from collections import Counter
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


#: Reserved example domain: no real shop is named.
_SHOP = "https://shop.nordlicht.example"


def link_urls(profile: Profile) -> tuple[str, ...]:
    """The links a profile's posts carry: the brand's pages; creators' shop link and bio link."""
    if profile.is_brand:
        return (f"{_SHOP}/new-in", f"{_SHOP}/lookbook", f"{_SHOP}/sale")
    slug = profile.handle.replace(".", "-")
    return (f"{_SHOP}/new-in?ref={slug}", f"https://links.example/{slug}")


def link_clicks(seed: int, profile: Profile, day: date, clicks: int) -> dict[str, int]:
    """``clicks`` of ``day`` split over :func:`link_urls` (largest remainder; links with no
    click are left out, as an empty link is not reported)."""
    urls = link_urls(profile)
    weights = [0.2 + unit(seed, "link", profile.handle, url, day) for url in urls]
    exact = [clicks * w / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(urls)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: clicks - sum(counts)]:
        counts[i] += 1
    return {url: n for url, n in zip(urls, counts, strict=True) if n}


def link_clicks_between(
    seed: int, profile: Profile, days: list[tuple[date, dict[str, int]]]
) -> dict[str, int]:
    """Per link, the clicks of ``days`` (each with its :func:`day_numbers`)."""
    total: Counter[str] = Counter()
    for day, numbers in days:
        total.update(link_clicks(seed, profile, day, numbers["clicks"]))
    return {url: total[url] for url in link_urls(profile) if total[url]}
