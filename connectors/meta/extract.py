"""Extracting Meta ad insights by placement into the spool folder."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from pathlib import Path

from connectors.common.errors import FatalApiError, QueryTooLargeError
from connectors.common.spool import SpoolWriter
from connectors.common.streams import StreamSpec
from connectors.meta.client import MetaClient, normalize_account_id
from connectors.meta.errors import PLATFORM
from connectors.meta.streams import AD_INSIGHTS_PLACEMENT
from socialmart.settings import Settings

log = logging.getLogger(__name__)

MIN_PAGE_LIMIT = 25


def list_accounts(settings: Settings, client: MetaClient | None = None) -> list[str]:
    """The ad accounts to pull: ``settings.meta.ad_account_ids``, else all the token can see."""
    configured = [normalize_account_id(a) for a in settings.meta.ad_account_ids]
    if configured:
        return configured
    api = client or MetaClient(settings.meta, settings.http)
    try:
        return api.list_ad_accounts()
    finally:
        if client is None:
            api.close()


def extract_account(
    settings: Settings,
    account: str,
    start: date,
    end: date,
    run_id: str,
    client: MetaClient | None = None,
) -> list[Path]:
    """Pull every Meta stream of one ad account for ``start..end`` into the spool.

    Pages land in ``<spool_dir>/<run_id>/meta/<stream>/<account>/`` with a manifest written
    last, so a unit that failed half-way is never loadable.

    Args:
        settings: Process settings (spool folder, Meta and HTTP settings).
        account: Ad account id, with or without ``act_``.
        start: First day to pull (inclusive, ad account time zone).
        end: Last day to pull (inclusive).
        run_id: The pipeline run.
        client: A client to use instead of one built from ``settings`` (tests).

    Returns:
        The manifest path of every stream pulled.

    Raises:
        FatalApiError: Meta refused for good; the account's unit is removed.
        RetriesExhaustedError: Transient failures outlasted the retry budget (same cleanup).
    """
    if end < start:
        raise ValueError(f"window end {end} is before start {start}")
    api = client or MetaClient(settings.meta, settings.http)
    account = normalize_account_id(account)
    try:
        log.info("Meta account %s: insights %s..%s", account, start, end)
        return [_extract_account(api, settings, AD_INSIGHTS_PLACEMENT, account, start, end, run_id)]
    finally:
        if client is None:
            api.close()


def _extract_account(
    api: MetaClient,
    settings: Settings,
    spec: StreamSpec,
    account: str,
    start: date,
    end: date,
    run_id: str,
) -> Path:
    writer = SpoolWriter(settings.spool_dir, run_id, spec.source, spec.name, account, start, end)
    requests_before = api.request_count
    try:
        _pull(api, writer, spec, account, start, end, settings.meta.page_limit)
        manifest = writer.commit(request_count=api.request_count - requests_before)
    except BaseException:
        writer.discard()
        raise
    log.info("Meta account %s: %d rows in %d pages", account, writer.row_count, writer.page_count)
    return manifest


def _pull(
    api: MetaClient,
    writer: SpoolWriter,
    spec: StreamSpec,
    account: str,
    start: date,
    end: date,
    limit: int,
) -> None:
    """Write every page of ``start..end``; on "too much data", redo it in halves (then smaller
    pages for a single day)."""
    mark = writer.page_count
    params = {
        **spec.params,
        "time_range": json.dumps({"since": start.isoformat(), "until": end.isoformat()}),
        "limit": str(limit),
    }
    try:
        for page in api.pages(spec.path.format(account_id=account), params, account=account):
            writer.write_page(page)
        return
    except QueryTooLargeError as exc:
        writer.truncate(mark)
        problem = str(exc)
    if start < end:
        middle = start + timedelta(days=(end - start).days // 2)
        log.info("Meta account %s: %s; splitting %s..%s", account, problem, start, end)
        _pull(api, writer, spec, account, start, middle, limit)
        _pull(api, writer, spec, account, middle + timedelta(days=1), end, limit)
    elif limit // 2 >= MIN_PAGE_LIMIT:
        log.info(
            "Meta account %s: %s; retrying %s with limit %d", account, problem, start, limit // 2
        )
        _pull(api, writer, spec, account, start, end, limit // 2)
    else:
        raise FatalApiError(
            f"Meta still finds the insights query for ad account {account} on {start} too large "
            f"with pages of {limit} rows ({problem}). Pull this account with fewer breakdowns "
            "or through an async report.",
            platform=PLATFORM,
            account=account,
        )
