"""Threads posts and their numbers: pure functions of (seed, profile, day, post, now).

A profile publishes a few posts a day from :data:`SCENARIO_START`. A post's lifetime numbers
grow with its age along :func:`grown` and are final after :data:`GROWTH_SECONDS`, so the
numbers "as of now" and the daily profile insights (the increments of its posts' numbers
within each day) are exact integers that any reader can recompute.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sandbox.creators import PROFILES, Profile

SCENARIO_START = date(2026, 8, 1)
GROWTH_SECONDS = 7 * 86400
POST_METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
#: Engagement per view, by metric (scaled per post by a seeded factor in [0.5, 1.5)).
_RATES = {"likes": 0.05, "replies": 0.008, "reposts": 0.004, "quotes": 0.002, "shares": 0.003}
_MEDIA_TYPES = (
    ("TEXT_POST", 40),
    ("IMAGE", 25),
    ("VIDEO", 15),
    ("CAROUSEL_ALBUM", 10),
    ("REPOST_FACADE", 10),
)
_TEXTS = (
    "New drop today: the {season} layers are in.",
    "Behind the scenes of our {season} shoot.",
    "Which colour should we restock first?",
    "Packing list for a weekend outside, {season} edition.",
    "Thank you for 1 year of wearing our stuff!",
    "Sizing question? Ask away in the replies.",
)
_SHORTCODE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


@dataclass(frozen=True)
class Post:
    """One Threads post (``id`` encodes profile, day and number, so it can be looked up)."""

    id: str
    profile: Profile
    posted_at: datetime
    media_type: str
    text: str | None
    shortcode: str
    views_potential: int
    rates: tuple[float, ...]

    @property
    def has_insights(self) -> bool:
        """Reposts show the original's numbers elsewhere: their insights are empty."""
        return self.media_type != "REPOST_FACADE"

    @property
    def permalink(self) -> str:
        return f"https://www.threads.net/@{self.profile.handle}/post/{self.shortcode}"


def unit(seed: int, *parts: object) -> float:
    """A deterministic number in [0, 1) for ``parts`` under ``seed``."""
    digest = hashlib.blake2b(repr((seed, *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def grown(final: int, age_seconds: float) -> int:
    """The share of ``final`` reached at ``age_seconds``: 0 before posting, ``final`` after
    :data:`GROWTH_SECONDS`, monotone in between (fast at first, like real posts)."""
    if age_seconds <= 0:
        return 0
    remaining = max(0.0, 1.0 - age_seconds / GROWTH_SECONDS)
    return int(final * (1.0 - remaining**3))


def profile_index(profile: Profile) -> int:
    return PROFILES.index(profile)


def posts_on(seed: int, profile: Profile, day: date) -> tuple[Post, ...]:
    """The posts ``profile`` publishes on ``day`` (UTC), in time order."""
    if day < SCENARIO_START:
        return ()
    base = 1 if profile.is_brand else 0
    count = base + int(unit(seed, "count", profile.handle, day) * 3)
    return tuple(_post(seed, profile, day, n) for n in range(count))


def _post(seed: int, profile: Profile, day: date, n: int) -> Post:
    # Posts of one day are spread over 06:00-22:00, in order of n.
    slot = 16 * 3600 / 3
    offset = 6 * 3600 + n * slot + int(unit(seed, "time", profile.handle, day, n) * slot)
    posted_at = datetime.combine(day, time(), UTC) + timedelta(seconds=offset)
    pick = unit(seed, "type", profile.handle, day, n) * 100
    media_type = next(t for t, cum in _cumulative(_MEDIA_TYPES) if pick < cum)
    season = "autumn" if day.month >= 9 else "summer"
    text_pick = int(unit(seed, "text", profile.handle, day, n) * len(_TEXTS))
    text = None if media_type == "REPOST_FACADE" else _TEXTS[text_pick].format(season=season)
    reach = 0.2 + 1.3 * unit(seed, "views", profile.handle, day, n)
    rates = tuple(
        rate * (0.5 + unit(seed, metric, profile.handle, day, n)) for metric, rate in _RATES.items()
    )
    return Post(
        id=f"18{profile_index(profile):03d}{day:%Y%m%d}{n:03d}",
        profile=profile,
        posted_at=posted_at,
        media_type=media_type,
        text=text,
        shortcode=_shortcode(seed, profile, day, n),
        views_potential=int(profile.followers * reach),
        rates=rates,
    )


def _cumulative(weights: tuple[tuple[str, int], ...]) -> list[tuple[str, int]]:
    total, out = 0, []
    for name, weight in weights:
        total += weight
        out.append((name, total))
    return out


def _shortcode(seed: int, profile: Profile, day: date, n: int) -> str:
    value = int(unit(seed, "code", profile.handle, day, n) * 2**63)
    chars = []
    for _ in range(11):
        value, rest = divmod(value, len(_SHORTCODE))
        chars.append(_SHORTCODE[rest])
    return "".join(chars)


def find_post(seed: int, post_id: str) -> Post | None:
    """The post with ``post_id`` (decoded from the id), or None."""
    if len(post_id) != 16 or not post_id.isdigit() or not post_id.startswith("18"):
        return None
    index, day_text, n = int(post_id[2:5]), post_id[5:13], int(post_id[13:])
    if index >= len(PROFILES):
        return None
    try:
        day = datetime.strptime(day_text, "%Y%m%d").date()
    except ValueError:
        return None
    posts = posts_on(seed, PROFILES[index], day)
    return posts[n] if n < len(posts) else None


def post_metrics(post: Post, at: datetime) -> dict[str, int]:
    """Lifetime numbers of ``post`` as of ``at`` (all zero before it was published)."""
    age = (at - post.posted_at).total_seconds()
    views = grown(post.views_potential, age)
    numbers = {"views": views}
    for metric, rate in zip(_RATES, post.rates, strict=True):
        numbers[metric] = int(views * rate)
    return numbers


def posts_between(seed: int, profile: Profile, first: date, last: date) -> list[Post]:
    """Posts of ``profile`` published on ``first..last`` (UTC days), oldest first."""
    posts: list[Post] = []
    day = max(first, SCENARIO_START)
    while day <= last:
        posts.extend(posts_on(seed, profile, day))
        day += timedelta(days=1)
    return posts
