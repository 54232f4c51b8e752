"""Insights of the creators' partnership posts: pure functions of (seed, media, now).

Reach grows with the post's age like Threads posts do; Instagram reports insights only after
:data:`DELAY_SECONDS` (``data`` is empty before) and refuses stories seen by fewer than
:data:`MIN_STORY_VIEWERS` accounts with ``(#10) Not enough viewers``.
"""

from __future__ import annotations

from datetime import datetime

from sandbox.creators import CreatorMedia, partnership_media
from sandbox.threads.generator import grown, unit

MEDIA_METRICS = ("reach", "views", "likes", "comments", "shares", "saved", "total_interactions")
DELAY_SECONDS = 24 * 3600
MIN_STORY_VIEWERS = 5
_RATES = {"likes": 0.06, "comments": 0.004, "shares": 0.005, "saved": 0.01}

AVAILABLE, NO_DATA, NOT_ENOUGH_VIEWERS = "available", "no_data", "not_enough_viewers"


def find_media(media_id: str) -> CreatorMedia | None:
    """The partnership post with ``media_id``, or None."""
    return next((m for m in partnership_media() if m.media_id == media_id), None)


def status(media: CreatorMedia, now: datetime) -> str:
    """Whether insights of ``media`` can be read at ``now``."""
    if media.media_product_type == "STORY" and media.reach_potential < MIN_STORY_VIEWERS:
        return NOT_ENOUGH_VIEWERS
    if (now - media.posted_at).total_seconds() < DELAY_SECONDS:
        return NO_DATA
    return AVAILABLE


def media_metrics(seed: int, media: CreatorMedia, now: datetime) -> dict[str, int]:
    """Lifetime numbers of ``media`` as of ``now`` (meaningful when :func:`status` is
    available)."""
    reach = grown(media.reach_potential, (now - media.posted_at).total_seconds())
    views = int(reach * (1.2 + 0.6 * unit(seed, "ig_views", media.media_id)))
    numbers = {"reach": reach, "views": views}
    for metric, rate in _RATES.items():
        numbers[metric] = int(reach * rate * (0.5 + unit(seed, metric, media.media_id)))
    numbers["total_interactions"] = sum(numbers[m] for m in _RATES)
    return numbers
