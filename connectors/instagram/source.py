"""Instagram media insights as a pipeline source: one account, the brand's Instagram account."""

from connectors.instagram.extract import extract_account, list_accounts
from connectors.instagram.streams import STREAMS
from connectors.sources import Source

SOURCE = Source(
    name="instagram",
    streams=STREAMS,
    accounts=list_accounts,
    extract_account=extract_account,
    # Lifetime insights of a fixed set of media: the report window does not apply.
    lookback_days=lambda settings: 0,
    account_settings=("INSTAGRAM_BUSINESS_ACCOUNT_ID",),
)
