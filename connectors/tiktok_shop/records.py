"""Turning an orders page into raw-table rows (one per order x SKU line)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from connectors.common.errors import FatalApiError
from connectors.tiktok_shop.errors import PLATFORM
from connectors.tiktok_shop.streams import MONEY_FIELDS

_SKU_TEXT_FIELDS = (
    "product_id",
    "creator_username",
    "content_type",
    "content_id",
    "open_collaboration_id",
    "target_collaboration_id",
    "campaign_id",
    "commission_rate",
    "shop_ads_commission_rate",
)
_SKU_INT_FIELDS = ("quantity", "refunded_quantity", "returned_quantity")


def order_rows(orders: list[dict[str, Any]], shop_cipher: str, zone: ZoneInfo) -> list[dict]:
    """Flatten one page of ``data.orders`` into rows of ``raw.tiktok_shop__affiliate_orders``.

    Args:
        orders: The page's order objects as the API sent them.
        shop_cipher: The shop the page belongs to (the account column).
        zone: Time zone whose calendar day of ``create_time`` is ``create_date``.

    Returns:
        One dict per SKU line, ids and money amounts as strings, numbers as integers.

    Raises:
        FatalApiError: An order lacks ``id`` or ``create_time`` (not the documented shape).
    """
    rows = []
    for order in orders:
        try:
            order_id, created = str(order["id"]), int(order["create_time"])
        except (KeyError, TypeError, ValueError):
            raise FatalApiError(
                f"{PLATFORM} sent an order without id or create_time for shop {shop_cipher}; "
                "is TIKTOK_SHOP_BASE_URL the Open API?",
                platform=PLATFORM,
                account=shop_cipher,
            ) from None
        head = {
            "shop_cipher": shop_cipher,
            "order_id": order_id,
            "create_date": datetime.fromtimestamp(created, zone).date().isoformat(),
            "create_time": created,
            "delivery_time": _int(order.get("delivery_time")),
            "order_status": _text(order.get("status")),
        }
        for number, sku in enumerate(order.get("skus") or [], start=1):
            rows.append({**head, "line_number": number, **_sku_columns(sku)})
    return rows


def _sku_columns(sku: dict[str, Any]) -> dict[str, Any]:
    columns: dict[str, Any] = {name: _text(sku.get(name)) for name in _SKU_TEXT_FIELDS}
    columns.update((name, _int(sku.get(name))) for name in _SKU_INT_FIELDS)
    for name in MONEY_FIELDS:
        money = sku.get(name) if isinstance(sku.get(name), dict) else {}
        columns[f"{name}_amount"] = _text(money.get("amount"))
        columns[f"{name}_currency"] = _text(money.get("currency"))
    return columns


def _text(value: Any) -> str | None:
    """Strings as sent; numbers (ids or amounts sent unquoted) as their shortest exact text."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int(value)
