"""ECB euro reference rates as a pipeline source (one pseudo-account, ``ecb``)."""

from connectors.fx.extract import extract_account, list_accounts
from connectors.fx.streams import ECB_RATES
from connectors.sources import Source

SOURCE = Source(
    name="fx",
    streams=(ECB_RATES,),
    accounts=list_accounts,
    extract_account=extract_account,
    lookback_days=lambda settings: 0,  # the extract reaches back FX_CARRY_FORWARD_DAYS itself
    account_settings=("FX_RATES_URL",),
)
