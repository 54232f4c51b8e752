"""Ground truth of the Threads stand-in, from the generator (never from the server).

Rows are keyed like the raw tables the connector lands (``raw.threads__*``), with posts
filtered by their UTC publication day and numbers as of ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.creators import PROFILES, Profile
from sandbox.threads.generator import POST_METRICS, Post, post_metrics, posts_between
from sandbox.threads.profile_insights import day_numbers, link_clicks
from sandbox.threads.render import timestamp


def profiles_by_id(ids: Iterable[str] | None = None) -> list[Profile]:
    """The scenario's profiles with the given Threads user ids (all when None)."""
    if ids is None:
        return list(PROFILES)
    wanted = set(ids)
    return [p for p in PROFILES if p.threads_user_id in wanted]


def _published(
    seed: int, profiles: list[Profile], start: date, end: date, now: datetime
) -> list[Post]:
    return [
        post
        for profile in profiles
        for post in posts_between(seed, profile, start, end)
        if post.posted_at <= now
    ]


def posts(
    seed: int, start: date, end: date, now: datetime, ids: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Every post published on ``start..end`` (UTC days) by then, one dict per post."""
    return [
        {
            "profile_id": post.profile.threads_user_id,
            "id": post.id,
            "post_date": post.posted_at.date(),
            "media_type": post.media_type,
            "text": post.text,
            "timestamp": timestamp(post),
            "permalink": post.permalink,
            "username": post.profile.handle,
        }
        for post in _published(seed, profiles_by_id(ids), start, end, now)
    ]


def post_insights(
    seed: int, start: date, end: date, now: datetime, ids: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Lifetime numbers as of ``now`` of the posts of :func:`posts` that have insights."""
    rows = []
    for post in _published(seed, profiles_by_id(ids), start, end, now):
        if not post.has_insights:
            continue
        numbers = post_metrics(post, now)
        row = {"profile_id": post.profile.threads_user_id, "post_id": post.id}
        rows.append(row | {"post_date": post.posted_at.date()} | numbers)
    return rows


def profile_insights_daily(
    seed: int, start: date, end: date, now: datetime, ids: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """One dict per profile x UTC day of ``start..end`` with every profile metric."""
    rows = []
    for profile in profiles_by_id(ids):
        day = start
        while day <= end:
            numbers = day_numbers(seed, profile, day, now)
            rows.append({"profile_id": profile.threads_user_id, "report_date": day} | numbers)
            day += timedelta(days=1)
    return rows


def profile_link_clicks_daily(
    seed: int, start: date, end: date, now: datetime, ids: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """One dict per profile x UTC day x link with clicks: ``{profile_id, report_date,
    link_url, clicks}``; per profile and day they add up to the day's ``clicks``."""
    rows = []
    for profile in profiles_by_id(ids):
        day = start
        while day <= end:
            clicks = day_numbers(seed, profile, day, now)["clicks"]
            for url, n in link_clicks(seed, profile, day, clicks).items():
                rows.append(
                    {
                        "profile_id": profile.threads_user_id,
                        "report_date": day,
                        "link_url": url,
                        "clicks": n,
                    }
                )
            day += timedelta(days=1)
    return rows


__all__ = [
    "POST_METRICS",
    "post_insights",
    "posts",
    "profile_insights_daily",
    "profile_link_clicks_daily",
    "profiles_by_id",
]
