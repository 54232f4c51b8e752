"""Extracting media insights of the partnership-ad creator posts for the Instagram account."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connectors.common.extract import AccountRun, account_extract, write_batches
from connectors.common.graph import GraphClient, mask_secrets
from connectors.common.redaction import redact_text
from connectors.instagram.client import MediaUnavailableError, instagram_client
from connectors.instagram.media_ids import media_ids
from connectors.instagram.streams import AVAILABLE, MEDIA_INSIGHTS, MEDIA_METRICS, NO_DATA
from connectors.meta.versions import (
    INSTAGRAM_GRAPH_API,
    check_version,
    today_utc,
    warn_if_outdated,
)
from socialmart.settings import Settings

log = logging.getLogger(__name__)


def list_accounts(settings: Settings) -> list[str]:
    """The brand's Instagram account when configured (else the source is off).

    Also warns when ``INSTAGRAM_API_VERSION`` is near or past its sunset, or unknown.
    """
    account = settings.instagram.business_account_id
    if account:
        version = settings.instagram.api_version
        warn_if_outdated(check_version(INSTAGRAM_GRAPH_API, version, today_utc()))
    return [account] if account else []


@account_extract(lambda settings, account: instagram_client(settings))
def extract_account(run: AccountRun[GraphClient]) -> list[Path]:
    """Pull the lifetime insights of every partnership media (a snapshot, whatever the window).

    ``start`` and ``end`` are only recorded in the manifest.
    """
    mask_secrets([run.settings.instagram.access_token])
    account, media = run.account, media_ids(run.settings, run.run_id)
    manifest = run.unit(
        MEDIA_INSIGHTS, lambda writer: write_batches(writer, _rows(run.client, account, media))
    )
    log.info("Instagram account %s: insights of %d media", account, len(media))
    return [manifest]


def _rows(api: GraphClient, account: str, media: list[str]) -> Iterator[dict[str, Any]]:
    for media_id in media:
        row: dict[str, Any] = {"ig_account_id": account, "media_id": media_id}
        path = MEDIA_INSIGHTS.path.format(media_id=media_id)
        try:
            entries = api.data(path, MEDIA_INSIGHTS.params, account=account)
        except MediaUnavailableError as exc:
            log.warning("Instagram media %s: no insights (%s)", media_id, exc.status)
            yield row | {"status": exc.status, "status_detail": redact_text(str(exc))}
            continue
        values = {e.get("name"): (e.get("values") or [{}])[-1].get("value") for e in entries}
        metrics = {name: values.get(name) for name in MEDIA_METRICS}
        yield row | {"status": AVAILABLE if entries else NO_DATA, "status_detail": None} | metrics
