"""Extracting one TikTok advertiser (entities, ad reports, Upgraded Smart+, GMV Max) into the
spool folder.

All streams of an advertiser are one unit of work: if any stream fails, every stream already
written for the advertiser in this run is discarded, so nothing partial is ever loadable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from connectors.common.errors import FatalApiError, QueryTooLargeError
from connectors.common.spool import SpoolWriter
from connectors.common.streams import StreamSpec
from connectors.tiktok import streams as s
from connectors.tiktok.client import TikTokClient
from connectors.tiktok.errors import PLATFORM
from socialmart.settings import Settings

log = logging.getLogger(__name__)

BUYING_TYPES = ("AUCTION", "RESERVATION_TOP_VIEW", "RESERVATION_RF")
GMV_MAX_TYPES = {"PRODUCT_GMV_MAX": "PRODUCT", "LIVE_GMV_MAX": "LIVE"}
GMV_CAMPAIGN_PAGE_MAX = 100
#: Report ID filters (``campaign_ids``) take at most this many ids per request.
REPORT_FILTER_IDS_MAX = 100
#: Report spans tried after "query too large": 30 days, then a week, then single days.
SHRINK_STEPS = (7, 1)


def list_advertisers(settings: Settings, client: TikTokClient | None = None) -> list[str]:
    """The advertisers to pull: ``TIKTOK_ADVERTISER_IDS``, else those authorized to the app.

    With neither advertiser ids nor app credentials configured TikTok is off: no advertisers.
    """
    tiktok = settings.tiktok
    if tiktok.advertiser_ids:
        return list(tiktok.advertiser_ids)
    if not (tiktok.app_id and tiktok.app_secret):
        log.info("TikTok not configured (no TIKTOK_ADVERTISER_IDS or app credentials); skipped")
        return []
    api = client or TikTokClient(tiktok, settings.http)
    try:
        return api.list_advertisers(tiktok.app_id, tiktok.app_secret)
    finally:
        if client is None:
            api.close()


def extract_account(
    settings: Settings,
    account: str,
    start: date,
    end: date,
    run_id: str,
    client: TikTokClient | None = None,
) -> list[Path]:
    """Pull every TikTok stream of one advertiser for ``start..end`` into the spool.

    Args:
        settings: Process settings (spool folder, TikTok and HTTP settings).
        account: Advertiser id.
        start: First report day (inclusive, advertiser time zone).
        end: Last report day (inclusive).
        run_id: The pipeline run.
        client: A client to use instead of one built from ``settings`` (tests).

    Returns:
        The manifest path of every stream pulled.

    Raises:
        FatalApiError: TikTok refused for good; nothing of the advertiser stays in the spool.
        RetriesExhaustedError: Transient failures outlasted the retry budget (same cleanup).
    """
    if end < start:
        raise ValueError(f"window end {end} is before start {start}")
    api = client or TikTokClient(settings.tiktok, settings.http)
    run = _AdvertiserRun(api, settings, account.strip(), start, end, run_id)
    try:
        return run.extract_all()
    finally:
        if client is None:
            api.close()


class _AdvertiserRun:
    """The streams of one advertiser in one run; remembers its writers for cleanup."""

    def __init__(
        self,
        api: TikTokClient,
        settings: Settings,
        account: str,
        start: date,
        end: date,
        run_id: str,
    ) -> None:
        self.api, self.settings, self.account = api, settings, account
        self.start, self.end, self.run_id = start, end, run_id
        self.page_size = settings.tiktok.page_size
        self._writers: list[SpoolWriter] = []

    def extract_all(self) -> list[Path]:
        log.info("TikTok advertiser %s: %s..%s", self.account, self.start, self.end)
        try:
            manifests = [
                self._unit(s.ADVERTISERS, self._advertiser),
                self._unit(s.CAMPAIGNS, self._campaigns),
                self._unit(s.ADGROUPS, lambda w: self._list(w, s.ADGROUPS)),
                self._unit(s.ADS, lambda w: self._list(w, s.ADS)),
                self._unit(s.AD_REPORT_DAILY, lambda w: self._report(w, s.AD_REPORT_DAILY)),
                self._unit(
                    s.AD_PLACEMENT_REPORT_DAILY,
                    lambda w: self._report(w, s.AD_PLACEMENT_REPORT_DAILY),
                ),
                self._unit(
                    s.ADVERTISER_REPORT_DAILY,
                    lambda w: self._report(w, s.ADVERTISER_REPORT_DAILY),
                ),
            ]
            manifests += self._smart_plus()
            stores: list[str] = []
            manifests.append(self._unit(s.GMV_MAX_STORES, lambda w: self._stores(w, stores)))
            manifests.append(self._unit(s.GMV_MAX_CAMPAIGNS, lambda w: self._gmv(w, stores)))
            manifests.append(
                self._unit(s.GMV_MAX_REPORT_DAILY, lambda w: self._gmv_report(w, stores))
            )
        except BaseException:
            for writer in self._writers:
                writer.discard()
            raise
        return manifests

    def _unit(self, spec: StreamSpec, pull: Any) -> Path:
        writer = SpoolWriter(
            self.settings.spool_dir,
            self.run_id,
            spec.source,
            spec.name,
            self.account,
            self.start,
            self.end,
        )
        self._writers.append(writer)
        before = self.api.request_count
        pull(writer)
        log.info("TikTok advertiser %s: %s %d rows", self.account, spec.name, writer.row_count)
        return writer.commit(request_count=self.api.request_count - before)

    def _write(self, writer: SpoolWriter, rows: list[dict[str, Any]], **extra: str) -> None:
        writer.write_page(flatten(rows, {"advertiser_id": self.account, **extra}))

    def _advertiser(self, writer: SpoolWriter) -> None:
        spec = s.ADVERTISERS
        data = self.api.get(
            spec.path, {**spec.params, "advertiser_ids": [self.account]}, account=self.account
        )
        self._write(writer, data.get("list") or [])

    def _list(
        self,
        writer: SpoolWriter,
        spec: StreamSpec,
        extra_params: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        **extra: str,
    ) -> None:
        params = {**spec.params, **(extra_params or {}), "advertiser_id": self.account}
        size = page_size or self.page_size
        for page in self.api.pages(spec.path, params, page_size=size, account=self.account):
            self._write(writer, page, **extra)

    def _campaigns(self, writer: SpoolWriter) -> None:
        # TopView and reach & frequency campaigns cannot be listed together with auction ones.
        for buying_type in BUYING_TYPES:
            filtering = {"secondary_status": "CAMPAIGN_STATUS_ALL", "buying_types": [buying_type]}
            self._list(writer, s.CAMPAIGNS, {"filtering": filtering})

    def _report(
        self,
        writer: SpoolWriter,
        spec: StreamSpec,
        *,
        params: Mapping[str, str] | None = None,
        **extra: str,
    ) -> None:
        span = self.settings.tiktok.report_span_days
        request = {**(params or {}), **{k: v for k, v in extra.items() if k == "store_ids"}}
        labels = {k: v for k, v in extra.items() if k != "store_ids"}
        for chunk_start, chunk_end in date_chunks(self.start, self.end, span):
            self._report_chunk(writer, spec, chunk_start, chunk_end, request, labels)

    def _report_chunk(
        self,
        writer: SpoolWriter,
        spec: StreamSpec,
        start: date,
        end: date,
        request: Mapping[str, str],
        labels: dict[str, str],
    ) -> None:
        """Pull one date chunk; on "span too long / query too large" redo it in smaller spans."""
        mark = writer.page_count
        params = {
            **spec.params,
            **request,
            "advertiser_id": self.account,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
        }
        try:
            for page in self.api.pages(
                spec.path, params, page_size=self.page_size, account=self.account
            ):
                self._write(writer, page, **labels)
            return
        except QueryTooLargeError as exc:
            writer.truncate(mark)
            problem = str(exc)
        days = (end - start).days + 1
        step = next((n for n in SHRINK_STEPS if n < days), None)
        if step is None:
            raise FatalApiError(
                f"TikTok still finds the {spec.name} query for advertiser {self.account} on "
                f"{start} too large ({problem}). Lower TIKTOK_PAGE_SIZE or report a connector bug.",
                platform=PLATFORM,
                account=self.account,
            )
        log.info(
            "TikTok advertiser %s: %s; splitting %s..%s into %d-day spans",
            self.account,
            problem,
            start,
            end,
            step,
        )
        for sub_start, sub_end in date_chunks(start, end, step):
            self._report_chunk(writer, spec, sub_start, sub_end, request, labels)

    def _smart_plus(self) -> list[Path]:
        """Upgraded Smart+ lists, then their ad reports by ``ad_id_v2`` for those campaigns
        (none listed: empty reports, no request)."""
        campaigns: list[str] = []

        def listed(writer: SpoolWriter) -> None:
            spec = s.SMART_PLUS_CAMPAIGNS
            params = {**spec.params, "advertiser_id": self.account}
            for page in self.api.pages(
                spec.path, params, page_size=self.page_size, account=self.account
            ):
                self._write(writer, page)
                campaigns.extend(str(row["campaign_id"]) for row in page)

        def report(spec: StreamSpec) -> Any:
            return lambda writer: self._by_campaigns(writer, spec, list(dict.fromkeys(campaigns)))

        return [
            self._unit(s.SMART_PLUS_CAMPAIGNS, listed),
            self._unit(s.SMART_PLUS_ADGROUPS, lambda w: self._list(w, s.SMART_PLUS_ADGROUPS)),
            self._unit(s.SMART_PLUS_ADS, lambda w: self._list(w, s.SMART_PLUS_ADS)),
            self._unit(s.SMART_PLUS_AD_REPORT_DAILY, report(s.SMART_PLUS_AD_REPORT_DAILY)),
            self._unit(
                s.SMART_PLUS_AD_PLACEMENT_REPORT_DAILY,
                report(s.SMART_PLUS_AD_PLACEMENT_REPORT_DAILY),
            ),
        ]

    def _by_campaigns(self, writer: SpoolWriter, spec: StreamSpec, campaigns: list[str]) -> None:
        """The report for ``campaigns`` only, in ``campaign_ids`` filters of up to 100 ids."""
        base = json.loads(spec.params["filtering"])
        for first in range(0, len(campaigns), REPORT_FILTER_IDS_MAX):
            chunk = campaigns[first : first + REPORT_FILTER_IDS_MAX]
            by_campaign = {
                "field_name": "campaign_ids",
                "filter_type": "IN",
                "filter_value": json.dumps(chunk),
            }
            self._report(writer, spec, params={"filtering": json.dumps([*base, by_campaign])})

    def _stores(self, writer: SpoolWriter, available: list[str]) -> None:
        data = self.api.get(
            s.GMV_MAX_STORES.path, {"advertiser_id": self.account}, account=self.account
        )
        rows = data.get("store_list") or []
        self._write(writer, rows)
        available.extend(str(r["store_id"]) for r in rows if r.get("is_gmv_max_available"))

    def _gmv(self, writer: SpoolWriter, stores: list[str]) -> None:
        size = min(self.page_size, GMV_CAMPAIGN_PAGE_MAX)
        for store in stores:
            for promotion_type in GMV_MAX_TYPES:
                filtering = {"gmv_max_promotion_types": [promotion_type], "store_ids": [store]}
                self._list(
                    writer,
                    s.GMV_MAX_CAMPAIGNS,
                    {"filtering": filtering},
                    size,
                    store_id=store,
                    gmv_max_promotion_type=promotion_type,
                )

    def _gmv_report(self, writer: SpoolWriter, stores: list[str]) -> None:
        # store_ids takes one store per request; both promotion types in one report.
        for store in stores:
            self._report(
                writer, s.GMV_MAX_REPORT_DAILY, store_ids=json.dumps([store]), store_id=store
            )


def date_chunks(start: date, end: date, days: int) -> Iterator[tuple[date, date]]:
    """``start..end`` cut into consecutive inclusive spans of at most ``days`` days."""
    step = max(days, 1)
    while start <= end:
        last = min(end, start + timedelta(days=step - 1))
        yield start, last
        start = last + timedelta(days=1)


def flatten(rows: list[dict[str, Any]], extra: Mapping[str, str]) -> list[dict[str, Any]]:
    """Records as landed: report rows' ``dimensions`` and ``metrics`` lifted to one level,
    plus ``extra`` (the advertiser and request context TikTok does not repeat in rows)."""
    return [
        {**extra, **row.get("dimensions", {}), **row.get("metrics", {})}
        if "dimensions" in row
        else {**extra, **row}
        for row in rows
    ]
