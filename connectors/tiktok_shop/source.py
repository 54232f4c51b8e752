"""TikTok Shop affiliate orders as a pipeline source (one account = one shop cipher)."""

from connectors.sources import Source
from connectors.tiktok_shop.extract import extract_shop, list_shops
from connectors.tiktok_shop.streams import AFFILIATE_ORDERS

SOURCE = Source(
    name="tiktok_shop",
    streams=(AFFILIATE_ORDERS,),
    accounts=list_shops,
    extract_account=extract_shop,
    lookback_days=lambda settings: settings.tiktok_shop.lookback_days,
    account_settings=("TIKTOK_SHOP_CIPHERS", "TIKTOK_SHOP_ACCESS_TOKEN"),
)
