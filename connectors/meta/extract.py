"""Extracting one Meta ad account into the spool: entity snapshots, then insights reports."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from connectors.common.extract import AccountRun, client_for, pull_stream
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


def extract_account(
    settings: Settings,
    account: str,
    start: date,
    end: date,
    run_id: str,
    client: MetaClient | None = None,
) -> list[Path]:
    """Pull every Meta stream of one ad account into the spool.

    Entity streams are full snapshots of the account; insights streams cover ``start..end``.
    Each stream lands in ``<spool_dir>/<run_id>/meta/<stream>/<account>/`` with a manifest
    written last. If any stream fails, every unit of the account written by this call is
    removed, so a failed account leaves nothing loadable.

    Days are the ad account's time zone.
    Arguments, result and cleanup on failure as ``Source.extract_account``
    (:mod:`connectors.sources`); ``client`` replaces the one built from ``settings`` (tests).
    """
    return extract_streams(settings, account, start, end, run_id, ALL_STREAMS, client)


def extract_streams(
    settings: Settings,
    account: str,
    start: date,
    end: date,
    run_id: str,
    streams: tuple[StreamSpec, ...],
    client: MetaClient | None = None,
) -> list[Path]:
    """:func:`extract_account` for a chosen subset of the Meta streams (same guarantees).

    Entity streams are pulled as their spec declares them (the ad account is one object, the
    other edges are paged to the end); insights streams by :mod:`connectors.meta.insights`.
    """
    account = normalize_account_id(account)
    build = partial(MetaClient, settings.meta, settings.http)
    with AccountRun(settings, account, start, end, run_id, client, build) as run:
        log.info("Meta account %s: %d streams, insights %s..%s", account, len(streams), start, end)
        api, page_size = run.client, settings.meta.page_limit

        def pull(spec: StreamSpec) -> Callable[[SpoolWriter], None]:
            if spec.is_snapshot:
                return lambda writer: pull_stream(api, writer, spec, account, page_size=page_size)
            return lambda writer: pull_insights(
                InsightsPull(api, writer, spec, account), start, end
            )

        return [run.unit(spec, pull(spec)) for spec in streams]
