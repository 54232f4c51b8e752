"""TikTok API for Business (ads, reports, GMV Max) as a pipeline source."""

from connectors.sources import Source
from connectors.tiktok.extract import extract_account, list_advertisers
from connectors.tiktok.streams import STREAMS

SOURCE = Source(
    name="tiktok",
    streams=STREAMS,
    accounts=list_advertisers,
    extract_account=extract_account,
    lookback_days=lambda settings: settings.tiktok.lookback_days,
    account_settings=("TIKTOK_ADVERTISER_IDS", "TIKTOK_APP_ID", "TIKTOK_APP_SECRET"),
)
