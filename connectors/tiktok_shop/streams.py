"""TikTok Shop streams, declared as data and registered for the generic loader."""

from __future__ import annotations

from connectors.common.streams import (
    CURSOR,
    NUMERIC_TEXT,
    Column,
    ColumnDeclaration,
    StreamSpec,
    register,
)

SOURCE = "tiktok_shop"
SOURCE_LABEL = "tiktok_shop_open_api"
ORDERS_SEARCH_PATH = "/affiliate_seller/202410/orders/search"
SHOPS_PATH = "/authorization/202309/shops"

MONEY_FIELDS = (
    "price",
    "estimated_commission_base",
    "estimated_paid_commission",
    "actual_commission_base",
    "actual_paid_commission",
)

# One row per order x SKU line. ``line_number`` is the line's 1-based position in ``skus``
# (the API has no SKU line id, and one order may hold the same product twice); every pull
# returns whole orders, so the latest version of each line is always the API's current one.
# Money objects become ``<field>_amount`` (the API's string, never a float) and
# ``<field>_currency``; ``commission_rate`` stays the API's string (hundredths of a percent).
_COUNT = Column("INTEGER", numeric=True)
_AFFILIATE_ORDER_COLUMNS: dict[str, ColumnDeclaration] = {
    "shop_cipher": "VARCHAR",
    "order_id": "VARCHAR",
    "line_number": "INTEGER",
    "create_date": "DATE",
    "create_time": "BIGINT",
    "delivery_time": "BIGINT",
    "order_status": "VARCHAR",
    "product_id": "VARCHAR",
    "quantity": _COUNT,
    "creator_username": "VARCHAR",
    "content_type": "VARCHAR",
    "content_id": "VARCHAR",
    "open_collaboration_id": "VARCHAR",
    "target_collaboration_id": "VARCHAR",
    "campaign_id": "VARCHAR",
    "commission_rate": NUMERIC_TEXT,
    "shop_ads_commission_rate": NUMERIC_TEXT,
    **{
        f"{name}_{part}": kind
        for name in MONEY_FIELDS
        for part, kind in (("amount", NUMERIC_TEXT), ("currency", "VARCHAR"))
    },
    "refunded_quantity": _COUNT,
    "returned_quantity": _COUNT,
}

AFFILIATE_ORDERS = register(
    StreamSpec(
        name="affiliate_orders",
        source=SOURCE,
        source_label=SOURCE_LABEL,
        columns=_AFFILIATE_ORDER_COLUMNS,
        key=("shop_cipher", "order_id", "line_number"),
        window_column="create_date",
        account_column="shop_cipher",
        path=ORDERS_SEARCH_PATH,
        paginator=CURSOR,
        records_path="orders",
    )
)
