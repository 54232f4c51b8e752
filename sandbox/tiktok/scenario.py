"""The stand-in's TikTok advertisers: campaigns, ad groups, ads (Spark Ads too) and GMV Max.

Declared once as data and expanded into frozen entities with TikTok-style string ids. Numbers
are not stored here: :mod:`sandbox.tiktok.generator` derives them from the seed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from sandbox.creators import TIKTOK_CREATORS, Creator
from sandbox.tiktok_shop.scenario import build_scenario as build_shop_scenario

TIKTOK = "PLACEMENT_TIKTOK"
PANGLE = "PLACEMENT_PANGLE"
APP_BUNDLE = "PLACEMENT_GLOBAL_APP_BUNDLE"

#: Where automatic-placement ad groups deliver (their ``placements`` field is null).
AUTOMATIC_PLACEMENTS: tuple[str, ...] = (TIKTOK, PANGLE, APP_BUNDLE)
#: ``tiktok_subplacements`` of Upgraded Smart+ ad groups (TikTok changelog, 2026-06-26): apps
#: beside TikTok. The AUDIENCE report's ``placement`` value for their delivery is not
#: documented; the stand-in reports these enum names (DECISIONS.md, "TikTok Smart+").
LEMON8 = "LEMON8"
PINE_DRAMA = "PINE_DRAMA"


@dataclass(frozen=True)
class Advertiser:
    """An advertiser account; report days are dates in ``display_timezone``."""

    advertiser_id: str
    name: str
    currency: str
    timezone: str  # POSIX form TikTok returns, e.g. ``Etc/GMT+8`` (= UTC-8)
    display_timezone: str
    country: str
    money_scale: float
    create_time: int


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    advertiser_id: str
    name: str
    objective_type: str
    buying_type: str  # AUCTION | RESERVATION_TOP_VIEW
    budget: float
    budget_mode: str
    start: date


@dataclass(frozen=True)
class AdGroup:
    adgroup_id: str
    campaign_id: str
    advertiser_id: str
    name: str
    placements: tuple[str, ...]  # empty = PLACEMENT_TYPE_AUTOMATIC
    promotion_type: str
    optimization_goal: str
    budget: float

    @property
    def placement_type(self) -> str:
        return "PLACEMENT_TYPE_NORMAL" if self.placements else "PLACEMENT_TYPE_AUTOMATIC"

    @property
    def delivery_placements(self) -> tuple[str, ...]:
        return self.placements or AUTOMATIC_PLACEMENTS


@dataclass(frozen=True)
class Ad:
    """An ad; it delivers from ``start`` until the day before ``deleted_on``."""

    ad_id: str
    adgroup_id: str
    campaign_id: str
    advertiser_id: str
    name: str
    ad_format: str  # SINGLE_VIDEO | CAROUSEL_ADS (no video metrics: "-")
    identity_type: str
    identity_id: str
    display_name: str
    tiktok_item_id: str | None  # set for Spark Ads
    placements: tuple[str, ...]
    start: date
    daily_spend_cents: int
    money_scale: float
    deleted_on: date | None = None

    @property
    def is_spark(self) -> bool:
        return self.tiktok_item_id is not None

    def delivers_on(self, day: date) -> bool:
        return self.start <= day and (self.deleted_on is None or day < self.deleted_on)


@dataclass(frozen=True)
class SmartPlusCampaign:
    """An Upgraded Smart+ campaign: listed by ``/smart_plus/campaign/get/`` only."""

    campaign_id: str
    advertiser_id: str
    name: str
    objective_type: str
    budget: float


@dataclass(frozen=True)
class SmartPlusAdGroup:
    """An Upgraded Smart+ ad group: automatic placements plus its ``tiktok_subplacements``."""

    adgroup_id: str
    campaign_id: str
    advertiser_id: str
    name: str
    subplacements: tuple[str, ...]

    @property
    def delivery_placements(self) -> tuple[str, ...]:
        return AUTOMATIC_PLACEMENTS + self.subplacements


@dataclass(frozen=True)
class SmartPlusAd(Ad):
    """An Upgraded Smart+ ad (``ad_id`` is its ``smart_plus_ad_id``). Reports by ``ad_id_v2``
    show the ad; reports by ``ad_id`` show each of its ``creative_ids`` instead."""

    creative_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Store:
    store_id: str
    advertiser_id: str
    name: str
    status: str
    gmv_max_available: bool


@dataclass(frozen=True)
class GmvMaxCampaign:
    """A GMV Max campaign; LIVE ones promote livestreams and get no product clicks."""

    campaign_id: str
    advertiser_id: str
    store_id: str
    name: str
    promotion_type: str  # PRODUCT_GMV_MAX | LIVE_GMV_MAX
    start: date
    daily_cost_cents: int
    money_scale: float

    @property
    def report_promotion_type(self) -> str:
        """The value ``/gmv_max/report/get/`` filters on (``PRODUCT`` or ``LIVE``)."""
        return self.promotion_type.removesuffix("_GMV_MAX")


@dataclass(frozen=True)
class Scenario:
    advertisers: tuple[Advertiser, ...]
    campaigns: tuple[Campaign, ...]
    adgroups: tuple[AdGroup, ...]
    ads: tuple[Ad, ...]
    stores: tuple[Store, ...]
    gmv_campaigns: tuple[GmvMaxCampaign, ...]
    smart_plus_campaigns: tuple[SmartPlusCampaign, ...] = ()
    smart_plus_adgroups: tuple[SmartPlusAdGroup, ...] = ()
    smart_plus_ads: tuple[SmartPlusAd, ...] = ()

    def advertiser(self, advertiser_id: str) -> Advertiser | None:
        return next((a for a in self.advertisers if a.advertiser_id == advertiser_id), None)

    def campaigns_of(self, advertiser_id: str) -> tuple[Campaign, ...]:
        return tuple(c for c in self.campaigns if c.advertiser_id == advertiser_id)

    def adgroups_of(self, advertiser_id: str) -> tuple[AdGroup, ...]:
        return tuple(g for g in self.adgroups if g.advertiser_id == advertiser_id)

    def ads_of(self, advertiser_id: str) -> tuple[Ad, ...]:
        return tuple(a for a in self.ads if a.advertiser_id == advertiser_id)

    def stores_of(self, advertiser_id: str) -> tuple[Store, ...]:
        return tuple(s for s in self.stores if s.advertiser_id == advertiser_id)

    def gmv_campaigns_of(self, advertiser_id: str) -> tuple[GmvMaxCampaign, ...]:
        return tuple(c for c in self.gmv_campaigns if c.advertiser_id == advertiser_id)

    def smart_plus_campaigns_of(self, advertiser_id: str) -> tuple[SmartPlusCampaign, ...]:
        return tuple(c for c in self.smart_plus_campaigns if c.advertiser_id == advertiser_id)

    def smart_plus_adgroups_of(self, advertiser_id: str) -> tuple[SmartPlusAdGroup, ...]:
        return tuple(g for g in self.smart_plus_adgroups if g.advertiser_id == advertiser_id)

    def smart_plus_ads_of(self, advertiser_id: str) -> tuple[SmartPlusAd, ...]:
        return tuple(a for a in self.smart_plus_ads if a.advertiser_id == advertiser_id)


# --- declaration -----------------------------------------------------------------------

_ADVERTISERS = (
    Advertiser(
        "7002238017842757601",
        "Nordlicht TikTok US",
        "USD",
        "Etc/GMT+8",
        "America/Los_Angeles",
        "US",
        1.1,
        1630335591,
    ),
    Advertiser(
        "7002238017842757602",
        "Nordlicht TikTok DE",
        "EUR",
        "Etc/GMT-1",
        "Europe/Berlin",
        "DE",
        1.0,
        1651000000,
    ),
    Advertiser(
        "7002238017842757603",
        "Nordlicht TikTok UK",
        "GBP",
        "Etc/GMT",
        "Europe/London",
        "GB",
        0.87,
        1672000000,
    ),
)

START = date(2026, 8, 1)


def _ids(adv: int, kind: int, serial: int, copy: int = 0) -> str:
    """A 16-digit TikTok-style id: ``17141`` + advertiser digit + kind digit + copy (3
    digits) + serial (6 digits); copy 0 is the brand's own advertisers."""
    return f"17141{adv}{kind}{copy:03d}{serial:06d}"


def _copied(adv: Advertiser, copy: int) -> Advertiser:
    """Copy ``copy`` (from 1) of a declared advertiser: an agency client's advertiser with
    its own id and name."""
    if copy == 0:
        return adv
    return replace(
        adv,
        advertiser_id=str(int(adv.advertiser_id) + copy * 1000),
        name=f"Client {copy + 1:03d} | {adv.name}",
    )


def _spark(creator: Creator, post: int = 0) -> tuple[str, str, str, str]:
    """Identity fields of a Spark Ad on a creator's post (one creator links a Business
    Account, the others authorize single posts by code)."""
    kind = "TT_USER" if creator is TIKTOK_CREATORS[2] else "AUTH_CODE"
    return kind, creator.identity_id, creator.display_name, creator.video_ids[post]


def _expand(index: int, adv: Advertiser, copy: int = 0) -> tuple[list, list, list, list, list]:
    """Campaigns, ad groups, ads, stores and GMV Max campaigns of one advertiser (``index``
    from 1 among the declared ones; ``copy`` as in :func:`_copied`)."""
    scale = adv.money_scale
    auction = Campaign(
        _ids(index, 1, 1, copy),
        adv.advertiser_id,
        f"{adv.country} | Shop sales",
        "PRODUCT_SALES",
        "AUCTION",
        round(300 * scale),
        "BUDGET_MODE_DAY",
        START,
    )
    traffic = Campaign(
        _ids(index, 1, 2, copy),
        adv.advertiser_id,
        f"{adv.country} | Website traffic",
        "TRAFFIC",
        "AUCTION",
        0.0,
        "BUDGET_MODE_INFINITE",
        START,
    )
    campaigns = [auction, traffic]
    if index == 1:
        campaigns.append(
            Campaign(
                _ids(index, 1, 3, copy),
                adv.advertiser_id,
                "US | TopView launch",
                "REACH",
                "RESERVATION_TOP_VIEW",
                5000.0,
                "BUDGET_MODE_TOTAL",
                START,
            )
        )
    groups = [
        AdGroup(
            _ids(index, 2, 1, copy),
            auction.campaign_id,
            adv.advertiser_id,
            f"{adv.country} | Spark creators",
            (TIKTOK,),
            "TIKTOK_SHOP",
            "VALUE",
            round(180 * scale),
        ),
        AdGroup(
            _ids(index, 2, 2, copy),
            traffic.campaign_id,
            adv.advertiser_id,
            f"{adv.country} | Automatic placement",
            (),
            "WEBSITE",
            "CLICK",
            round(90 * scale),
        ),
        AdGroup(
            _ids(index, 2, 3, copy),
            traffic.campaign_id,
            adv.advertiser_id,
            f"{adv.country} | TikTok + Pangle",
            (TIKTOK, PANGLE),
            "WEBSITE",
            "CLICK",
            round(60 * scale),
        ),
    ]
    ads: list[Ad] = []
    creators = [TIKTOK_CREATORS[(index - 1 + k) % len(TIKTOK_CREATORS)] for k in range(3)]
    sparks = [_spark(creators[0]), _spark(creators[1]), _spark(creators[2])]
    if index == 1:
        sparks.append(_spark(TIKTOK_CREATORS[0], 1))
    for serial, (itype, iid, name, item) in enumerate(sparks, start=1):
        ads.append(
            Ad(
                _ids(index, 3, serial, copy),
                groups[0].adgroup_id,
                auction.campaign_id,
                adv.advertiser_id,
                f"Spark | {name} | {item[-4:]}",
                "SINGLE_VIDEO",
                itype,
                iid,
                name,
                item,
                groups[0].delivery_placements,
                START,
                round(4500 * scale),
                scale,
            )
        )
    brand_id = f"70801218209634{index}2209"
    for serial, group in enumerate(groups[1:] * 2, start=11):
        fmt = "CAROUSEL_ADS" if serial == 14 else "SINGLE_VIDEO"
        deleted = date(2026, 9, 20) if serial == 12 else None
        ads.append(
            Ad(
                _ids(index, 3, serial, copy),
                group.adgroup_id,
                group.campaign_id,
                adv.advertiser_id,
                f"{adv.country} | Brand ad {serial}",
                fmt,
                "CUSTOMIZED_USER",
                brand_id,
                "Nordlicht",
                None,
                group.delivery_placements,
                START,
                round(2600 * scale),
                scale,
                deleted,
            )
        )
    # The main store is the TikTok Shop the advertiser sells for (GMV Max ``store_id`` is the
    # shop id), so GMV Max reports and the Shop's orders tell one story.
    shop = build_shop_scenario().shop_of_advertiser(adv.advertiser_id)
    stores = [
        Store(
            shop.shop_id if shop else f"74940{index}{copy:03d}000001",
            adv.advertiser_id,
            f"Nordlicht Shop {adv.country}",
            "ACTIVE",
            True,
        )
    ]
    gmv: list[GmvMaxCampaign] = []
    if index in (1, 3):
        stores.append(
            Store(
                f"74940{index}{copy:03d}000002",
                adv.advertiser_id,
                f"Nordlicht Outlet {adv.country}",
                "NEW_CREATE",
                False,
            )
        )
        gmv = [
            GmvMaxCampaign(
                _ids(index, 5, 1, copy),
                adv.advertiser_id,
                stores[0].store_id,
                f"{adv.country} | Product GMV Max",
                "PRODUCT_GMV_MAX",
                START,
                round(8000 * scale),
                scale,
            ),
            GmvMaxCampaign(
                _ids(index, 5, 2, copy),
                adv.advertiser_id,
                stores[0].store_id,
                f"{adv.country} | LIVE GMV Max",
                "LIVE_GMV_MAX",
                START,
                round(3000 * scale),
                scale,
            ),
        ]
    return campaigns, groups, ads, stores, gmv


#: Upgraded Smart+ per advertiser index: the ad group's subplacements (UK runs none).
_SMART_PLUS_SUBPLACEMENTS = {1: (LEMON8, PINE_DRAMA), 2: (LEMON8,)}


def _smart_plus(index: int, adv: Advertiser, copy: int = 0) -> tuple[list, list, list]:
    """One Upgraded Smart+ web campaign, ad group and two ads of two creatives each."""
    subplacements = _SMART_PLUS_SUBPLACEMENTS.get(index)
    if subplacements is None:
        return [], [], []
    scale = adv.money_scale
    campaign = SmartPlusCampaign(
        _ids(index, 6, 1, copy),
        adv.advertiser_id,
        f"{adv.country} | Smart+ web sales",
        "WEB_CONVERSIONS",
        round(250 * scale),
    )
    group = SmartPlusAdGroup(
        _ids(index, 7, 1, copy),
        campaign.campaign_id,
        adv.advertiser_id,
        f"{adv.country} | Smart+ automatic",
        subplacements,
    )
    ads = [
        SmartPlusAd(
            _ids(index, 8, serial, copy),
            group.adgroup_id,
            campaign.campaign_id,
            adv.advertiser_id,
            f"{adv.country} | Smart+ ad {serial}",
            "SINGLE_VIDEO",
            "CUSTOMIZED_USER",
            f"70801218209634{index}2209",
            "Nordlicht",
            None,
            group.delivery_placements,
            START,
            round(cents * scale),
            scale,
            creative_ids=(
                _ids(index, 9, serial * 10 + 1, copy),
                _ids(index, 9, serial * 10 + 2, copy),
            ),
        )
        for serial, cents in ((1, 3800), (2, 2200))
    ]
    return [campaign], [group], ads


def build_scenario(account_copies: int = 1) -> Scenario:
    """Expand the declared advertisers into entities (the same object for the same
    ``account_copies``: how many times the declared advertisers are served, see
    :func:`_copied`)."""
    return _build(account_copies)


@cache
def _build(account_copies: int) -> Scenario:
    advertisers = []
    parts: list[list] = [[], [], [], [], []]
    smart_plus: list[list] = [[], [], []]
    for copy in range(account_copies):
        for index, declared in enumerate(_ADVERTISERS, start=1):
            adv = _copied(declared, copy)
            advertisers.append(adv)
            for bucket, items in zip(parts, _expand(index, adv, copy), strict=True):
                bucket.extend(items)
            for bucket, items in zip(smart_plus, _smart_plus(index, adv, copy), strict=True):
                bucket.extend(items)
    return Scenario(tuple(advertisers), *(tuple(p) for p in parts), *(tuple(p) for p in smart_plus))


def configured_scenario(account_copies: int | None = None) -> Scenario:
    """The scenario the stand-in serves: :func:`build_scenario` with ``account_copies``
    copies (default ``SANDBOX_ACCOUNT_COPIES``; the server and the truth read the same
    setting)."""
    from socialmart.settings import load_settings

    return build_scenario(account_copies or load_settings().sandbox_account_copies)
