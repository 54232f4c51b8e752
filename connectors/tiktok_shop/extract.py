"""Extracting TikTok Shop affiliate orders into the spool folder, shop by shop.

A report day is a calendar day in ``TIKTOK_SHOP_TIMEZONE`` (default UTC): the window
``start..end`` is requested as ``create_time_ge`` = ``start`` 00:00 and ``create_time_lt`` =
the day after ``end`` 00:00 in that zone, in unix seconds. The API has no update-time filter, so
orders are re-pulled by creation time over the lookback to pick up status and commission changes.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from connectors.common.extract import AccountRun, account_extract, client_for
from connectors.common.spool import SpoolWriter
from connectors.tiktok_shop.client import TikTokShopClient
from connectors.tiktok_shop.records import order_rows
from connectors.tiktok_shop.streams import AFFILIATE_ORDERS
from socialmart.settings import Settings

log = logging.getLogger(__name__)


def window_bounds(start: date, end: date, zone: ZoneInfo) -> tuple[int, int]:
    """Unix seconds [``start`` 00:00, day after ``end`` 00:00) in ``zone`` (DST-exact)."""
    after = end + timedelta(days=1)
    first = datetime(start.year, start.month, start.day, tzinfo=zone)
    last = datetime(after.year, after.month, after.day, tzinfo=zone)
    return int(first.timestamp()), int(last.timestamp())


def list_shops(settings: Settings, client: TikTokShopClient | None = None) -> list[str]:
    """The shops to pull: ``TIKTOK_SHOP_CIPHERS``, else every shop that authorized the app."""
    if settings.tiktok_shop.shop_ciphers:
        return list(settings.tiktok_shop.shop_ciphers)
    build = partial(TikTokShopClient, settings.tiktok_shop, settings.http)
    with client_for(client, build) as api:
        return api.list_shop_ciphers()


@account_extract(lambda settings, shop: TikTokShopClient(settings.tiktok_shop, settings.http))
def extract_shop(run: AccountRun[TikTokShopClient]) -> list[Path]:
    """Pull one shop's (the account's) affiliate orders created on ``start..end`` into the spool.

    Pages land in ``<spool_dir>/<run_id>/tiktok_shop/affiliate_orders/<shop_cipher>/`` with the
    manifest written last, so a shop that failed half-way leaves nothing loadable.

    Days are ``TIKTOK_SHOP_TIMEZONE`` days.
    """
    shop_cipher, zone = run.account, ZoneInfo(run.settings.tiktok_shop.timezone)
    ge, lt = window_bounds(run.start, run.end, zone)
    log.info("TikTok Shop %s: affiliate orders %s..%s", shop_cipher, run.start, run.end)

    def pull(writer: SpoolWriter) -> None:
        for orders in run.client.order_pages(shop_cipher, ge, lt):
            writer.write_page(order_rows(orders, shop_cipher, zone))

    return [run.unit(AFFILIATE_ORDERS, pull)]
