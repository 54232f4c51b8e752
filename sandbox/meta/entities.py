"""Graph API objects for accounts, campaigns, ad sets and ads, and ``fields`` selection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.meta.errors import nonexisting_field
from sandbox.meta.scenario import Account, Ad, AdSet, Campaign, Scenario

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
    "Campaign": ("daily_budget", "smart_promotion_type", "advantage_state_info"),
    "AdSet": ("daily_budget",),
}


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
        "status": "ACTIVE",
        "effective_status": "ACTIVE",
        "buying_type": "AUCTION",
        "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
        "special_ad_categories": [],
        "start_time": _timestamp(campaign.start, account.timezone_name, 0),
        "created_time": created,
        "updated_time": created,
    }
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
        "status": "ACTIVE",
        "effective_status": "ACTIVE",
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
    """The ad node. ``updated_time`` never moves: placement changes are Meta's, not ours."""
    created = _timestamp(ad.start - timedelta(days=1), account.timezone_name)
    return {
        "id": ad.id,
        "account_id": ad.account_id,
        "campaign_id": ad.campaign_id,
        "adset_id": ad.adset_id,
        "name": ad.name,
        "status": "ACTIVE",
        "effective_status": "ACTIVE",
        "creative": {"id": ad.creative_id},
        "created_time": created,
        "updated_time": created,
    }


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
}
