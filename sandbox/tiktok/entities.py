"""Entity objects as ``/advertiser/info/``, ``/campaign/get/``, ``/adgroup/get/``, ``/ad/get/``,
the GMV Max and the Upgraded Smart+ (``/smart_plus/*/get/``) list endpoints return them."""

from __future__ import annotations

from typing import Any

from sandbox.tiktok.scenario import (
    AUTOMATIC_PLACEMENTS,
    Ad,
    AdGroup,
    Advertiser,
    Campaign,
    GmvMaxCampaign,
    SmartPlusAd,
    SmartPlusAdGroup,
    SmartPlusCampaign,
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


def _unchanged(secondary_status: str) -> dict[str, str]:
    """Status and times of an enabled object never modified since it was created."""
    return {
        "operation_status": "ENABLE",
        "secondary_status": secondary_status,
        "create_time": _CREATED,
        "modify_time": _CREATED,
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
        **_unchanged("CAMPAIGN_STATUS_ENABLE"),
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
        **_unchanged("ADGROUP_STATUS_DELIVERY_OK"),
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
        **_unchanged("CAMPAIGN_STATUS_ENABLE"),
    }


def smart_plus_campaign(c: SmartPlusCampaign) -> dict[str, Any]:
    """An Upgraded Smart+ campaign as ``/smart_plus/campaign/get/`` lists it (campaign
    budget optimization on, one ad group)."""
    return {
        "advertiser_id": c.advertiser_id,
        "campaign_id": c.campaign_id,
        "campaign_name": c.name,
        "campaign_type": "REGULAR_CAMPAIGN",
        "objective_type": c.objective_type,
        "sales_destination": "WEBSITE",
        "budget_optimize_on": True,
        "budget_mode": "BUDGET_MODE_DYNAMIC_DAILY_BUDGET",
        "budget": c.budget,
        "operation_status": "ENABLE",
        "secondary_status": "CAMPAIGN_STATUS_ENABLE",
        "smart_plus_adgroup_mode": "SINGLE",
        "create_time": _CREATED,
        "modify_time": _CREATED,
    }


def smart_plus_adgroup(g: SmartPlusAdGroup, campaign_name: str) -> dict[str, Any]:
    """An Upgraded Smart+ ad group as ``/smart_plus/adgroup/get/`` lists it: automatic
    placement lists the placements actually used; the budget is the campaign's (0.0)."""
    return {
        "advertiser_id": g.advertiser_id,
        "campaign_id": g.campaign_id,
        "campaign_name": campaign_name,
        "adgroup_id": g.adgroup_id,
        "adgroup_name": g.name,
        "promotion_type": "WEBSITE",
        "optimization_goal": "CONVERT",
        "placement_type": "PLACEMENT_TYPE_AUTOMATIC",
        "placements": list(AUTOMATIC_PLACEMENTS),
        "tiktok_subplacements": list(g.subplacements),
        "budget_mode": "BUDGET_MODE_INFINITE",
        "budget": 0.0,
        **_unchanged("ADGROUP_STATUS_DELIVERY_OK"),
    }


def smart_plus_ad(a: SmartPlusAd, campaign_name: str, adgroup_name: str) -> dict[str, Any]:
    """An Upgraded Smart+ ad as ``/smart_plus/ad/get/`` lists it, its creatives in
    ``creative_list`` (``ad_material_id``: the id reports by ``ad_id`` show)."""
    deleted = a.deleted_on is not None
    creatives = [
        {
            "ad_material_id": creative_id,
            "material_operation_status": "ENABLE",
            "creative_info": {
                "ad_format": a.ad_format,
                "identity_type": a.identity_type,
                "identity_id": a.identity_id,
                "video_info": {"video_id": f"v10044g50000{creative_id}"},
            },
        }
        for creative_id in a.creative_ids
    ]
    return {
        "advertiser_id": a.advertiser_id,
        "campaign_id": a.campaign_id,
        "campaign_name": campaign_name,
        "adgroup_id": a.adgroup_id,
        "adgroup_name": adgroup_name,
        "smart_plus_ad_id": a.ad_id,
        "ad_name": a.name,
        "operation_status": "DISABLE" if deleted else "ENABLE",
        "secondary_status": "AD_STATUS_DELETE" if deleted else "AD_STATUS_DELIVERY_OK",
        "creative_list": creatives,
        "landing_page_url_list": [{"landing_page_url": "https://nordlicht.example/shop"}],
        "create_time": _CREATED,
        "modify_time": f"{a.deleted_on} 10:00:00" if deleted else _CREATED,
    }
