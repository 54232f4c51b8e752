"""Extracting ECB reference rates into the spool folder."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from connectors.common.spool import SpoolWriter
from connectors.fx.client import EcbClient
from connectors.fx.parse import parse_history_csv
from connectors.fx.streams import ECB_RATES, PROVIDER
from socialmart.settings import Settings

log = logging.getLogger(__name__)

PAGE_SIZE = 5_000


def list_accounts(settings: Settings) -> list[str]:
    """One pseudo-account: the rate provider."""
    return [PROVIDER]


def extract_account(
    settings: Settings,
    account: str,
    start: date,
    end: date,
    run_id: str,
    client: EcbClient | None = None,
) -> list[Path]:
    """Download the rates file once and spool the rates published in ``start..end``.

    Args:
        settings: Process settings (spool folder, FX and HTTP settings).
        account: The provider pseudo-account (``"ecb"``).
        start: First day (inclusive).
        end: Last day (inclusive).
        run_id: The pipeline run.
        client: A client to use instead of one built from ``settings`` (tests).

    Returns:
        The manifest path of the one stream.

    Raises:
        FatalApiError: The URL does not serve the ECB CSV; nothing is left loadable.
        RetriesExhaustedError: Transient failures outlasted the retry budget (same cleanup).
    """
    if end < start:
        raise ValueError(f"window end {end} is before start {start}")
    if account != PROVIDER:
        raise ValueError(f"unknown FX provider {account!r}; expected {PROVIDER!r}")
    api = client or EcbClient(settings.fx, settings.http)
    spec = ECB_RATES
    writer = SpoolWriter(settings.spool_dir, run_id, spec.source, spec.name, account, start, end)
    try:
        requests_before = api.request_count
        records = parse_history_csv(api.fetch_history_csv(account), account, start, end)
        for offset in range(0, len(records), PAGE_SIZE):
            writer.write_page(records[offset : offset + PAGE_SIZE])
        manifest = writer.commit(request_count=api.request_count - requests_before)
    except BaseException:
        writer.discard()
        raise
    finally:
        if client is None:
            api.close()
    log.info("ECB rates %s..%s: %d rates in %d pages", start, end, len(records), writer.page_count)
    return [manifest]
