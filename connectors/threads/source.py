"""Threads API as a pipeline source: one account per configured profile."""

from connectors.sources import Source
from connectors.threads.extract import extract_account, list_profiles
from connectors.threads.streams import STREAMS

SOURCE = Source(
    name="threads",
    streams=STREAMS,
    accounts=list_profiles,
    extract_account=extract_account,
    lookback_days=lambda settings: settings.threads.lookback_days,
    account_settings=("THREADS_PROFILES", "THREADS_ACCESS_TOKENS"),
)
