"""Orders in the API's JSON shape (``SearchSellerAffiliateOrdersResponseDataOrders``)."""

from __future__ import annotations

from typing import Any

from sandbox.tiktok_shop.generator import LineState, OrderState


def amount(cents: int, *, trim: bool = False) -> str:
    """Minor units as a decimal string: ``990 -> "9.90"``; ``trim`` writes ``9900 -> "99"``."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    if trim and rest == 0:
        return f"{sign}{units}"
    return f"{sign}{units}.{rest:02d}"


def money(cents: int, currency: str, *, trim: bool = False) -> dict[str, str]:
    """``{"amount": "<string>", "currency": "USD"}``, the API's money object."""
    return {"amount": amount(cents, trim=trim), "currency": currency}


def _sku(line: LineState, currency: str) -> dict[str, Any]:
    facts = line.facts
    sku: dict[str, Any] = {
        "product_id": facts.product.product_id,
        "quantity": facts.quantity,
        # Whole prices come without decimals ("99"), as in TikTok's own sample.
        "price": money(facts.product.price_cents, currency, trim=True),
        "creator_username": facts.creator_username,
        "content_type": facts.content_type,
        "content_id": facts.content_id,
        "open_collaboration_id": f"7012{facts.product.product_id[-8:]}",
        "commission_rate": str(facts.product.commission_rate),
        # The Shop Ads rate shows on lines of orders generated through Shop Ads only.
        "shop_ads_commission_rate": str(
            facts.product.shop_ads_commission_rate if facts.via_shop_ads else 0
        ),
        "estimated_commission_base": money(line.estimated_commission_base, currency),
        "estimated_paid_commission": money(line.estimated_paid_commission, currency),
        "refunded_quantity": line.refunded_quantity,
        "returned_quantity": line.returned_quantity,
    }
    if facts.target_collaboration_id:
        sku["target_collaboration_id"] = facts.target_collaboration_id
    if line.actual_commission_base is not None:
        sku["actual_commission_base"] = money(line.actual_commission_base, currency)
    if line.actual_paid_commission is not None:
        sku["actual_paid_commission"] = money(line.actual_paid_commission, currency)
    return sku


def order_json(state: OrderState) -> dict[str, Any]:
    """One order object; ``delivery_time`` only once delivered, ``actual_*`` once completed."""
    facts = state.facts
    order: dict[str, Any] = {
        "id": facts.order_id,
        "create_time": facts.create_time,
        "status": state.status,
        "skus": [_sku(line, facts.shop.currency) for line in state.lines],
    }
    if state.delivery_time is not None:
        order["delivery_time"] = state.delivery_time
    return order
