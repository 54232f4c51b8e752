"""Extracting one TikTok advertiser (entities, ad reports, Upgraded Smart+, GMV Max) into the
spool folder.

All streams of an advertiser are one unit of work (:class:`~connectors.common.extract.AccountRun`):
if any stream fails, every stream already written for the advertiser in this run is discarded,
so nothing partial is ever loadable. Each stream is pulled as its spec declares it
(:func:`~connectors.common.extract.pull_stream`); only the variants TikTok needs are added
here: campaigns per buying type, Smart+ reports per Smart+ campaign, GMV Max per store.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from connectors.common.extract import AccountRun, account_extract, client_for, pull_stream
from connectors.common.spool import SpoolWriter
from connectors.common.streams import StreamSpec
from connectors.tiktok import streams as s
from connectors.tiktok.client import TikTokClient
from socialmart.settings import Settings

log = logging.getLogger(__name__)

BUYING_TYPES = ("AUCTION", "RESERVATION_TOP_VIEW", "RESERVATION_RF")
GMV_MAX_TYPES = {"PRODUCT_GMV_MAX": "PRODUCT", "LIVE_GMV_MAX": "LIVE"}
GMV_CAMPAIGN_PAGE_MAX = 100
#: Report ID filters (``campaign_ids``) take at most this many ids per request.
REPORT_FILTER_IDS_MAX = 100


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
    with client_for(client, partial(TikTokClient, tiktok, settings.http)) as api:
        return api.list_advertisers(tiktok.app_id, tiktok.app_secret)


@account_extract(
    lambda settings, account: TikTokClient(settings.tiktok, settings.http), account_id=str.strip
)
def extract_account(run: AccountRun[TikTokClient]) -> list[Path]:
    """Pull every TikTok stream of one advertiser (the account) for ``start..end`` into the spool.

    Report days are the advertiser's time zone.
    """
    log.info("TikTok advertiser %s: %s..%s", run.account, run.start, run.end)
    return _AdvertiserStreams(run).extract_all()


class _AdvertiserStreams:
    """The streams of one advertiser, in registry order (``streams.STREAMS``): each is pulled
    from its spec unless TikTok needs more than the spec says (the pulls below), so a new
    ordinary stream is only its spec entry."""

    def __init__(self, run: AccountRun[TikTokClient]) -> None:
        self.run = run
        self.page_size = run.settings.tiktok.page_size
        # Answers that decide later requests: Smart+ campaigns, GMV Max stores.
        campaigns: list[str] = []
        stores: list[str] = []
        self._pulls: dict[str, Callable[[SpoolWriter], None]] = {
            s.ADVERTISERS.name: partial(
                # advertiser/info/ takes a list of advertisers: this one.
                self._pull,
                spec=s.ADVERTISERS,
                params={"advertiser_ids": [run.account]},
            ),
            s.CAMPAIGNS.name: self._campaigns,
            s.SMART_PLUS_CAMPAIGNS.name: partial(
                self._pull, spec=s.SMART_PLUS_CAMPAIGNS, keep=("campaign_id", campaigns)
            ),
            s.SMART_PLUS_AD_REPORT_DAILY.name: partial(
                self._by_campaigns, s.SMART_PLUS_AD_REPORT_DAILY, campaigns
            ),
            s.SMART_PLUS_AD_PLACEMENT_REPORT_DAILY.name: partial(
                self._by_campaigns, s.SMART_PLUS_AD_PLACEMENT_REPORT_DAILY, campaigns
            ),
            s.GMV_MAX_STORES.name: partial(self._stores, stores),
            s.GMV_MAX_CAMPAIGNS.name: partial(self._gmv_campaigns, stores),
            s.GMV_MAX_REPORT_DAILY.name: partial(self._gmv_report, stores),
        }

    def extract_all(self) -> list[Path]:
        return [
            self.run.unit(spec, self._pulls.get(spec.name) or partial(self._pull, spec=spec))
            for spec in s.STREAMS
        ]

    def _pull(
        self,
        writer: SpoolWriter,
        spec: StreamSpec,
        params: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        keep: tuple[str, list[str]] | None = None,
        **labels: str,
    ) -> None:
        """:func:`pull_stream` with TikTok's rows: flattened, advertiser and labels added."""
        extra = {"advertiser_id": self.run.account, **labels}

        def shape(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            if keep is not None:
                column, into = keep
                into.extend(str(row[column]) for row in rows)
            return flatten(rows, extra)

        pull_stream(
            self.run.client,
            writer,
            spec,
            self.run.account,
            (self.run.start, self.run.end),
            page_size=page_size or self.page_size,
            params=params,
            shape=shape,
            max_span_days=self.run.settings.tiktok.report_span_days,
        )

    def _campaigns(self, writer: SpoolWriter) -> None:
        # TopView and reach & frequency campaigns cannot be listed together with auction ones.
        for buying_type in BUYING_TYPES:
            filtering = {"secondary_status": "CAMPAIGN_STATUS_ALL", "buying_types": [buying_type]}
            self._pull(writer, s.CAMPAIGNS, {"filtering": filtering})

    def _by_campaigns(self, spec: StreamSpec, campaigns: list[str], writer: SpoolWriter) -> None:
        """The report for ``campaigns`` only, in ``campaign_ids`` filters of up to 100 ids
        (none listed: an empty report, no request)."""
        base = json.loads(spec.params["filtering"])
        unique = list(dict.fromkeys(campaigns))
        for first in range(0, len(unique), REPORT_FILTER_IDS_MAX):
            by_campaign = {
                "field_name": "campaign_ids",
                "filter_type": "IN",
                "filter_value": json.dumps(unique[first : first + REPORT_FILTER_IDS_MAX]),
            }
            self._pull(writer, spec, {"filtering": json.dumps([*base, by_campaign])})

    def _stores(self, available: list[str], writer: SpoolWriter) -> None:
        """The advertiser's stores; those GMV Max is available in are kept for the next two."""

        def shape(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            available.extend(str(r["store_id"]) for r in rows if r.get("is_gmv_max_available"))
            return flatten(rows, {"advertiser_id": self.run.account})

        pull_stream(
            self.run.client,
            writer,
            s.GMV_MAX_STORES,
            self.run.account,
            page_size=self.page_size,
            shape=shape,
        )

    def _gmv_campaigns(self, stores: list[str], writer: SpoolWriter) -> None:
        size = min(self.page_size, GMV_CAMPAIGN_PAGE_MAX)
        for store in stores:
            for promotion_type in GMV_MAX_TYPES:
                filtering = {"gmv_max_promotion_types": [promotion_type], "store_ids": [store]}
                self._pull(
                    writer,
                    s.GMV_MAX_CAMPAIGNS,
                    {"filtering": filtering},
                    size,
                    store_id=store,
                    gmv_max_promotion_type=promotion_type,
                )

    def _gmv_report(self, stores: list[str], writer: SpoolWriter) -> None:
        # store_ids takes one store per request; both promotion types in one report.
        for store in stores:
            self._pull(
                writer, s.GMV_MAX_REPORT_DAILY, {"store_ids": json.dumps([store])}, store_id=store
            )


def flatten(rows: list[dict[str, Any]], extra: Mapping[str, str]) -> list[dict[str, Any]]:
    """Records as landed: report rows' ``dimensions`` and ``metrics`` lifted to one level,
    plus ``extra`` (the advertiser and request context TikTok does not repeat in rows)."""
    return [
        {**extra, **row.get("dimensions", {}), **row.get("metrics", {})}
        if "dimensions" in row
        else {**extra, **row}
        for row in rows
    ]
