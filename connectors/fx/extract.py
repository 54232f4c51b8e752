"""Extracting ECB reference rates into the spool folder."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from connectors.common.extract import AccountRun, account_extract
from connectors.common.spool import SpoolWriter
from connectors.fx.client import EcbClient
from connectors.fx.parse import parse_history_csv
from connectors.fx.streams import ECB_RATES, PROVIDER
from socialmart.settings import Settings

PAGE_SIZE = 5_000


def list_accounts(settings: Settings) -> list[str]:
    """One pseudo-account: the rate provider."""
    return [PROVIDER]


@account_extract(lambda settings, account: EcbClient(settings.fx, settings.http))
def extract_account(run: AccountRun[EcbClient]) -> list[Path]:
    """Download the rates file once and spool the rates that can apply to ``start..end``.

    That is the rates published from ``carry_forward_days`` before ``start`` (the furthest
    a rate carries forward) to ``end``; the spooled window says so.
    """
    account, end = run.account, run.end
    if account != PROVIDER:
        raise ValueError(f"unknown FX provider {account!r}; expected {PROVIDER!r}")
    # A rate carries forward into the window from up to carry_forward_days before it: pull
    # those days too, so a window opening on a weekend or holiday has its first day's rate.
    pull_start = run.start - timedelta(days=run.settings.fx.carry_forward_days)

    def pull(writer: SpoolWriter) -> None:
        text = run.client.fetch_history_csv(account)
        records = parse_history_csv(text, account, pull_start, end)
        for offset in range(0, len(records), PAGE_SIZE):
            writer.write_page(records[offset : offset + PAGE_SIZE])

    return [run.unit(ECB_RATES, pull, window=(pull_start, end))]
