"""Extracting one Meta ad account into the spool: entity snapshots, then insights reports."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

from connectors.common.extract import AccountRun, account_extract, client_for, pull_stream
from connectors.common.spool import SpoolWriter
from connectors.common.streams import StreamSpec
from connectors.meta.client import MetaClient, normalize_account_id
from connectors.meta.insights import InsightsPull, pull_insights
from connectors.meta.streams import ENTITY_STREAMS, INSIGHTS_STREAMS, attribution_windows_param
from connectors.meta.versions import MARKETING_API, check_version, today_utc, warn_if_outdated
from socialmart.settings import Settings

log = logging.getLogger(__name__)

ALL_STREAMS = (*ENTITY_STREAMS, *INSIGHTS_STREAMS)


def list_accounts(settings: Settings, client: MetaClient | None = None) -> list[str]:
    """The ad accounts to pull: ``settings.meta.ad_account_ids``, else all the token can see.

    Called once per extract (pipeline and DAG), so it also warns when ``META_API_VERSION`` is
    expired, expires within 90 days or is unknown (:mod:`connectors.meta.versions`), and
    fails before any request when ``META_ATTRIBUTION_WINDOWS`` names a window Meta does not
    return.
    """
    warn_if_outdated(check_version(MARKETING_API, settings.meta.api_version, today_utc()))
    attribution_windows_param(settings.meta.attribution_windows)
    configured = [normalize_account_id(a) for a in settings.meta.ad_account_ids]
    if configured:
        return configured
    with client_for(client, partial(MetaClient, settings.meta, settings.http)) as api:
        return api.list_ad_accounts()


def extract_streams(streams: tuple[StreamSpec, ...]) -> Callable[..., list[Path]]:
    """The ``extract_account`` of a chosen subset of the Meta streams (same guarantees)."""

    @account_extract(
        lambda settings, account: MetaClient(settings.meta, settings.http),
        account_id=normalize_account_id,
    )
    def extract(run: AccountRun[MetaClient]) -> list[Path]:
        """Pull the Meta streams (every one for ``extract_account``) of one ad account.

        Entity streams are full snapshots of the account, pulled as their spec declares them
        (the ad account is one object, the other edges are paged to the end); insights
        streams cover ``start..end``, pulled by :mod:`connectors.meta.insights`. Each stream
        lands in ``<spool_dir>/<run_id>/meta/<stream>/<account>/`` with a manifest written
        last. If any stream fails, every unit of the account written by this call is removed,
        so a failed account leaves nothing loadable.

        Days are the ad account's time zone.
        """
        account, start, end = run.account, run.start, run.end
        log.info("Meta account %s: %d streams, insights %s..%s", account, len(streams), start, end)
        api, page_size = run.client, run.settings.meta.page_limit

        def pull(spec: StreamSpec) -> Callable[[SpoolWriter], None]:
            if spec.is_snapshot:
                return lambda writer: pull_stream(api, writer, spec, account, page_size=page_size)
            return lambda writer: pull_insights(
                InsightsPull(api, writer, spec, account), start, end
            )

        return [run.unit(spec, pull(spec)) for spec in streams]

    return extract


extract_account = extract_streams(ALL_STREAMS)
