"""Meta streams, declared as data and registered for the generic loader.

Entity streams (ad accounts, campaigns, ad sets, ads, ad creatives) are snapshots: each pull
returns the account's whole current set, archived and deleted objects included (requested
through the ``effective_status`` filter), so an object a later pull no longer returns gets a
tombstone. Insights streams are daily, per ad, in the account's time zone, windowed by
``date_start``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from connectors.common.errors import ConnectorError
from connectors.common.streams import (
    NEXT_LINK,
    NUMERIC_TEXT,
    ONE_PAGE,
    TEXT,
    Column,
    ColumnDeclaration,
    StreamSpec,
    declarer,
)

SOURCE = "meta"
SOURCE_LABEL = "meta_marketing_api"
_declare = declarer(SOURCE, SOURCE_LABEL, account_column="account_id")

#: ``action_attribution_windows`` values the Ad Insights reference lists; which ones are
#: requested is the setting ``META_ATTRIBUTION_WINDOWS`` (default 1d_click, 7d_click,
#: 28d_click, 1d_ev, 1d_view: the windows still returned after 2026-01-12).
ACCEPTED_ATTRIBUTION_WINDOWS = frozenset(
    {
        "1d_click",
        "7d_click",
        "28d_click",
        "1d_view",
        "1d_ev",
        "dda",
        "default",
        "skan_view",
        "skan_click",
        "skan_click_second_postback",
        "skan_view_second_postback",
        "skan_click_third_postback",
        "skan_view_third_postback",
    }
)
#: Accepted by the API but no longer returned since 2026-01-12 (Meta's blog post
#: "Ads Insights API metric availability updates", 2025-10-16).
RETIRED_ATTRIBUTION_WINDOWS = frozenset(
    {
        "7d_view",
        "28d_view",
        "7d_view_first_conversion",
        "28d_view_first_conversion",
        "7d_view_all_conversions",
        "28d_view_all_conversions",
    }
)
#: ``publisher_platform`` values seen so far; a new Meta surface only warns (raw gate).
PUBLISHER_PLATFORMS = (
    "facebook",
    "instagram",
    "threads",
    "messenger",
    "audience_network",
    "whatsapp",
)
_PLACEMENT_BREAKDOWN_COLUMNS = {
    "publisher_platform": Column(TEXT, known_values=PUBLISHER_PLATFORMS),
    "platform_position": TEXT,
}
PLACEMENT_BREAKDOWNS = tuple(_PLACEMENT_BREAKDOWN_COLUMNS)
ENTITY_KEY = ("account_id", "id")

#: Every status an edge can filter on: without the filter Meta leaves out archived and
#: deleted objects, whose spend history the insights still carry.
ALL_EFFECTIVE_STATUSES = (
    "ACTIVE",
    "PAUSED",
    "ARCHIVED",
    "DELETED",
    "CAMPAIGN_PAUSED",
    "ADSET_PAUSED",
    "IN_PROCESS",
    "WITH_ISSUES",
    "PENDING_REVIEW",
    "DISAPPROVED",
    "PREAPPROVED",
    "PENDING_BILLING_INFO",
)
_CAMPAIGN_STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED", "DELETED", "IN_PROCESS", "WITH_ISSUES")

_INSIGHTS_IDENTITY = {
    "account_id": "VARCHAR",
    "account_currency": "VARCHAR",
    "campaign_id": "VARCHAR",
    "campaign_name": "VARCHAR",
    "adset_id": "VARCHAR",
    "adset_name": "VARCHAR",
    "ad_id": "VARCHAR",
    "ad_name": "VARCHAR",
    "date_start": "DATE",
    "date_stop": "DATE",
}
# Payload columns exactly as the API returns them: ids, names and numbers stay strings.
_INSIGHTS_METRICS = {
    "impressions": NUMERIC_TEXT,
    "clicks": NUMERIC_TEXT,
    "spend": NUMERIC_TEXT,
    "actions": "JSON",
    "action_values": "JSON",
}


def attribution_windows_param(windows: Iterable[str]) -> str:
    """The ``action_attribution_windows`` parameter for the configured windows.

    Raises:
        ConnectorError: a window Meta does not accept or no longer returns, or none at all,
            naming the setting to fix.
    """
    windows = tuple(windows)
    unknown = [w for w in windows if w not in ACCEPTED_ATTRIBUTION_WINDOWS]
    if unknown or not windows:
        retired = [w for w in unknown if w in RETIRED_ATTRIBUTION_WINDOWS]
        why = f"; {', '.join(retired)} not returned since 2026-01-12" if retired else ""
        raise ConnectorError(
            f"META_ATTRIBUTION_WINDOWS: {', '.join(unknown) or 'empty'} is not a window Meta "
            f"returns{why}. Use a comma-separated list of "
            f"{', '.join(sorted(ACCEPTED_ATTRIBUTION_WINDOWS))}."
        )
    return json.dumps(list(dict.fromkeys(windows)))


def takes_attribution_windows(spec: StreamSpec) -> bool:
    """Whether the stream's rows carry ``actions`` (so its request names the windows)."""
    return "actions" in spec.columns


def _fields(columns: dict[str, ColumnDeclaration], returned_anyway: tuple[str, ...] = ()) -> str:
    """The ``fields`` parameter: every payload column the API does not return on its own."""
    return ",".join(name for name in columns if name not in returned_anyway)


def _insights_spec(name: str, breakdowns: tuple[str, ...]) -> StreamSpec:
    columns = {
        **_INSIGHTS_IDENTITY,
        **{b: _PLACEMENT_BREAKDOWN_COLUMNS[b] for b in breakdowns},
        **_INSIGHTS_METRICS,
    }
    params = {
        "level": "ad",
        "time_increment": "1",
        # Dates are always returned, breakdown columns because of ``breakdowns``.
        "fields": _fields(columns, ("date_start", "date_stop", *breakdowns)),
    }
    if breakdowns:
        params["breakdowns"] = ",".join(breakdowns)
    return _declare(
        name,
        columns=columns,
        key=("account_id", "ad_id", "date_start", *breakdowns),
        window_column="date_start",
        path="act_{account_id}/insights",
        params=params,
    )


def _entity_spec(
    name: str,
    path: str,
    columns: dict[str, ColumnDeclaration],
    statuses: tuple[str, ...] = (),
    *,
    one_object: bool = False,
) -> StreamSpec:
    params = {"fields": _fields(columns)}
    if statuses:
        params["effective_status"] = json.dumps(list(statuses))
    return _declare(
        name,
        columns=columns,
        key=ENTITY_KEY,
        window_column=None,
        path=path,
        params=params,
        paginator=ONE_PAGE if one_object else NEXT_LINK,
        records_path=None if one_object else "data",
    )


#: Base report: no breakdowns, the attribution windows side by side in each action (the
#: windows are a setting, added to the request by :mod:`connectors.meta.insights`).
AD_INSIGHTS = _insights_spec("ad_insights", ())
#: Placement report: by ``publisher_platform`` x ``platform_position``.
AD_INSIGHTS_PLACEMENT = _insights_spec("ad_insights_placement", PLACEMENT_BREAKDOWNS)

_ACCOUNT_INSIGHTS_COLUMNS = {
    "account_id": "VARCHAR",
    "account_currency": "VARCHAR",
    "date_start": "DATE",
    "date_stop": "DATE",
    "impressions": NUMERIC_TEXT,
    "clicks": NUMERIC_TEXT,
    "spend": NUMERIC_TEXT,
}
#: The account's own daily totals (``level=account``): one cheap row per day covering all
#: of the account's spend, whatever object carried it; the gate checks the ad rows add up.
ACCOUNT_INSIGHTS = _declare(
    "account_insights",
    columns=_ACCOUNT_INSIGHTS_COLUMNS,
    key=("account_id", "date_start"),
    window_column="date_start",
    path="act_{account_id}/insights",
    params={
        "level": "account",
        "time_increment": "1",
        "fields": _fields(_ACCOUNT_INSIGHTS_COLUMNS, ("date_start", "date_stop")),
    },
)

AD_ACCOUNTS = _entity_spec(
    "ad_accounts",
    "act_{account_id}",
    {
        "id": "VARCHAR",
        "account_id": "VARCHAR",
        "name": "VARCHAR",
        "account_status": "INTEGER",
        "currency": "VARCHAR",
        "timezone_name": "VARCHAR",
        "timezone_offset_hours_utc": "DOUBLE",
        "business": "JSON",
        "created_time": "VARCHAR",
    },
    one_object=True,
)
CAMPAIGNS = _entity_spec(
    "campaigns",
    "act_{account_id}/campaigns",
    {
        "id": "VARCHAR",
        "account_id": "VARCHAR",
        "name": "VARCHAR",
        "objective": "VARCHAR",
        "status": "VARCHAR",
        "effective_status": "VARCHAR",
        "buying_type": "VARCHAR",
        "bid_strategy": "VARCHAR",
        "daily_budget": NUMERIC_TEXT,
        "lifetime_budget": NUMERIC_TEXT,
        "smart_promotion_type": "VARCHAR",
        "advantage_state_info": "JSON",
        "start_time": "VARCHAR",
        "stop_time": "VARCHAR",
        "created_time": "VARCHAR",
        "updated_time": "VARCHAR",
    },
    _CAMPAIGN_STATUSES,
)
ADSETS = _entity_spec(
    "adsets",
    "act_{account_id}/adsets",
    {
        "id": "VARCHAR",
        "account_id": "VARCHAR",
        "campaign_id": "VARCHAR",
        "name": "VARCHAR",
        "status": "VARCHAR",
        "effective_status": "VARCHAR",
        "optimization_goal": "VARCHAR",
        "billing_event": "VARCHAR",
        "daily_budget": NUMERIC_TEXT,
        "lifetime_budget": NUMERIC_TEXT,
        "attribution_spec": "JSON",
        # Kept whole: publisher_platforms and *_positions (threads_positions included) say
        # whether placements are Advantage+ and whether Threads is opted in or out.
        "targeting": "JSON",
        "start_time": "VARCHAR",
        "end_time": "VARCHAR",
        "created_time": "VARCHAR",
        "updated_time": "VARCHAR",
    },
    ALL_EFFECTIVE_STATUSES,
)
ADS = _entity_spec(
    "ads",
    "act_{account_id}/ads",
    {
        "id": "VARCHAR",
        "account_id": "VARCHAR",
        "campaign_id": "VARCHAR",
        "adset_id": "VARCHAR",
        "name": "VARCHAR",
        "status": "VARCHAR",
        "effective_status": "VARCHAR",
        "creative": "JSON",
        "created_time": "VARCHAR",
        "updated_time": "VARCHAR",
    },
    ALL_EFFECTIVE_STATUSES,
)
ADCREATIVES = _entity_spec(
    "adcreatives",
    "act_{account_id}/adcreatives",
    {
        "id": "VARCHAR",
        "account_id": "VARCHAR",
        "name": "VARCHAR",
        "object_story_spec": "JSON",
        "source_instagram_media_id": "VARCHAR",
        "branded_content": "JSON",
        "facebook_branded_content": "JSON",
        "instagram_branded_content": "JSON",
    },
)

ENTITY_STREAMS = (AD_ACCOUNTS, CAMPAIGNS, ADSETS, ADS, ADCREATIVES)
INSIGHTS_STREAMS = (AD_INSIGHTS, AD_INSIGHTS_PLACEMENT, ACCOUNT_INSIGHTS)
