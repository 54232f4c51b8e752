"""The brand and the creators it runs partnership ads with, declared once for every stand-in.

The Threads and Instagram stand-ins build their profiles and media from here; the Meta
stand-in can import the same identities (Instagram user ids, Page ids, the creator posts used
as ``source_instagram_media_id`` of partnership-ad creatives), so the platforms tell one story.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class CreatorMedia:
    """An Instagram post of a creator that the brand promotes as a partnership ad.

    Attributes:
        media_id: Instagram media id (``source_instagram_media_id`` of the ad creative).
        media_product_type: ``FEED``, ``REELS`` or ``STORY``.
        posted_at: Publication time (UTC).
        reach_potential: Lifetime organic reach the post converges to.
    """

    media_id: str
    media_product_type: str
    posted_at: datetime
    reach_potential: int


@dataclass(frozen=True)
class Profile:
    """The brand or a creator, with its identities on each Meta surface.

    Attributes:
        handle: Username on Instagram and Threads.
        display_name: Name shown on the profile.
        ig_user_id: Instagram professional account id.
        fb_page_id: Facebook Page id linked to the Instagram account.
        threads_user_id: Threads user id.
        followers: Threads followers at the start of the scenario.
        is_brand: Whether this is the advertiser's own profile.
        media: Partnership-ad posts on Instagram (creators only).
    """

    handle: str
    display_name: str
    ig_user_id: str
    fb_page_id: str
    threads_user_id: str
    followers: int
    is_brand: bool = False
    media: tuple[CreatorMedia, ...] = ()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


BRAND = Profile(
    handle="nordlicht.apparel",
    display_name="Nordlicht Apparel",
    ig_user_id="17841400000000011",
    fb_page_id="110001241469329",
    threads_user_id="27300000000000000",
    followers=18240,
    is_brand=True,
)

CREATORS: tuple[Profile, ...] = (
    Profile(
        handle="stylecreator_ana",
        display_name="StyleCreator_Ana",
        ig_user_id="17841400000000077",
        fb_page_id="255033446395141",
        threads_user_id="27300000000000101",
        followers=52300,
        media=(
            CreatorMedia("17912345678901234", "REELS", _at("2026-09-03T18:00:00"), 90000),
            CreatorMedia("17854360229135492", "REELS", _at("2026-10-28T17:30:00"), 105000),
            CreatorMedia("17932174733377207", "FEED", _at("2026-11-20T19:15:00"), 41000),
        ),
    ),
    Profile(
        handle="lena.outdoors",
        display_name="Lena Berger",
        ig_user_id="17841400000000123",
        fb_page_id="255033446395202",
        threads_user_id="27300000000000102",
        followers=23800,
        media=(
            CreatorMedia("17918800000000101", "FEED", _at("2026-09-12T08:45:00"), 31000),
            CreatorMedia("17918800000000102", "STORY", _at("2026-10-05T20:10:00"), 4),
        ),
    ),
    Profile(
        handle="milo.makes",
        display_name="Milo Makes",
        ig_user_id="17841400000000178",
        fb_page_id="255033446395263",
        threads_user_id="27300000000000103",
        followers=9100,
        media=(
            CreatorMedia("17918800000000201", "REELS", _at("2026-10-14T12:00:00"), 27000),
            CreatorMedia("17918800000000202", "STORY", _at("2026-10-15T09:30:00"), 2600),
        ),
    ),
    Profile(
        handle="kai.runs",
        display_name="Kai Runs",
        ig_user_id="17841400000000231",
        fb_page_id="255033446395324",
        threads_user_id="27300000000000104",
        followers=14700,
        media=(CreatorMedia("17918800000000301", "REELS", _at("2026-11-02T06:50:00"), 46000),),
    ),
)

#: Every profile, the brand first.
PROFILES: tuple[Profile, ...] = (BRAND, *CREATORS)


def partnership_media() -> tuple[CreatorMedia, ...]:
    """Every creator post used in partnership ads, in declaration order."""
    return tuple(media for creator in CREATORS for media in creator.media)


# --- TikTok (Spark Ads, GMV Max, Shop affiliate orders) ------------------------------------
# The same people as far as they are on TikTok, plus one TikTok-only creator. TikTok Shop names
# creators in affiliate orders by ``creator_username`` only; Spark Ads carry ``identity_id``
# and ``tiktok_item_id`` (a post id, here ``video_ids``).


@dataclass(frozen=True)
class Creator:
    """A creator on TikTok.

    Attributes:
        username: TikTok handle without ``@`` (Shop ``creator_username``).
        display_name: Shown name (Business API ``display_name``).
        identity_id: Business API identity id (64-bit, as a string).
        video_ids: The creator's shoppable video posts (``tiktok_item_id``; Shop
            ``content_id`` for ``VIDEO``).
        live_room_ids: The creator's live sessions (Shop ``content_id`` for ``LIVE``); empty
            for creators who do not sell live.
        profile_handle: ``handle`` of the same person in :data:`CREATORS`, if any.
    """

    username: str
    display_name: str
    identity_id: str
    video_ids: tuple[str, ...]
    live_room_ids: tuple[str, ...] = ()
    profile_handle: str | None = None


TIKTOK_CREATORS: tuple[Creator, ...] = (
    Creator(
        username="stylecreator.ana",
        display_name="StyleCreator_Ana",
        identity_id="6951234567890123401",
        video_ids=("7494337156519332601", "7494337156519332602", "7494337156519332603"),
        live_room_ids=("7501122334455660101",),
        profile_handle="stylecreator_ana",
    ),
    Creator(
        username="lena.outdoors",
        display_name="Lena Berger",
        identity_id="6951234567890123402",
        video_ids=("7494337156519332611", "7494337156519332612"),
        profile_handle="lena.outdoors",
    ),
    Creator(
        username="milo.makes",
        display_name="Milo Makes",
        identity_id="6951234567890123403",
        video_ids=("7494337156519332621", "7494337156519332622"),
        live_room_ids=("7501122334455660201", "7501122334455660202"),
        profile_handle="milo.makes",
    ),
    Creator(
        username="kai.runs",
        display_name="Kai Runs",
        identity_id="6951234567890123404",
        video_ids=("7494337156519332631",),
        live_room_ids=("7501122334455660301",),
        profile_handle="kai.runs",
    ),
    Creator(
        username="fitwithfreya",
        display_name="Freya Fit",
        identity_id="6951234567890123405",
        video_ids=("7494337156519332641", "7494337156519332642"),
    ),
)


def tiktok_creator(username: str) -> Creator:
    """The TikTok creator called ``username``.

    Raises:
        KeyError: No such creator.
    """
    for candidate in TIKTOK_CREATORS:
        if candidate.username == username:
            return candidate
    raise KeyError(f"unknown TikTok creator {username!r}")
