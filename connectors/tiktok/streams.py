"""TikTok streams, declared as data and registered for the generic loader.

Entities are snapshot streams (every pull is the advertiser's whole current set, deleted
objects included); reports are windowed by ``stat_time_day``. Upgraded Smart+ objects have
their own list endpoints (``/smart_plus/*/get/``) and their ad-level numbers come from reports
by ``ad_id_v2``: reports by ``ad_id`` show their creatives instead, marked by the attribute
``campaign_automation_type`` (staging leaves those rows out, so nothing counts twice).
Report rows arrive as ``{"dimensions": {...}, "metrics": {...}}`` and are landed flat, with
``advertiser_id`` added.
Metric values stay the strings TikTok sends (``"-"`` included); staging parses them.
"""

from __future__ import annotations

import json

from connectors.common.streams import (
    NUMERIC_TEXT,
    ONE_PAGE,
    PAGE_NUMBER,
    TEXT,
    Column,
    ColumnDeclaration,
    RequestWindow,
    StreamSpec,
    declarer,
)

SOURCE = "tiktok"
SOURCE_LABEL = "tiktok_business_api"
_declare = declarer(SOURCE, SOURCE_LABEL, account_column="advertiser_id")

_V = TEXT
_MONEY = Column("DECIMAL(18, 2)", numeric=True)


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _fields(columns: dict[str, ColumnDeclaration]) -> dict[str, str]:
    return {"fields": _json(list(columns))}


def _inserted(
    columns: dict[str, ColumnDeclaration], *, after: str, **extra: ColumnDeclaration
) -> dict[str, ColumnDeclaration]:
    """``columns`` with ``extra`` inserted, in order, right after the column ``after``."""
    keys = list(columns)
    at = keys.index(after) + 1
    return {
        **{key: columns[key] for key in keys[:at]},
        **extra,
        **{key: columns[key] for key in keys[at:]},
    }


_ADVERTISER_COLUMNS = {
    "advertiser_id": _V,
    "name": _V,
    "currency": _V,
    "timezone": _V,
    "display_timezone": _V,
    "status": _V,
    "country": _V,
    "create_time": "BIGINT",
}
#: The ids an object carries: its advertiser's, its campaign's (and its ad group's).
_CAMPAIGN_IDS = {"advertiser_id": _V, "campaign_id": _V}
_ADGROUP_IDS = {**_CAMPAIGN_IDS, "adgroup_id": _V}
#: What campaigns and ad groups end with: their budget, statuses and times.
_BUDGET_AND_STATE = {
    "budget": _MONEY,
    "budget_mode": _V,
    "operation_status": _V,
    "secondary_status": _V,
    "create_time": _V,
    "modify_time": _V,
}
_CAMPAIGN_COLUMNS = {
    **_CAMPAIGN_IDS,
    "campaign_name": _V,
    "campaign_type": _V,
    "objective_type": _V,
    **_BUDGET_AND_STATE,
}
_ADGROUP_COLUMNS = {
    **_ADGROUP_IDS,
    "adgroup_name": _V,
    "placement_type": _V,
    "placements": "JSON",
    "promotion_type": _V,
    "optimization_goal": _V,
    **_BUDGET_AND_STATE,
}
_AD_COLUMNS = {
    **_ADGROUP_IDS,
    "ad_id": _V,
    "ad_name": _V,
    "ad_format": _V,
    "operation_status": _V,
    "secondary_status": _V,
    "identity_type": _V,
    "identity_id": _V,
    "identity_authorized_bc_id": _V,
    "tiktok_item_id": _V,
    "display_name": _V,
    "create_time": _V,
    "modify_time": _V,
}

#: BASIC report metrics: spend, delivery, conversions, purchases and their value
#: (``total_complete_payment_rate`` is the total purchase value despite its name), video.
AD_METRICS = (
    "spend",
    "impressions",
    "clicks",
    "conversion",
    "complete_payment",
    "total_complete_payment_rate",
    "video_play_actions",
    "video_watched_2s",
    "video_views_p100",
)
#: AUDIENCE reports reject some metrics; these are accepted by placement.
PLACEMENT_METRICS = AD_METRICS[:6]
#: Attribute requested beside the metrics of reports by ``ad_id``: ``MANUAL``, ``SMART_PLUS``,
#: ``UPGRADED_SMART_PLUS`` or ``UPGRADED_SMART_PLUS_CREATIVE`` (a creative of an Upgraded
#: Smart+ ad, whose ad-level row is in the Smart+ reports by ``ad_id_v2``).
AUTOMATION_ATTRIBUTES = ("campaign_automation_type",)
#: AUDIENCE-report placements: the placements enum, then the Upgraded Smart+ subplacements
#: Lemon8 and PineDrama (reported by their ``tiktok_subplacements`` names: an assumption,
#: DECISIONS.md "TikTok Smart+"). A new one only warns (raw gate).
PLACEMENTS = (
    "PLACEMENT_TIKTOK",
    "PLACEMENT_PANGLE",
    "PLACEMENT_GLOBAL_APP_BUNDLE",
    "PLACEMENT_TOPBUZZ",
    "PLACEMENT_HELO",
    "LEMON8",
    "PINE_DRAMA",
)
_PLACEMENT = Column(TEXT, known_values=PLACEMENTS)
GMV_MAX_METRICS = (
    "cost",
    "net_cost",
    "orders",
    "cost_per_order",
    "gross_revenue",
    "roi",
    "product_impressions",
    "product_clicks",
)
#: ``/report/integrated/get/`` filter that includes deleted ads (the default excludes them).
ALL_AD_STATUSES = [
    {"field_name": "ad_status", "filter_type": "IN", "filter_value": '["STATUS_ALL"]'}
]

REPORT_PATH = "report/integrated/get/"
_REPORT_KEYS = {"advertiser_id": _V, "ad_id": _V, "stat_time_day": "DATE"}
#: Upgraded Smart+ ads are reported by ``ad_id_v2`` (cannot be combined with ``ad_id``).
_SMART_PLUS_REPORT_KEYS = {"advertiser_id": _V, "ad_id_v2": _V, "stat_time_day": "DATE"}


def _report_params(report_type: str, dimensions: list[str], metrics: tuple[str, ...]) -> dict:
    return {
        "report_type": report_type,
        "data_level": "AUCTION_AD",
        "dimensions": _json(dimensions),
        "metrics": _json(list(metrics)),
        "filtering": _json(ALL_AD_STATUSES),
    }


#: Upgraded Smart+ campaigns and ad groups: the manual objects' columns and a few of their own.
_SMART_PLUS_CAMPAIGN_COLUMNS = _inserted(
    _inserted(
        _CAMPAIGN_COLUMNS,
        after="objective_type",
        sales_destination=_V,
        budget_optimize_on="BOOLEAN",
    ),
    after="secondary_status",
    smart_plus_adgroup_mode=_V,
)
_SMART_PLUS_ADGROUP_COLUMNS = _inserted(
    _ADGROUP_COLUMNS, after="placements", tiktok_subplacements="JSON"
)
_SMART_PLUS_AD_COLUMNS = {
    **_ADGROUP_IDS,
    "smart_plus_ad_id": _V,
    "ad_name": _V,
    "operation_status": _V,
    "secondary_status": _V,
    "creative_list": "JSON",
    "create_time": _V,
    "modify_time": _V,
}


#: Report days go as ``start_date``/``end_date``, at most 30 days a request (TikTok's limit;
#: ``TIKTOK_REPORT_SPAN_DAYS`` may narrow it); a query TikTok finds too large is redone in
#: weeks, then single days.
REPORT_WINDOW = RequestWindow("start_date", "end_date", max_span_days=30, shrink_days=(7, 1))


def _stream(
    name: str,
    columns: dict[str, ColumnDeclaration],
    key: tuple[str, ...],
    path: str,
    params: dict[str, str] | None = None,
    *,
    paginator: str = PAGE_NUMBER,
    records_path: str = "list",
    account_param: str | None = "advertiser_id",
) -> StreamSpec:
    """A per-advertiser stream; windowed by ``stat_time_day`` when it has that column."""
    report = "stat_time_day" in columns
    return _declare(
        name,
        columns=columns,
        key=key,
        window_column="stat_time_day" if report else None,
        path=path,
        params=params or {},
        paginator=paginator,
        records_path=records_path,
        account_param=account_param,
        request_window=REPORT_WINDOW if report else None,
    )


def _entity_stream(
    name: str,
    columns: dict[str, ColumnDeclaration],
    key: str,
    path: str,
    all_statuses: str | None = None,
) -> StreamSpec:
    """A per-advertiser snapshot list (``<object>/get/``): every column requested by name,
    deleted objects included when the endpoint takes ``secondary_status=<all_statuses>``."""
    params = _fields(columns)
    if all_statuses:
        params["filtering"] = _json({"secondary_status": all_statuses})
    return _stream(name, columns, ("advertiser_id", key), path, params)


#: One object for the advertiser, asked by ``advertiser_ids`` (a list: the extract sends it).
ADVERTISERS = _stream(
    "advertisers",
    _ADVERTISER_COLUMNS,
    ("advertiser_id",),
    "advertiser/info/",
    _fields(_ADVERTISER_COLUMNS),
    paginator=ONE_PAGE,
    account_param=None,
)
CAMPAIGNS = _entity_stream("campaigns", _CAMPAIGN_COLUMNS, "campaign_id", "campaign/get/")
ADGROUPS = _entity_stream(
    "adgroups", _ADGROUP_COLUMNS, "adgroup_id", "adgroup/get/", "ADGROUP_STATUS_ALL"
)
ADS = _entity_stream("ads", _AD_COLUMNS, "ad_id", "ad/get/", "AD_STATUS_ALL")
AD_REPORT_DAILY = _stream(
    "ad_report_daily",
    {
        **_REPORT_KEYS,
        **dict.fromkeys(AD_METRICS, NUMERIC_TEXT),
        **dict.fromkeys(AUTOMATION_ATTRIBUTES, _V),
    },
    ("advertiser_id", "ad_id", "stat_time_day"),
    REPORT_PATH,
    _report_params("BASIC", ["ad_id", "stat_time_day"], AD_METRICS + AUTOMATION_ATTRIBUTES),
)
AD_PLACEMENT_REPORT_DAILY = _stream(
    "ad_placement_report_daily",
    {
        **_REPORT_KEYS,
        "placement": _PLACEMENT,
        **dict.fromkeys(PLACEMENT_METRICS, NUMERIC_TEXT),
        **dict.fromkeys(AUTOMATION_ATTRIBUTES, _V),
    },
    ("advertiser_id", "ad_id", "stat_time_day", "placement"),
    REPORT_PATH,
    _report_params(
        "AUDIENCE",
        ["ad_id", "stat_time_day", "placement"],
        PLACEMENT_METRICS + AUTOMATION_ATTRIBUTES,
    ),
)
SMART_PLUS_CAMPAIGNS = _entity_stream(
    "smart_plus_campaigns",
    _SMART_PLUS_CAMPAIGN_COLUMNS,
    "campaign_id",
    "smart_plus/campaign/get/",
    "CAMPAIGN_STATUS_ALL",
)
SMART_PLUS_ADGROUPS = _entity_stream(
    "smart_plus_adgroups",
    _SMART_PLUS_ADGROUP_COLUMNS,
    "adgroup_id",
    "smart_plus/adgroup/get/",
    "ADGROUP_STATUS_ALL",
)
SMART_PLUS_ADS = _entity_stream(
    "smart_plus_ads",
    _SMART_PLUS_AD_COLUMNS,
    "smart_plus_ad_id",
    "smart_plus/ad/get/",
    "AD_STATUS_ALL",
)
#: Upgraded Smart+ ads by day (BASIC by ``ad_id_v2``); the extract adds a ``campaign_ids``
#: filter (at most 100 per request) with the Smart+ campaigns just listed, so manual ads,
#: which ``ad_id_v2`` also shows, are not pulled twice.
SMART_PLUS_AD_REPORT_DAILY = _stream(
    "smart_plus_ad_report_daily",
    {**_SMART_PLUS_REPORT_KEYS, **dict.fromkeys(AD_METRICS, NUMERIC_TEXT)},
    ("advertiser_id", "ad_id_v2", "stat_time_day"),
    REPORT_PATH,
    _report_params("BASIC", ["ad_id_v2", "stat_time_day"], AD_METRICS),
)
SMART_PLUS_AD_PLACEMENT_REPORT_DAILY = _stream(
    "smart_plus_ad_placement_report_daily",
    {
        **_SMART_PLUS_REPORT_KEYS,
        "placement": _PLACEMENT,
        **dict.fromkeys(PLACEMENT_METRICS, NUMERIC_TEXT),
    },
    ("advertiser_id", "ad_id_v2", "stat_time_day", "placement"),
    REPORT_PATH,
    _report_params("AUDIENCE", ["ad_id_v2", "stat_time_day", "placement"], PLACEMENT_METRICS),
)
#: The advertiser's own daily totals (BASIC report at ``AUCTION_ADVERTISER`` level): one
#: cheap row per day covering all auction spend, whatever object carried it (deleted ads and
#: Upgraded Smart+ ads included); the gate checks the ad rows add up. GMV Max is not in
#: BASIC reports.
ADVERTISER_METRICS = ("spend", "impressions", "clicks")
ADVERTISER_REPORT_DAILY = _stream(
    "advertiser_report_daily",
    {
        "advertiser_id": _V,
        "stat_time_day": "DATE",
        **dict.fromkeys(ADVERTISER_METRICS, NUMERIC_TEXT),
    },
    ("advertiser_id", "stat_time_day"),
    REPORT_PATH,
    {
        "report_type": "BASIC",
        "data_level": "AUCTION_ADVERTISER",
        "dimensions": _json(["advertiser_id", "stat_time_day"]),
        "metrics": _json(list(ADVERTISER_METRICS)),
    },
)
#: The advertiser's TikTok Shop stores, in one answer (``store_list``).
GMV_MAX_STORES = _stream(
    "gmv_max_stores",
    {
        "advertiser_id": _V,
        "store_id": _V,
        "store_name": _V,
        "store_status": _V,
        "is_gmv_max_available": "BOOLEAN",
    },
    ("advertiser_id", "store_id"),
    "gmv_max/store/list/",
    paginator=ONE_PAGE,
    records_path="store_list",
)
GMV_MAX_CAMPAIGNS = _stream(
    "gmv_max_campaigns",
    {
        "advertiser_id": _V,
        "store_id": _V,
        "gmv_max_promotion_type": _V,
        "campaign_id": _V,
        "campaign_name": _V,
        "objective_type": _V,
        "operation_status": _V,
        "secondary_status": _V,
        "create_time": _V,
        "modify_time": _V,
    },
    ("advertiser_id", "campaign_id"),
    "gmv_max/campaign/get/",
)
GMV_MAX_REPORT_DAILY = _stream(
    "gmv_max_report_daily",
    {
        "advertiser_id": _V,
        "store_id": _V,
        "campaign_id": _V,
        "stat_time_day": "DATE",
        **dict.fromkeys(GMV_MAX_METRICS, NUMERIC_TEXT),
    },
    ("advertiser_id", "campaign_id", "stat_time_day"),
    "gmv_max/report/get/",
    {
        "dimensions": _json(["campaign_id", "stat_time_day"]),
        "metrics": _json(list(GMV_MAX_METRICS)),
    },
)

STREAMS: tuple[StreamSpec, ...] = (
    ADVERTISERS,
    CAMPAIGNS,
    ADGROUPS,
    ADS,
    AD_REPORT_DAILY,
    AD_PLACEMENT_REPORT_DAILY,
    ADVERTISER_REPORT_DAILY,
    SMART_PLUS_CAMPAIGNS,
    SMART_PLUS_ADGROUPS,
    SMART_PLUS_ADS,
    SMART_PLUS_AD_REPORT_DAILY,
    SMART_PLUS_AD_PLACEMENT_REPORT_DAILY,
    GMV_MAX_STORES,
    GMV_MAX_CAMPAIGNS,
    GMV_MAX_REPORT_DAILY,
)
