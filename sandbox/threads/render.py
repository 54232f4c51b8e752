"""Threads objects and insight entries in the API's JSON shapes (numbers are JSON numbers)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sandbox.meta.errors import nonexisting_field
from sandbox.threads.generator import Post

POST_FIELDS = (
    "id",
    "media_product_type",
    "media_type",
    "permalink",
    "shortcode",
    "text",
    "timestamp",
    "username",
    "owner",
    "is_quote_post",
)
_DESCRIPTIONS = {
    "views": "The number of times the content was played or displayed.",
    "likes": "The number of likes.",
    "replies": "The number of replies.",
    "reposts": "The number of reposts.",
    "quotes": "The number of quotes.",
    "shares": "The number of shares.",
    "clicks": "The number of clicks on links in the profile's posts.",
    "followers_count": "The total number of followers.",
}


def timestamp(post: Post) -> str:
    """ISO 8601 with a ``+0000`` offset, as in the reference sample."""
    return post.posted_at.strftime("%Y-%m-%dT%H:%M:%S+0000")


def post_object(post: Post, fields: tuple[str, ...]) -> dict[str, Any]:
    """The requested fields of a post; absent values (a repost's text) are left out."""
    values: dict[str, Any] = {
        "id": post.id,
        "media_product_type": "THREADS",
        "media_type": post.media_type,
        "permalink": post.permalink,
        "shortcode": post.shortcode,
        "text": post.text,
        "timestamp": timestamp(post),
        "username": post.profile.handle,
        "owner": {"id": post.profile.threads_user_id},
        "is_quote_post": False,
    }
    for name in fields:
        if name not in values:
            raise nonexisting_field(name, "ThreadsMedia")
    return {name: values[name] for name in fields if values[name] is not None}


def lifetime_entry(media_id: str, metric: str, value: int) -> dict[str, Any]:
    """One post insight: ``values`` holds the single lifetime value."""
    return {
        "name": metric,
        "period": "lifetime",
        "values": [{"value": value}],
        "title": metric.replace("_", " ").capitalize(),
        "description": _DESCRIPTIONS[metric],
        "id": f"{media_id}/insights/{metric}/lifetime",
    }


def daily_values_entry(user_id: str, metric: str, days: list[tuple[date, int]]) -> dict[str, Any]:
    """A profile metric with one value per day (``views``), ``end_time`` as in the sample."""
    return {
        "name": metric,
        "period": "day",
        "values": [{"value": v, "end_time": f"{d.isoformat()}T07:00:00+0000"} for d, v in days],
        "title": metric,
        "description": _DESCRIPTIONS[metric],
        "id": f"{user_id}/insights/{metric}/day",
    }


def total_value_entry(user_id: str, metric: str, value: int) -> dict[str, Any]:
    """A profile metric as one ``total_value`` over the requested range."""
    return {
        "name": metric,
        "period": "day",
        "total_value": {"value": value},
        "title": metric,
        "description": _DESCRIPTIONS[metric],
        "id": f"{user_id}/insights/{metric}/day",
    }


def link_total_values_entry(user_id: str, metric: str, per_url: dict[str, int]) -> dict[str, Any]:
    """A per-link profile metric (``clicks``): one ``{value, link_url}`` per link, no total."""
    return {
        "name": metric,
        "period": "day",
        "link_total_values": [{"value": v, "link_url": url} for url, v in per_url.items()],
        "title": metric,
        "description": _DESCRIPTIONS[metric],
        "id": f"{user_id}/insights/{metric}/day",
    }
