"""The stand-in's Meta advertiser: accounts, campaigns, ad sets, ads, creatives, creators.

The structure is declared once as data (``_ACCOUNTS``) and expanded into flat, frozen
entities with Meta-style string IDs by :func:`build_scenario`. Numbers are not stored
here: :mod:`sandbox.meta.generator` derives them from the seed, so the structure is the
same for every seed and only the daily numbers change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache

from sandbox.creators import BRAND, CREATORS, Profile

THREADS_ROLLOUT_DEFAULT = date(2026, 10, 1)
#: From this Monday, Advantage+ automation in the first account moves budget to Instagram
#: Reels (its placement weight x REELS_PUSH_FACTOR): a week-over-week placement share jump,
#: so the demo's last week shows the drift warning, alert and badge (issue 18).
REELS_PUSH_FROM = date(2026, 10, 26)
REELS_PUSH_FACTOR = 3.0
#: First report day under Meta's narrowed click-through definition (link clicks only; other
#: clicks count as 1-day engage-through). Third-party date, so a setting: see DECISIONS.md.
ENGAGE_THROUGH_FROM_DEFAULT = date(2026, 4, 6)

#: The advertiser's own identities (brand Facebook Page and Instagram account).
BRAND_PAGE_ID = BRAND.fb_page_id
BRAND_IG_USER_ID = BRAND.ig_user_id


@dataclass(frozen=True, order=True)
class Placement:
    """One reporting placement, as Meta's ``publisher_platform``/``platform_position`` pair."""

    publisher_platform: str
    platform_position: str


FACEBOOK_FEED = Placement("facebook", "feed")
FACEBOOK_REELS = Placement("facebook", "facebook_reels")
FACEBOOK_STORIES = Placement("facebook", "facebook_stories")
INSTAGRAM_FEED = Placement("instagram", "feed")
INSTAGRAM_REELS = Placement("instagram", "instagram_reels")
INSTAGRAM_STORIES = Placement("instagram", "instagram_stories")
INSTAGRAM_EXPLORE = Placement("instagram", "instagram_explore")
THREADS_FEED = Placement("threads", "threads_feed")
AUDIENCE_NETWORK = Placement("audience_network", "an_classic")

#: Every placement the stand-in reports, in the order rows are served.
ALL_PLACEMENTS: tuple[Placement, ...] = (
    FACEBOOK_FEED,
    FACEBOOK_REELS,
    FACEBOOK_STORIES,
    INSTAGRAM_FEED,
    INSTAGRAM_REELS,
    INSTAGRAM_STORIES,
    INSTAGRAM_EXPLORE,
    THREADS_FEED,
    AUDIENCE_NETWORK,
)

#: Automatic placements before Threads joined them.
_AUTO_WITHOUT_THREADS = tuple(p for p in ALL_PLACEMENTS if p != THREADS_FEED)

#: Targeting position names (ad set ``targeting``) that report as each placement.
_TARGETING_POSITION = {
    FACEBOOK_FEED: ("facebook_positions", "feed"),
    FACEBOOK_REELS: ("facebook_positions", "facebook_reels"),
    FACEBOOK_STORIES: ("facebook_positions", "story"),
    INSTAGRAM_FEED: ("instagram_positions", "stream"),
    INSTAGRAM_REELS: ("instagram_positions", "reels"),
    INSTAGRAM_STORIES: ("instagram_positions", "story"),
    INSTAGRAM_EXPLORE: ("instagram_positions", "explore"),
    THREADS_FEED: ("threads_positions", "threads_stream"),
    AUDIENCE_NETWORK: ("audience_network_positions", "classic"),
}


@dataclass(frozen=True)
class Account:
    """An ad account; ``account_id`` is the bare number, ``id`` the ``act_`` form."""

    account_id: str
    name: str
    currency: str
    timezone_name: str
    country: str
    #: Scales budgets and order values to the currency (EUR = 1.0).
    money_scale: float
    created: date

    @property
    def id(self) -> str:
        return f"act_{self.account_id}"


#: Creators are the shared :mod:`sandbox.creators` profiles (same ids on every stand-in).
Creator = Profile
_CREATORS_BY_HANDLE = {c.handle: c for c in CREATORS}


@dataclass(frozen=True)
class Campaign:
    """A campaign; ``kind`` is ``advantage_plus``, ``manual`` or ``legacy_asc``.

    ``status`` is ``ACTIVE``, ``PAUSED``, ``ARCHIVED`` or ``DELETED``; a campaign that is not
    active stopped delivering after ``stop``.
    """

    id: str
    account_id: str
    name: str
    kind: str
    objective: str
    start: date
    daily_budget_cents: int | None
    status: str = "ACTIVE"
    stop: date | None = None

    @property
    def smart_promotion_type(self) -> str | None:
        return {"advantage_plus": "GUIDED_CREATION", "legacy_asc": "AUTOMATED_SHOPPING_ADS"}.get(
            self.kind
        )

    @property
    def advantage_state_info(self) -> dict[str, str] | None:
        if self.kind != "advantage_plus":
            return None
        return {
            "advantage_state": "ADVANTAGE_PLUS_SALES",
            "advantage_budget_state": "ENABLED",
            "advantage_audience_state": "ENABLED",
            "advantage_placement_state": "ENABLED",
        }


@dataclass(frozen=True)
class AdSet:
    """An ad set; ``placements`` empty means automatic (Advantage+) placements."""

    id: str
    account_id: str
    campaign_id: str
    name: str
    start: date
    daily_budget_cents: int
    placements: tuple[Placement, ...]
    #: Inherited from the campaign: archived/deleted campaigns archive/delete their children.
    status: str = "ACTIVE"

    @property
    def effective_status(self) -> str:
        return "CAMPAIGN_PAUSED" if self.status == "PAUSED" else self.status

    @property
    def targeting(self) -> dict[str, object]:
        """The ad set's ``targeting`` object as Meta returns it."""
        if not self.placements:
            return {}
        positions: dict[str, list[str]] = {}
        for placement in self.placements:
            key, position = _TARGETING_POSITION[placement]
            positions.setdefault(key, []).append(position)
        platforms = sorted({p.publisher_platform for p in self.placements})
        return {"publisher_platforms": platforms, **positions}


@dataclass(frozen=True)
class Ad:
    """An ad; it delivers every day from ``start`` on its ``placements``."""

    id: str
    account_id: str
    campaign_id: str
    adset_id: str
    creative_id: str
    name: str
    start: date
    #: Expected spend per day in account minor units, before noise.
    daily_spend_cents: int
    #: The account's ``money_scale``: prices and order values follow the currency.
    money_scale: float
    base_placements: tuple[Placement, ...]
    #: Placements joined automatically on a date, without advertiser action.
    late_placements: tuple[tuple[Placement, date], ...] = ()
    #: Automation favouring a placement from a date: (placement, weight factor, first day).
    placement_push: tuple[Placement, float, date] | None = None
    #: Last delivery day (the ad, or its campaign, was paused, archived or deleted after it).
    end: date | None = None
    status: str = "ACTIVE"
    effective_status: str = "ACTIVE"

    def pushed_on(self, day: date) -> tuple[Placement, float] | None:
        """The placement automation favours on ``day`` and by how much (None: no push)."""
        if self.placement_push is None or day < self.placement_push[2]:
            return None
        return self.placement_push[0], self.placement_push[1]

    def placements_on(self, day: date) -> tuple[Placement, ...]:
        """Placements eligible for delivery on ``day`` (empty outside ``start..end``)."""
        if day < self.start or (self.end is not None and day > self.end):
            return ()
        late = tuple(p for p, since in self.late_placements if day >= since)
        return self.base_placements + late


@dataclass(frozen=True)
class Creative:
    """An ad creative. Partnership ads name creators (the first one authored the boosted
    Instagram post); ``creator_primary`` decides whose identity the ad runs under (the other
    side shows up in the sponsor fields)."""

    id: str
    account_id: str
    name: str
    creators: tuple[Creator, ...] = ()
    creator_primary: bool = False
    #: The creator's Instagram post the ad boosts (partnership ads only).
    source_instagram_media_id: str | None = None

    @property
    def is_partnership(self) -> bool:
        return bool(self.creators)


@dataclass(frozen=True)
class Scenario:
    """The whole advertiser, expanded, with lookups by ID."""

    accounts: tuple[Account, ...]
    campaigns: tuple[Campaign, ...]
    adsets: tuple[AdSet, ...]
    ads: tuple[Ad, ...]
    business_id: str
    threads_rollout: date
    creatives: tuple[Creative, ...] = ()
    #: First report day whose click-through windows count link clicks only.
    engage_through_from: date = ENGAGE_THROUGH_FROM_DEFAULT
    creators: tuple[Creator, ...] = CREATORS
    _accounts: dict[str, Account] = field(init=False, compare=False, repr=False)
    _campaigns: dict[str, Campaign] = field(init=False, compare=False, repr=False)
    _adsets: dict[str, AdSet] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Frozen: the lookups are set once, through object.__setattr__.
        object.__setattr__(self, "_accounts", {a.account_id: a for a in self.accounts})
        object.__setattr__(self, "_campaigns", {c.id: c for c in self.campaigns})
        object.__setattr__(self, "_adsets", {s.id: s for s in self.adsets})

    def __hash__(self) -> int:
        # Used as a cache key; identity of the expanded structure is enough.
        return hash(
            (self.business_id, self.threads_rollout, self.engage_through_from, len(self.ads))
        )

    def account(self, account_id: str) -> Account | None:
        """The account with bare number ``account_id``, or None."""
        return self._accounts.get(account_id)

    def campaign(self, campaign_id: str) -> Campaign:
        return self._campaigns[campaign_id]

    def adset(self, adset_id: str) -> AdSet:
        return self._adsets[adset_id]

    def ads_of(self, account_id: str) -> tuple[Ad, ...]:
        return tuple(ad for ad in self.ads if ad.account_id == account_id)

    def campaigns_of(self, account_id: str) -> tuple[Campaign, ...]:
        return tuple(c for c in self.campaigns if c.account_id == account_id)

    def adsets_of(self, account_id: str) -> tuple[AdSet, ...]:
        return tuple(s for s in self.adsets if s.account_id == account_id)

    def creatives_of(self, account_id: str) -> tuple[Creative, ...]:
        return tuple(c for c in self.creatives if c.account_id == account_id)

    def partnership_media(self) -> tuple[tuple[str, Creator, tuple[str, ...]], ...]:
        """``(instagram media id, authoring creator, partner creators' handles)`` per
        partnership creative: the creator posts the Instagram stand-in can serve insights for."""
        return tuple(
            (c.source_instagram_media_id, c.creators[0], tuple(x.handle for x in c.creators))
            for c in self.creatives
            if c.source_instagram_media_id
        )


# --- declaration -----------------------------------------------------------------------


@dataclass(frozen=True)
class _AdSetSpec:
    name: str
    n_ads: int
    daily_budget: int  # major units, EUR-scale
    placements: tuple[Placement, ...] = ()
    #: Creator handles of each partnership ad (the last ads of the set), author first.
    partnerships: tuple[tuple[str, ...], ...] = ()
    creator_primary: bool = False
    #: (ad number from 1, day) of ads deleted after that day, keeping their spend history.
    deleted_ads: tuple[tuple[int, date], ...] = ()


@dataclass(frozen=True)
class _CampaignSpec:
    name: str
    kind: str
    start: date
    adsets: tuple[_AdSetSpec, ...]
    objective: str = "OUTCOME_SALES"
    status: str = "ACTIVE"
    stop: date | None = None


@dataclass(frozen=True)
class _AccountSpec:
    account_id: str
    name: str
    currency: str
    timezone_name: str
    country: str
    money_scale: float
    created: date
    campaigns: tuple[_CampaignSpec, ...]


_ACCOUNTS: tuple[_AccountSpec, ...] = (
    _AccountSpec(
        "248710003360117",
        "Nordlicht Apparel EU",
        "EUR",
        "Europe/Berlin",
        "DE",
        1.0,
        date(2023, 3, 14),
        (
            _CampaignSpec(
                "EU | Sales | Advantage+",
                "advantage_plus",
                date(2026, 8, 15),
                (
                    _AdSetSpec(
                        "EU | A+ audience",
                        6,
                        420,
                        partnerships=(
                            ("stylecreator_ana", "lena.outdoors"),
                            ("stylecreator_ana", "lena.outdoors", "milo.makes"),
                        ),
                        creator_primary=True,
                        deleted_ads=((2, date(2026, 9, 20)),),
                    ),
                ),
            ),
            _CampaignSpec(
                "EU | Prospecting | Manual placements",
                "manual",
                date(2026, 9, 10),
                (
                    _AdSetSpec("EU | FB+IG feeds", 4, 160, (FACEBOOK_FEED, INSTAGRAM_FEED)),
                    _AdSetSpec(
                        "EU | IG reels+stories", 4, 140, (INSTAGRAM_REELS, INSTAGRAM_STORIES)
                    ),
                ),
            ),
            _CampaignSpec(
                "EU | Catalog | ASC legacy",
                "legacy_asc",
                date(2026, 5, 4),
                (_AdSetSpec("EU | ASC", 4, 180),),
            ),
            _CampaignSpec(
                "EU | Summer sale | Manual placements",
                "manual",
                date(2026, 6, 1),
                (_AdSetSpec("EU | Summer FB+IG feeds", 2, 120, (FACEBOOK_FEED, INSTAGRAM_FEED)),),
                status="ARCHIVED",
                stop=date(2026, 8, 31),
            ),
        ),
    ),
    _AccountSpec(
        "579220001184532",
        "Nordlicht Apparel US",
        "USD",
        "America/New_York",
        "US",
        1.1,
        date(2024, 1, 22),
        (
            _CampaignSpec(
                "US | Sales | Advantage+",
                "advantage_plus",
                date(2026, 7, 1),
                (
                    _AdSetSpec(
                        "US | A+ audience",
                        5,
                        520,
                        partnerships=(
                            ("milo.makes", "kai.runs"),
                            ("kai.runs", "stylecreator_ana", "lena.outdoors"),
                        ),
                    ),
                ),
            ),
            _CampaignSpec(
                "US | Retargeting | Manual placements",
                "manual",
                date(2026, 9, 20),
                (
                    _AdSetSpec(
                        "US | Feeds+stories",
                        4,
                        150,
                        (FACEBOOK_FEED, INSTAGRAM_FEED, INSTAGRAM_STORIES),
                    ),
                ),
            ),
            _CampaignSpec(
                "US | Catalog | ASC legacy",
                "legacy_asc",
                date(2026, 9, 1),
                (_AdSetSpec("US | ASC", 3, 120),),
                status="PAUSED",
                stop=date(2026, 10, 19),
            ),
            _CampaignSpec(
                "US | Threads test | Manual placements",
                "manual",
                date(2026, 10, 12),
                (
                    _AdSetSpec(
                        "US | IG feed + Threads opt-in", 2, 60, (INSTAGRAM_FEED, THREADS_FEED)
                    ),
                ),
            ),
        ),
    ),
    _AccountSpec(
        "331840007712906",
        "Nordlicht Apparel UK",
        "GBP",
        "Europe/London",
        "GB",
        0.87,
        date(2024, 9, 2),
        (
            _CampaignSpec(
                "UK | Sales | Advantage+",
                "advantage_plus",
                date(2026, 9, 15),
                (_AdSetSpec("UK | A+ audience", 4, 300),),
            ),
            _CampaignSpec(
                "UK | Awareness | Manual placements",
                "manual",
                date(2026, 8, 1),
                (
                    _AdSetSpec(
                        "UK | FB feed + Audience Network",
                        3,
                        90,
                        (FACEBOOK_FEED, AUDIENCE_NETWORK),
                    ),
                ),
                objective="OUTCOME_AWARENESS",
            ),
            _CampaignSpec(
                "UK | Spring test | Manual placements",
                "manual",
                date(2026, 4, 1),
                (_AdSetSpec("UK | Spring FB feed", 2, 50, (FACEBOOK_FEED,)),),
                status="DELETED",
                stop=date(2026, 4, 30),
            ),
        ),
    ),
)


def _object_id(account_index: int, kind: int, serial: int, copy: int = 0) -> str:
    """An 18-digit Meta-style ID: ``120210`` + account digit + kind digit + copy (4 digits)
    + serial (6 digits); copy 0 is the brand's own accounts."""
    return f"120210{account_index}{kind}{copy:04d}{serial:06d}"


def _copied(spec: _AccountSpec, copy: int) -> _AccountSpec:
    """Copy ``copy`` (from 1) of a declared account: an agency client's account with its own
    id and name. Copies run no partnership ads: the creators' posts belong to the brand."""
    if copy == 0:
        return spec
    campaigns = tuple(
        replace(c, adsets=tuple(replace(s, partnerships=()) for s in c.adsets))
        for c in spec.campaigns
    )
    return replace(
        spec,
        account_id=str(int(spec.account_id) + copy * 1_000_000_000),
        name=f"Client {copy + 1:03d} | {spec.name}",
        campaigns=campaigns,
    )


def _ad_status(spec: _AdSetSpec, campaign: Campaign, number: int) -> tuple[str, date | None]:
    """Status and last delivery day of ad ``number`` (from 1) of an ad set."""
    deleted = dict(spec.deleted_ads).get(number)
    if deleted is not None and (campaign.stop is None or deleted < campaign.stop):
        return "DELETED", deleted
    return campaign.status, campaign.stop


def _creative(
    spec: _AdSetSpec, ad_id: str, account_id: str, name: str, number: int, used: dict[str, int]
) -> Creative:
    """The ad's creative; partnership ads boost the author's next unused post."""
    creative_id = ad_id[:7] + "4" + ad_id[8:]
    index = number - 1 - (spec.n_ads - len(spec.partnerships))
    if index < 0:
        return Creative(creative_id, account_id, f"{name} | Creative")
    creators = tuple(_CREATORS_BY_HANDLE[h] for h in spec.partnerships[index])
    author = creators[0]
    post = author.media[used.get(author.handle, 0)]
    used[author.handle] = used.get(author.handle, 0) + 1
    return Creative(
        creative_id,
        account_id,
        f"{name} | Partnership with @{author.handle}",
        creators=creators,
        creator_primary=spec.creator_primary,
        source_instagram_media_id=post.media_id,
    )


def _expand_ads(
    spec: _AdSetSpec,
    adset: AdSet,
    campaign: Campaign,
    money_scale: float,
    rollout: date,
    first: int,
    used_media: dict[str, int],
) -> list[tuple[Ad, Creative]]:
    account_index, copy = int(adset.id[6]), int(adset.id[8:12])
    kind = campaign.kind
    if spec.placements:
        base, late = spec.placements, ()
    elif kind == "advantage_plus":
        base, late = _AUTO_WITHOUT_THREADS, ((THREADS_FEED, rollout),)
    else:
        base, late = _AUTO_WITHOUT_THREADS, ()
    push = None
    if kind == "advantage_plus" and not spec.placements and account_index == 1:
        push = (INSTAGRAM_REELS, REELS_PUSH_FACTOR, REELS_PUSH_FROM)
    per_ad = adset.daily_budget_cents // spec.n_ads
    out = []
    for i in range(spec.n_ads):
        ad_id = _object_id(account_index, 3, first + i, copy)
        name = f"{spec.name} | Ad {i + 1:02d}"
        status, end = _ad_status(spec, campaign, i + 1)
        creative = _creative(spec, ad_id, adset.account_id, name, i + 1, used_media)
        ad = Ad(
            id=ad_id,
            account_id=adset.account_id,
            campaign_id=campaign.id,
            adset_id=adset.id,
            creative_id=creative.id,
            name=name,
            # New creatives join every week: ads 1-3 on day one, 4-6 a week later.
            start=adset.start + timedelta(days=7 * (i // 3)),
            daily_spend_cents=per_ad,
            money_scale=money_scale,
            base_placements=base,
            late_placements=late,
            placement_push=push,
            end=end,
            status=status,
            effective_status=status if status != "PAUSED" else "CAMPAIGN_PAUSED",
        )
        out.append((ad, creative))
    return out


def _expand_account(
    index: int, spec: _AccountSpec, rollout: date, used_media: dict[str, int], copy: int = 0
) -> tuple[Account, list[Campaign], list[AdSet], list[tuple[Ad, Creative]]]:
    account = Account(
        spec.account_id,
        spec.name,
        spec.currency,
        spec.timezone_name,
        spec.country,
        spec.money_scale,
        spec.created,
    )
    campaigns: list[Campaign] = []
    adsets: list[AdSet] = []
    ads: list[tuple[Ad, Creative]] = []
    for c_serial, c_spec in enumerate(spec.campaigns, start=101):
        budget = sum(round(s.daily_budget * spec.money_scale) * 100 for s in c_spec.adsets)
        campaign = Campaign(
            id=_object_id(index, 1, c_serial, copy),
            account_id=spec.account_id,
            name=c_spec.name,
            kind=c_spec.kind,
            objective=c_spec.objective,
            start=c_spec.start,
            # Advantage+ and ASC budgets sit on the campaign, manual ones on the ad set.
            daily_budget_cents=None if c_spec.kind == "manual" else budget,
            status=c_spec.status,
            stop=c_spec.stop,
        )
        campaigns.append(campaign)
        for s_spec in c_spec.adsets:
            adset = AdSet(
                id=_object_id(index, 2, 201 + len(adsets), copy),
                account_id=spec.account_id,
                campaign_id=campaign.id,
                name=s_spec.name,
                start=c_spec.start,
                daily_budget_cents=round(s_spec.daily_budget * spec.money_scale) * 100,
                placements=s_spec.placements,
                status=c_spec.status,
            )
            adsets.append(adset)
            first_ad = 301 + len(ads)
            ads.extend(
                _expand_ads(
                    s_spec, adset, campaign, spec.money_scale, rollout, first_ad, used_media
                )
            )
    return account, campaigns, adsets, ads


@cache
def build_scenario(
    threads_rollout: date = THREADS_ROLLOUT_DEFAULT,
    engage_through_from: date = ENGAGE_THROUGH_FROM_DEFAULT,
    account_copies: int = 1,
) -> Scenario:
    """Expand the declared advertiser into entities.

    Args:
        threads_rollout: first day Advantage+ sales ads deliver on ``threads/threads_feed``.
        engage_through_from: first report day under the narrowed click-through definition.
        account_copies: how many times the declared accounts are served (:func:`_copied`;
            1 = the brand's own accounts only).

    Returns:
        The scenario; the same object for the same arguments.
    """
    accounts, campaigns, adsets, ads = [], [], [], []
    used_media: dict[str, int] = {}
    for copy in range(account_copies):
        for index, spec in enumerate(_ACCOUNTS, start=1):
            account, a_campaigns, a_adsets, a_ads = _expand_account(
                index, _copied(spec, copy), threads_rollout, used_media, copy
            )
            accounts.append(account)
            campaigns.extend(a_campaigns)
            adsets.extend(a_adsets)
            ads.extend(a_ads)
    return Scenario(
        accounts=tuple(accounts),
        campaigns=tuple(campaigns),
        adsets=tuple(adsets),
        ads=tuple(ad for ad, _ in ads),
        business_id="1093884470021455",
        threads_rollout=threads_rollout,
        creatives=tuple(creative for _, creative in ads),
        engage_through_from=engage_through_from,
    )


def configured_scenario(account_copies: int | None = None) -> Scenario:
    """The scenario the stand-in serves: :func:`build_scenario` with the change date of
    ``SANDBOX_META_ENGAGE_THROUGH_FROM`` and ``account_copies`` copies (default
    ``SANDBOX_ACCOUNT_COPIES``; the server and the truth read the same settings)."""
    from socialmart.settings import load_settings

    settings = load_settings()
    return build_scenario(
        engage_through_from=settings.sandbox_meta_engage_through_from,
        account_copies=account_copies or settings.sandbox_account_copies,
    )
