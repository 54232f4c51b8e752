"""Entity objects as ``/advertiser/info/``, ``/campaign/get/``, ``/adgroup/get/``, ``/ad/get/``
and the GMV Max list endpoints return them."""

from __future__ import annotations

from typing import Any

from sandbox.tiktok.scenario import (
    Ad,
    AdGroup,
    Advertiser,
    Campaign,
    GmvMaxCampaign,
    Store,
)

_CREATED = "2026-07-28 09:30:00"


def advertiser(a: Advertiser) -> dict[str, Any]:
    return {
        "advertiser_id": a.advertiser_id,
        "name": a.name,
        "currency": a.currency,
        "timezone": a.timezone,
        "display_timezone": a.display_timezone,
        "status": "STATUS_ENABLE",
        "balance": 1000,
        "create_time": a.create_time,
        "country": a.country,
    }


def campaign(c: Campaign) -> dict[str, Any]:
    return {
        "advertiser_id": c.advertiser_id,
        "campaign_id": c.campaign_id,
        "campaign_name": c.name,
        "campaign_type": "REGULAR_CAMPAIGN",
        "objective_type": c.objective_type,
        "budget": c.budget,
        "budget_mode": c.budget_mode,
        "operation_status": "ENABLE",
        "secondary_status": "CAMPAIGN_STATUS_ENABLE",
        "create_time": _CREATED,
        "modify_time": _CREATED,
    }


def adgroup(g: AdGroup) -> dict[str, Any]:
    return {
        "advertiser_id": g.advertiser_id,
        "campaign_id": g.campaign_id,
        "adgroup_id": g.adgroup_id,
        "adgroup_name": g.name,
        "placement_type": g.placement_type,
        "placements": list(g.placements) or None,
        "promotion_type": g.promotion_type,
        "optimization_goal": g.optimization_goal,
        "budget": g.budget,
        "budget_mode": "BUDGET_MODE_DAY",
        "operation_status": "ENABLE",
        "secondary_status": "ADGROUP_STATUS_DELIVERY_OK",
        "create_time": _CREATED,
        "modify_time": _CREATED,
    }


def ad(a: Ad) -> dict[str, Any]:
    deleted = a.deleted_on is not None
    body: dict[str, Any] = {
        "advertiser_id": a.advertiser_id,
        "campaign_id": a.campaign_id,
        "adgroup_id": a.adgroup_id,
        "ad_id": a.ad_id,
        "ad_name": a.name,
        "ad_format": a.ad_format,
        "operation_status": "DISABLE" if deleted else "ENABLE",
        "secondary_status": "AD_STATUS_DELETE" if deleted else "AD_STATUS_DELIVERY_OK",
        "identity_type": a.identity_type,
        "identity_id": a.identity_id,
        "display_name": a.display_name,
        "create_time": _CREATED,
        "modify_time": f"{a.deleted_on} 10:00:00" if deleted else _CREATED,
    }
    if a.tiktok_item_id is not None:
        body["tiktok_item_id"] = a.tiktok_item_id
    return body


def store(s: Store) -> dict[str, Any]:
    return {
        "store_id": s.store_id,
        "store_name": s.name,
        "store_status": s.status,
        "is_gmv_max_available": s.gmv_max_available,
    }


def gmv_campaign(c: GmvMaxCampaign) -> dict[str, Any]:
    return {
        "advertiser_id": c.advertiser_id,
        "campaign_id": c.campaign_id,
        "campaign_name": c.name,
        "objective_type": "PRODUCT_SALES",
        "operation_status": "ENABLE",
        "secondary_status": "CAMPAIGN_STATUS_ENABLE",
        "create_time": _CREATED,
        "modify_time": _CREATED,
    }
