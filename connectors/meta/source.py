"""Meta Marketing API as a pipeline source."""

from connectors.meta.extract import extract_account, list_accounts
from connectors.meta.streams import ENTITY_STREAMS, INSIGHTS_STREAMS
from connectors.sources import Source

SOURCE = Source(
    name="meta",
    streams=(*ENTITY_STREAMS, *INSIGHTS_STREAMS),
    accounts=list_accounts,
    extract_account=extract_account,
    lookback_days=lambda settings: settings.meta.lookback_days,
    account_settings=("META_AD_ACCOUNT_IDS", "META_ACCESS_TOKEN"),
)
