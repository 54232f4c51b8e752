"""The stand-in TikTok API for Business v1.3 (``business-api.tiktok.com``).

Envelope ``{"code", "message", "request_id", "data"}``; errors are HTTP 200 with a non-zero
``code``; lists are ``data.list`` + ``data.page_info``; array and object parameters arrive as
JSON strings; the token is the ``Access-Token`` header.
"""

from __future__ import annotations

import hmac
import itertools
import json
import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from sandbox.clock import Clock, sandbox_now
from sandbox.faults import FaultRule
from sandbox.routing import Request, Response
from sandbox.tiktok import entities, errors
from sandbox.tiktok.delivery import (
    AdDay,
    Pull,
    creative_rows,
    gmv_rows,
    report_rows,
)
from sandbox.tiktok.errors import TikTokError
from sandbox.tiktok.generator import AdMetrics
from sandbox.tiktok.render import (
    ad_metric_values,
    advertiser_metric_values,
    gmv_metric_values,
    stat_time_day,
)
from sandbox.tiktok.scenario import Advertiser, Scenario, configured_scenario

HOST = "business-api.tiktok.com"
SANDBOX_APP_ID = "sandbox-tiktok-app"
SANDBOX_APP_SECRET = "sandbox-tiktok-app-secret"

_PATH = re.compile(r"^/open_api/v1\.3/(?P<resource>[a-z0-9_/]+?)/?$")
#: Ad-level reports group by one ad id dimension plus these. ``ad_id`` shows each creative
#: of an Upgraded Smart+ ad, ``ad_id_v2`` the Smart+ ad itself; manual ads are the same in
#: both, and the two cannot be combined.
_ID_DIMENSIONS = ("ad_id", "ad_id_v2")
_REPORT_DIMENSIONS = {
    "BASIC": frozenset({"stat_time_day"}),
    "AUDIENCE": frozenset({"stat_time_day", "placement"}),
}
_MAX_FILTER_IDS = 100
_ADVERTISER_DIMENSIONS = frozenset({"advertiser_id", "stat_time_day"})
_ADVERTISER_METRICS = frozenset({"spend", "impressions", "clicks"})
_GMV_DIMENSIONS = frozenset({"campaign_id", "stat_time_day"})
_BUYING_TYPES = frozenset({"AUCTION", "RESERVATION_TOP_VIEW", "RESERVATION_RF"})
_GMV_CAMPAIGN_TYPES = frozenset({"PRODUCT_GMV_MAX", "LIVE_GMV_MAX"})


class TikTokBusinessApi:
    """Serves the read surface socialmart uses, for one scenario and seed.

    Args:
        seed: Data seed.
        token: The only ``Access-Token`` accepted.
        app_id: App id ``/oauth2/advertiser/get/`` accepts.
        app_secret: App secret ``/oauth2/advertiser/get/`` accepts.
        scenario: The advertisers (default :func:`configured_scenario`).
        clock: Current time; decides which days exist and how mature conversions are.
        span_days: Longest report range with ``stat_time_day`` (TikTok: 30).
    """

    host = HOST

    def __init__(
        self,
        *,
        seed: int,
        token: str,
        app_id: str = SANDBOX_APP_ID,
        app_secret: str = SANDBOX_APP_SECRET,
        scenario: Scenario | None = None,
        clock: Clock = sandbox_now,
        span_days: int = 30,
    ) -> None:
        self.seed = seed
        self.scenario = scenario or configured_scenario()
        self._token = token
        self._app = (app_id, app_secret)
        self._clock = clock
        self._span_days = span_days
        self._ids = itertools.count(1)
        self._routes: dict[str, Callable[[Request], dict[str, Any]]] = {
            "oauth2/advertiser/get": self._authorized_advertisers,
            "advertiser/info": self._advertiser_info,
            "campaign/get": self._campaigns,
            "adgroup/get": self._adgroups,
            "ad/get": self._ads,
            "report/integrated/get": self._report,
            "gmv_max/store/list": self._stores,
            "gmv_max/campaign/get": self._gmv_campaigns,
            "gmv_max/report/get": self._gmv_report,
            "smart_plus/campaign/get": self._smart_plus_campaigns,
            "smart_plus/adgroup/get": self._smart_plus_adgroups,
            "smart_plus/ad/get": self._smart_plus_ads,
        }

    def handle(self, request: Request, subpath: str, fault: FaultRule | None) -> Response:
        """Answer one request under ``/business-api.tiktok.com``."""
        request_id = f"2026{next(self._ids):016d}"
        try:
            if fault is not None and fault.kind == "api_error":
                raise TikTokError(fault.code, fault.message)
            match = _PATH.match(subpath)
            if match is None or match["resource"] not in self._routes:
                raise errors.not_found(subpath)
            self._authenticate(request)
            data = self._routes[match["resource"]](request)
        except TikTokError as exc:
            body = {"code": exc.code, "message": exc.message, "request_id": request_id, "data": {}}
            return Response.json(200, body)
        return Response.json(
            200, {"code": 0, "message": "OK", "request_id": request_id, "data": data}
        )

    def _authenticate(self, request: Request) -> None:
        token = request.header("access-token") or ""
        if not token or not hmac.compare_digest(token.encode(), self._token.encode()):
            raise errors.bad_token()

    # --- accounts ------------------------------------------------------------------------

    def _authorized_advertisers(self, request: Request) -> dict[str, Any]:
        app_ok = hmac.compare_digest(
            (request.param("app_id") or "").encode(), self._app[0].encode()
        )
        secret_ok = hmac.compare_digest(
            (request.param("secret") or "").encode(), self._app[1].encode()
        )
        if not (app_ok and secret_ok):
            raise errors.bad_app()
        rows = [
            {"advertiser_id": a.advertiser_id, "advertiser_name": a.name}
            for a in self.scenario.advertisers
        ]
        return {"list": rows}

    def _advertiser_info(self, request: Request) -> dict[str, Any]:
        ids = _json_param(request, "advertiser_ids", list, required=True)
        if not 1 <= len(ids) <= 100:
            raise errors.invalid_param("advertiser_ids: between 1 and 100 ids")
        rows = [entities.advertiser(self._advertiser(str(i))) for i in ids]
        fields = _json_param(request, "fields", list, required=False)
        if fields:  # like the real endpoint: only the fields asked for (default: all)
            rows = [{k: v for k, v in row.items() if k in fields} for row in rows]
        return {"list": rows}

    def _advertiser(self, advertiser_id: str | None) -> Advertiser:
        if not advertiser_id:
            raise errors.invalid_param("advertiser_id: This field is required.")
        found = self.scenario.advertiser(advertiser_id)
        if found is None:
            raise errors.no_permission(advertiser_id)
        return found

    # --- entities ------------------------------------------------------------------------

    def _campaigns(self, request: Request) -> dict[str, Any]:
        adv = self._advertiser(request.param("advertiser_id"))
        filtering = _json_param(request, "filtering", dict) or {}
        buying = set(filtering.get("buying_types") or ["AUCTION"])
        if len(buying) != 1 or not buying <= _BUYING_TYPES:
            # TopView and reach & frequency cannot be mixed with auction campaigns.
            raise errors.invalid_param(f"filtering.buying_types: one of {sorted(_BUYING_TYPES)}")
        rows = [
            entities.campaign(c)
            for c in self.scenario.campaigns_of(adv.advertiser_id)
            if c.buying_type in buying
        ]
        return _page(rows, request)

    def _adgroups(self, request: Request) -> dict[str, Any]:
        adv = self._advertiser(request.param("advertiser_id"))
        rows = [entities.adgroup(g) for g in self.scenario.adgroups_of(adv.advertiser_id)]
        return _page(rows, request)

    def _ads(self, request: Request) -> dict[str, Any]:
        adv = self._advertiser(request.param("advertiser_id"))
        filtering = _json_param(request, "filtering", dict) or {}
        with_deleted = filtering.get("secondary_status") == "AD_STATUS_ALL"
        rows = [
            entities.ad(a)
            for a in self.scenario.ads_of(adv.advertiser_id)
            if with_deleted or a.deleted_on is None
        ]
        return _page(rows, request)

    # --- Upgraded Smart+ ------------------------------------------------------------------

    def _smart_plus_campaigns(self, request: Request) -> dict[str, Any]:
        adv = self._advertiser(request.param("advertiser_id"))
        campaigns = self.scenario.smart_plus_campaigns_of(adv.advertiser_id)
        rows = [entities.smart_plus_campaign(c) for c in campaigns]
        return _page(_only_fields(rows, request), request)

    def _smart_plus_adgroups(self, request: Request) -> dict[str, Any]:
        adv = self._advertiser(request.param("advertiser_id"))
        names = {c.campaign_id: c.name for c in self.scenario.smart_plus_campaigns}
        rows = [
            entities.smart_plus_adgroup(g, names[g.campaign_id])
            for g in self.scenario.smart_plus_adgroups_of(adv.advertiser_id)
        ]
        return _page(_only_fields(rows, request), request)

    def _smart_plus_ads(self, request: Request) -> dict[str, Any]:
        adv = self._advertiser(request.param("advertiser_id"))
        filtering = _json_param(request, "filtering", dict) or {}
        with_deleted = filtering.get("secondary_status") == "AD_STATUS_ALL"
        campaigns = {c.campaign_id: c.name for c in self.scenario.smart_plus_campaigns}
        groups = {g.adgroup_id: g.name for g in self.scenario.smart_plus_adgroups}
        rows = [
            entities.smart_plus_ad(a, campaigns[a.campaign_id], groups[a.adgroup_id])
            for a in self.scenario.smart_plus_ads_of(adv.advertiser_id)
            if with_deleted or a.deleted_on is None
        ]
        return _page(_only_fields(rows, request), request)

    # --- reports -------------------------------------------------------------------------

    def _report(self, request: Request) -> dict[str, Any]:
        adv = self._advertiser(request.param("advertiser_id"))
        report_type = request.param("report_type")
        others = _REPORT_DIMENSIONS.get(report_type or "")
        if others is None:
            raise errors.invalid_param(f"report_type: unsupported {report_type!r}")
        data_level = request.param("data_level")
        if report_type == "BASIC" and data_level == "AUCTION_ADVERTISER":
            return self._advertiser_report(request, adv)
        if data_level != "AUCTION_AD":
            raise errors.invalid_param(
                "data_level: the stand-in serves AUCTION_AD (and AUCTION_ADVERTISER for BASIC)"
            )
        id_dimension = _ad_id_dimension(request, others)
        start, end = self._dates(request)
        metrics = _json_param(request, "metrics", list) or ["spend", "impressions"]
        filtering = _json_param(request, "filtering", list) or []
        include_deleted = _includes_deleted(filtering)
        campaigns = _campaign_ids(filtering)
        rows = []
        for row, automation in self._ad_report_rows(report_type, id_dimension, adv, start, end):
            if not include_deleted and row.ad.deleted_on is not None:
                continue
            if campaigns is not None and row.ad.campaign_id not in campaigns:
                continue
            values = {
                **ad_metric_values(row, adv.currency),
                "campaign_automation_type": automation,
            }
            unknown = set(metrics) - set(values)
            if unknown:
                raise errors.invalid_param(f"metrics: unknown {sorted(unknown)}")
            dims = {
                id_dimension: row.creative_id or row.ad.ad_id,
                "stat_time_day": stat_time_day(row.day),
            }
            if row.placement is not None:
                dims["placement"] = row.placement
            rows.append({"dimensions": dims, "metrics": {m: values[m] for m in metrics}})
        return _page(rows, request)

    def _ad_report_rows(
        self, report_type: str, id_dimension: str, adv: Advertiser, start: date, end: date
    ) -> list[tuple[AdDay, str]]:
        """Manual ads' rows, then the Upgraded Smart+ ones (per creative by ``ad_id``), each
        with the ``campaign_automation_type`` the report shows for it."""
        pull = self._pull(adv, start, end)
        audience = report_type == "AUDIENCE"
        manual = report_rows(pull, smart_plus=False, by_placement=audience)
        smart_plus = report_rows(pull, smart_plus=True, by_placement=audience)
        if id_dimension == "ad_id":
            labelled = [(row, "UPGRADED_SMART_PLUS_CREATIVE") for row in creative_rows(smart_plus)]
        else:
            labelled = [(row, "UPGRADED_SMART_PLUS") for row in smart_plus]
        return [(row, "MANUAL") for row in manual] + labelled

    def _advertiser_report(self, request: Request, adv: Advertiser) -> dict[str, Any]:
        """BASIC report at advertiser level: one row per day with delivery, the sum over every
        ad of the advertiser (deleted and Upgraded Smart+ ones too: the account's whole
        auction spend)."""
        dimensions = _json_param(request, "dimensions", list, required=True)
        if set(dimensions) != _ADVERTISER_DIMENSIONS:
            raise errors.invalid_param(f"dimensions: expected {sorted(_ADVERTISER_DIMENSIONS)}")
        start, end = self._dates(request)
        metrics = _json_param(request, "metrics", list) or ["spend", "impressions"]
        unknown = set(metrics) - _ADVERTISER_METRICS
        if unknown:
            raise errors.invalid_param(f"metrics: unknown {sorted(unknown)}")
        totals: dict[date, AdMetrics] = {}
        pull = self._pull(adv, start, end)
        for row in report_rows(pull, smart_plus=False, by_placement=False) + report_rows(
            pull, smart_plus=True, by_placement=False
        ):
            known = totals.get(row.day)
            totals[row.day] = row.metrics if known is None else known + row.metrics
        rows = []
        for day in sorted(totals):
            values = advertiser_metric_values(totals[day])
            dims = {"advertiser_id": adv.advertiser_id, "stat_time_day": stat_time_day(day)}
            rows.append({"dimensions": dims, "metrics": {m: values[m] for m in metrics}})
        return _page(rows, request)

    def _pull(self, adv: Advertiser, start: date, end: date) -> Pull:
        return Pull(self.scenario, self.seed, adv, start, end, self._clock())

    def _dates(self, request: Request) -> tuple[date, date]:
        try:
            start = date.fromisoformat(request.param("start_date") or "")
            end = date.fromisoformat(request.param("end_date") or "")
        except ValueError:
            raise errors.invalid_param("start_date/end_date: YYYY-MM-DD required") from None
        if end < start:
            raise errors.invalid_param("end_date must not be before start_date")
        if (end - start).days + 1 > self._span_days:
            raise errors.span_too_long(self._span_days)
        return start, end

    # --- GMV Max -------------------------------------------------------------------------

    def _stores(self, request: Request) -> dict[str, Any]:
        adv = self._advertiser(request.param("advertiser_id"))
        return {
            "store_list": [entities.store(s) for s in self.scenario.stores_of(adv.advertiser_id)]
        }

    def _gmv_campaigns(self, request: Request) -> dict[str, Any]:
        adv = self._advertiser(request.param("advertiser_id"))
        filtering = _json_param(request, "filtering", dict, required=True)
        types = filtering.get("gmv_max_promotion_types") or []
        if len(types) != 1 or types[0] not in _GMV_CAMPAIGN_TYPES:
            raise errors.invalid_param(
                "filtering.gmv_max_promotion_types: one of "
                + ", ".join(sorted(_GMV_CAMPAIGN_TYPES))
            )
        stores = set(filtering.get("store_ids") or [])
        rows = [
            entities.gmv_campaign(c)
            for c in self.scenario.gmv_campaigns_of(adv.advertiser_id)
            if c.promotion_type == types[0] and (not stores or c.store_id in stores)
        ]
        return _page(rows, request, max_size=100)

    def _gmv_report(self, request: Request) -> dict[str, Any]:
        adv = self._advertiser(request.param("advertiser_id"))
        stores = _json_param(request, "store_ids", list, required=True)
        if len(stores) != 1:
            raise errors.invalid_param("store_ids: exactly one store id")
        dimensions = _json_param(request, "dimensions", list, required=True)
        if set(dimensions) != _GMV_DIMENSIONS:
            raise errors.invalid_param(f"dimensions: expected {sorted(_GMV_DIMENSIONS)}")
        metrics = _json_param(request, "metrics", list, required=True)
        filtering = _json_param(request, "filtering", dict) or {}
        types = set(filtering.get("gmv_max_promotion_types") or ["PRODUCT", "LIVE"])
        if not types <= {"PRODUCT", "LIVE"}:
            raise errors.invalid_param("filtering.gmv_max_promotion_types: PRODUCT or LIVE")
        start, end = self._dates(request)
        rows = []
        for row in gmv_rows(self._pull(adv, start, end)):
            if row.campaign.store_id != str(stores[0]):
                continue
            if row.campaign.report_promotion_type not in types:
                continue
            values = gmv_metric_values(row)
            unknown = set(metrics) - set(values)
            if unknown:
                raise errors.invalid_param(f"metrics: unknown {sorted(unknown)}")
            dims = {
                "campaign_id": row.campaign.campaign_id,
                "stat_time_day": stat_time_day(row.day),
            }
            rows.append({"dimensions": dims, "metrics": {m: values[m] for m in metrics}})
        return _page(rows, request)


def _json_param(request: Request, name: str, kind: type, *, required: bool = False) -> Any:
    raw = request.param(name)
    if raw is None or raw == "":
        if required:
            raise errors.invalid_param(f"{name}: This field is required.")
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise errors.invalid_param(f"{name}: not valid JSON") from None
    if not isinstance(value, kind):
        raise errors.invalid_param(f"{name}: expected a JSON {kind.__name__}")
    return value


def _ad_id_dimension(request: Request, others: frozenset[str]) -> str:
    """The one ad id dimension (``ad_id`` or ``ad_id_v2``) of an ad-level report request."""
    dimensions = _json_param(request, "dimensions", list, required=True)
    ids = [d for d in dimensions if d in _ID_DIMENSIONS]
    if len(ids) > 1:
        raise errors.invalid_param("dimensions: ad_id_v2 cannot be used together with ad_id")
    if len(ids) != 1 or set(dimensions) - set(ids) != others:
        raise errors.invalid_param(f"dimensions: expected ad_id or ad_id_v2 with {sorted(others)}")
    return ids[0]


def _only_fields(rows: list[dict[str, Any]], request: Request) -> list[dict[str, Any]]:
    """Like the real list endpoints: only the ``fields`` asked for (default: all)."""
    fields = _json_param(request, "fields", list, required=False)
    if not fields:
        return rows
    return [{k: v for k, v in row.items() if k in fields} for row in rows]


def _filter(filtering: list[Any], field_name: str) -> tuple[dict[str, Any], Any] | None:
    """The report filter on ``field_name`` and its parsed ``filter_value``, or None."""
    for entry in filtering:
        if isinstance(entry, dict) and entry.get("field_name") == field_name:
            try:
                return entry, json.loads(entry.get("filter_value") or "[]")
            except ValueError:
                raise errors.invalid_param("filtering.filter_value: not valid JSON") from None
    return None


def _campaign_ids(filtering: list[Any]) -> set[str] | None:
    """The report filter ``campaign_ids`` (IN, at most 100 ids), or None without one."""
    found = _filter(filtering, "campaign_ids")
    if found is None:
        return None
    entry, values = found
    if entry.get("filter_type") != "IN" or not isinstance(values, list):
        raise errors.invalid_param("filtering.campaign_ids: filter_type IN with a list")
    if not 1 <= len(values) <= _MAX_FILTER_IDS:
        raise errors.invalid_param(f"filtering.campaign_ids: between 1 and {_MAX_FILTER_IDS} ids")
    return {str(v) for v in values}


def _includes_deleted(filtering: list[Any]) -> bool:
    found = _filter(filtering, "ad_status")
    return found is not None and "STATUS_ALL" in found[1]


def _page(rows: list[dict[str, Any]], request: Request, max_size: int = 1000) -> dict[str, Any]:
    """One page of ``rows`` with TikTok's ``page_info`` (``page`` from 1, default size 10)."""
    try:
        page = int(request.param("page") or 1)
        size = int(request.param("page_size") or 10)
    except ValueError:
        raise errors.invalid_param("page/page_size: integers required") from None
    if page < 1:
        raise errors.invalid_param("page: must be >= 1")
    if not 1 <= size <= max_size:
        raise errors.invalid_param(f"page_size: must be between 1 and {max_size}")
    chunk = rows[(page - 1) * size : page * size]
    info = {
        "page": page,
        "page_size": size,
        "total_number": len(rows),
        "total_page": math.ceil(len(rows) / size),
    }
    return {"list": chunk, "page_info": info}
