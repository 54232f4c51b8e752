"""Graph API objects for accounts, campaigns, ad sets, ads and creatives; ``fields`` selection
and the ``effective_status`` filter of the entity edges."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.meta.errors import invalid_parameter, nonexisting_field
from sandbox.meta.scenario import (
    BRAND_IG_USER_ID,
    BRAND_PAGE_ID,
    Account,
    Ad,
    AdSet,
    Campaign,
    Creative,
    Scenario,
)

ATTRIBUTION_SPEC = [
    {"event_type": "CLICK_THROUGH", "window_days": 7},
    {"event_type": "VIEW_THROUGH", "window_days": 1},
]


def parse_fields(raw: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    """Top-level names in a Graph ``fields`` value: ``a,b{c,d},e.limit(2)`` -> a, b, e."""
    if not raw:
        return default
    names, depth, current = [], 0, ""
    for char in raw:
        if char in "{(":
            depth += 1
        elif char in "})":
            depth -= 1
        elif char == "," and depth == 0:
            names.append(current)
            current = ""
            continue
        if depth == 0 and char not in "})":
            current += char
    names.append(current)
    return tuple(dict.fromkeys(n.split(".")[0].strip() for n in names if n.strip()))


def select(obj: dict[str, Any], names: tuple[str, ...], node_type: str) -> dict[str, Any]:
    """Keep the requested fields (plus ``id``, which the Graph API always returns).

    Raises:
        MetaError: for a field the node type does not have.
    """
    out = {"id": obj["id"]}
    for name in names:
        if name not in obj and name not in _OPTIONAL.get(node_type, ()):
            raise nonexisting_field(name, node_type)
        if name in obj:
            out[name] = obj[name]
    return out


#: Fields a node type has but leaves out when empty (e.g. no budget on the ad set).
_OPTIONAL = {
    "Campaign": (
        "daily_budget",
        "lifetime_budget",
        "smart_promotion_type",
        "advantage_state_info",
        "stop_time",
    ),
    "AdSet": ("daily_budget", "lifetime_budget", "end_time"),
    "AdCreative": (
        "source_instagram_media_id",
        "branded_content",
        "facebook_branded_content",
        "instagram_branded_content",
    ),
}

#: ``effective_status`` values the edges accept in their filter.
EFFECTIVE_STATUSES = frozenset(
    {
        "ACTIVE",
        "PAUSED",
        "DELETED",
        "ARCHIVED",
        "CAMPAIGN_PAUSED",
        "ADSET_PAUSED",
        "IN_PROCESS",
        "WITH_ISSUES",
        "PENDING_REVIEW",
        "DISAPPROVED",
        "PREAPPROVED",
        "PENDING_BILLING_INFO",
    }
)
#: Without a filter, archived and deleted objects are left out (as Meta does).
_HIDDEN_BY_DEFAULT = frozenset({"ARCHIVED", "DELETED"})


def status_filter(raw: str | None) -> frozenset[str] | None:
    """The ``effective_status`` filter (JSON list or comma-separated), None when absent.

    Raises:
        MetaError: for a value Meta does not know.
    """
    if not raw:
        return None
    text = raw.strip()
    values = (
        [v.strip().strip('"') for v in text.strip("[]").split(",") if v.strip()]
        if text.startswith("[")
        else [v.strip() for v in text.split(",") if v.strip()]
    )
    unknown = [v for v in values if v not in EFFECTIVE_STATUSES]
    if unknown:
        raise invalid_parameter(
            f"Param effective_status[0] must be one of {{{', '.join(sorted(EFFECTIVE_STATUSES))}}}"
        )
    return frozenset(values)


def visible(obj: dict[str, Any], wanted: frozenset[str] | None) -> bool:
    """Whether an object passes the edge's status filter (objects without a status always do)."""
    status = obj.get("effective_status")
    if status is None:
        return True
    return status in wanted if wanted is not None else status not in _HIDDEN_BY_DEFAULT


def _timestamp(day: date, tz: str, hour: int = 9) -> str:
    moment = datetime.combine(day, time(hour), tzinfo=ZoneInfo(tz))
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def account_object(account: Account, scenario: Scenario, now: datetime) -> dict[str, Any]:
    """The ad account node."""
    offset = now.astimezone(ZoneInfo(account.timezone_name)).utcoffset() or timedelta()
    return {
        "id": account.id,
        "account_id": account.account_id,
        "name": account.name,
        "account_status": 1,
        "currency": account.currency,
        "timezone_name": account.timezone_name,
        "timezone_offset_hours_utc": offset.total_seconds() / 3600,
        "business": {"id": scenario.business_id, "name": "Nordlicht Apparel GmbH"},
        "created_time": _timestamp(account.created, account.timezone_name),
    }


def campaign_object(campaign: Campaign, account: Account) -> dict[str, Any]:
    """The campaign node; budget and Advantage+ fields only where Meta has them."""
    created = _timestamp(campaign.start - timedelta(days=2), account.timezone_name)
    obj: dict[str, Any] = {
        "id": campaign.id,
        "account_id": campaign.account_id,
        "name": campaign.name,
        "objective": campaign.objective,
        "status": campaign.status,
        "effective_status": campaign.status,
        "buying_type": "AUCTION",
        "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
        "special_ad_categories": [],
        "start_time": _timestamp(campaign.start, account.timezone_name, 0),
        "created_time": created,
        "updated_time": created,
    }
    if campaign.stop is not None:
        obj["stop_time"] = _timestamp(campaign.stop, account.timezone_name, 23)
        obj["updated_time"] = obj["stop_time"]
    if campaign.daily_budget_cents is not None:
        obj["daily_budget"] = str(campaign.daily_budget_cents)
    if campaign.smart_promotion_type:
        obj["smart_promotion_type"] = campaign.smart_promotion_type
    if campaign.advantage_state_info:
        obj["advantage_state_info"] = campaign.advantage_state_info
    return obj


def adset_object(adset: AdSet, campaign: Campaign, account: Account) -> dict[str, Any]:
    """The ad set node; manual placements show in ``targeting``, automatic ones do not."""
    created = _timestamp(adset.start - timedelta(days=2), account.timezone_name)
    obj: dict[str, Any] = {
        "id": adset.id,
        "account_id": adset.account_id,
        "campaign_id": adset.campaign_id,
        "name": adset.name,
        "status": adset.status,
        "effective_status": adset.effective_status,
        "optimization_goal": "REACH"
        if campaign.objective == "OUTCOME_AWARENESS"
        else "OFFSITE_CONVERSIONS",
        "billing_event": "IMPRESSIONS",
        "start_time": _timestamp(adset.start, account.timezone_name, 0),
        "created_time": created,
        "updated_time": created,
        "attribution_spec": ATTRIBUTION_SPEC,
        "targeting": {"geo_locations": {"countries": [account.country]}, **adset.targeting},
    }
    if campaign.daily_budget_cents is None:
        obj["daily_budget"] = str(adset.daily_budget_cents)
    return obj


def ad_object(ad: Ad, account: Account) -> dict[str, Any]:
    """The ad node. ``updated_time`` moves only on the advertiser's status changes, never on
    Meta's placement rollouts."""
    created = _timestamp(ad.start - timedelta(days=1), account.timezone_name)
    updated = _timestamp(ad.end, account.timezone_name, 23) if ad.end else created
    return {
        "id": ad.id,
        "account_id": ad.account_id,
        "campaign_id": ad.campaign_id,
        "adset_id": ad.adset_id,
        "name": ad.name,
        "status": ad.status,
        "effective_status": ad.effective_status,
        "creative": {"id": ad.creative_id},
        "created_time": created,
        "updated_time": updated,
    }


def creative_object(creative: Creative, account: Account) -> dict[str, Any]:
    """The ad creative node; partnership ads carry partners and sponsor identities.

    Creator-primary ads run under the first creator's identity with the brand as sponsor;
    brand-primary ones run under the brand with the first creator as sponsor. Every creator
    (and, for creator-primary ads, the brand) is listed in ``branded_content.partners``.
    """
    obj: dict[str, Any] = {
        "id": creative.id,
        "account_id": account.account_id,
        "name": creative.name,
        "object_story_spec": {"page_id": BRAND_PAGE_ID, "instagram_user_id": BRAND_IG_USER_ID},
    }
    if not creative.is_partnership:
        return obj
    lead = creative.creators[0]
    partners = [
        {"ig_user_id": c.ig_user_id, "fb_page_id": c.fb_page_id, "identity_type": "CREATOR"}
        for c in creative.creators
    ]
    if creative.creator_primary:
        story = {"page_id": lead.fb_page_id, "instagram_user_id": lead.ig_user_id}
        sponsor_page, sponsor_ig = BRAND_PAGE_ID, BRAND_IG_USER_ID
        partners = [
            {"ig_user_id": BRAND_IG_USER_ID, "fb_page_id": BRAND_PAGE_ID, "identity_type": "BRAND"},
            *partners[1:],
        ]
    else:
        story = obj["object_story_spec"]
        sponsor_page, sponsor_ig = lead.fb_page_id, lead.ig_user_id
    obj.update(
        object_story_spec=story,
        source_instagram_media_id=creative.source_instagram_media_id,
        facebook_branded_content={"sponsor_page_id": sponsor_page},
        instagram_branded_content={"sponsor_id": sponsor_ig},
        branded_content={"ad_format": 1, "partners": partners},
    )
    return obj


#: Edge name -> (node type, builder of every object on an account's edge).
EDGES: dict[str, tuple[str, Callable[[Scenario, Account], list[dict[str, Any]]]]] = {
    "campaigns": (
        "Campaign",
        lambda s, a: [campaign_object(c, a) for c in s.campaigns_of(a.account_id)],
    ),
    "adsets": (
        "AdSet",
        lambda s, a: [
            adset_object(x, s.campaign(x.campaign_id), a) for x in s.adsets_of(a.account_id)
        ],
    ),
    "ads": ("Ad", lambda s, a: [ad_object(x, a) for x in s.ads_of(a.account_id)]),
    "adcreatives": (
        "AdCreative",
        lambda s, a: [creative_object(x, a) for x in s.creatives_of(a.account_id)],
    ),
}
