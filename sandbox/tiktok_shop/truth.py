"""Ground truth of the Shop stand-in, computed from the generator (never from the server).

Two grains, both as of a given "now" (orders progress over time):

* :func:`order_line_truth`: one row per order x SKU line, in the shape of the connector's raw
  table ``raw.tiktok_shop__affiliate_orders`` (money as exact :class:`~decimal.Decimal`).
* :func:`creator_day_truth`: per day x shop x creator: ``orders`` (distinct orders that are not
  cancelled), ``gmv`` (price x (quantity - refunded quantity) of those), ``estimated_commission``
  and ``actual_commission`` (the paid commission fields summed; actual only once completed).

A "day" is a calendar day of ``create_time`` in the time zone given (default UTC).

Beyond the order book, :func:`channel_order_truth` lists every order of every shop (authorized
or not) with its true channel and the reports that count it, and :func:`spark_overlap_truth`
says how much of each Spark Ad's reported Shop revenue the loaded order book also holds (what
creator-driven revenue counts twice). Their days are the advertiser's days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.tiktok.generator import gmv_metrics
from sandbox.tiktok_shop import channels
from sandbox.tiktok_shop.generator import (
    CANCELLED,
    LineState,
    OrderState,
    order_state,
    unix,
)
from sandbox.tiktok_shop.scenario import ShopScenario, build_scenario


def _cents(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).scaleb(-2)


def day_bounds(start: date, end: date, tz: str = "UTC") -> tuple[int, int]:
    """Unix seconds [``start`` 00:00, day after ``end`` 00:00) in time zone ``tz``."""
    zone = ZoneInfo(tz)
    first = datetime(start.year, start.month, start.day, tzinfo=zone)
    after = end + timedelta(days=1)
    return unix(first), unix(datetime(after.year, after.month, after.day, tzinfo=zone))


def order_states(
    seed: int,
    start: date,
    end: date,
    now: datetime,
    *,
    tz: str = "UTC",
    scenario: ShopScenario | None = None,
) -> Iterator[OrderState]:
    """Every order-book order of every authorized shop created on days ``start..end`` (in
    ``tz``), as of ``now``."""
    scenario = scenario or build_scenario()
    ge, lt = day_bounds(start, end, tz)
    for shop in scenario.shops:
        for order in channels.order_book_between(scenario, seed, shop, ge, lt):
            state = order_state(order, unix(now), scenario.lifecycle)
            if state is not None:
                yield state


def _line_row(state: OrderState, number: int, line: LineState, tz: str) -> dict[str, Any]:
    facts, order = line.facts, state.facts
    currency = order.shop.currency
    return {
        "shop_cipher": order.shop.cipher,
        "order_id": order.order_id,
        "line_number": number,
        "create_date": datetime.fromtimestamp(order.create_time, ZoneInfo(tz)).date(),
        "create_time": order.create_time,
        "delivery_time": state.delivery_time,
        "order_status": state.status,
        "product_id": facts.product.product_id,
        "quantity": facts.quantity,
        "price": _cents(facts.product.price_cents),
        "currency": currency,
        "creator_username": facts.creator_username,
        "content_type": facts.content_type,
        "content_id": facts.content_id,
        "commission_rate": str(facts.product.commission_rate),
        "shop_ads_commission_rate": str(
            facts.product.shop_ads_commission_rate if facts.via_shop_ads else 0
        ),
        "estimated_commission_base": _cents(line.estimated_commission_base),
        "estimated_paid_commission": _cents(line.estimated_paid_commission),
        "actual_commission_base": _cents(line.actual_commission_base),
        "actual_paid_commission": _cents(line.actual_paid_commission),
        "refunded_quantity": line.refunded_quantity,
        "returned_quantity": line.returned_quantity,
    }


def order_line_truth(
    seed: int,
    start: date,
    end: date,
    now: datetime,
    *,
    tz: str = "UTC",
    scenario: ShopScenario | None = None,
) -> list[dict[str, Any]]:
    """One row per order x SKU line (``line_number`` from 1, in the API's ``skus`` order)."""
    return [
        _line_row(state, number, line, tz)
        for state in order_states(seed, start, end, now, tz=tz, scenario=scenario)
        for number, line in enumerate(state.lines, start=1)
    ]


def creator_day_truth(
    seed: int,
    start: date,
    end: date,
    now: datetime,
    *,
    tz: str = "UTC",
    scenario: ShopScenario | None = None,
) -> list[dict[str, Any]]:
    """Per (day, shop, creator): orders, GMV and commissions; see the module docstring."""
    groups: dict[tuple[date, str, str, str], dict[str, Any]] = defaultdict(
        lambda: {
            "orders": set(),
            "gmv": Decimal("0.00"),
            "estimated_commission": Decimal("0.00"),
            "actual_commission": Decimal("0.00"),
        }
    )
    for row in order_line_truth(seed, start, end, now, tz=tz, scenario=scenario):
        if row["order_status"] == CANCELLED:
            continue
        key = (row["create_date"], row["shop_cipher"], row["currency"], row["creator_username"])
        group = groups[key]
        group["orders"].add(row["order_id"])
        group["gmv"] += row["price"] * (row["quantity"] - row["refunded_quantity"])
        group["estimated_commission"] += row["estimated_paid_commission"]
        group["actual_commission"] += row["actual_paid_commission"] or Decimal("0.00")
    return [
        {
            "date": day,
            "shop_cipher": cipher,
            "currency": currency,
            "creator_username": username,
            **{**group, "orders": len(group["orders"])},
        }
        for (day, cipher, currency, username), group in sorted(groups.items())
    ]


def _local_days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def channel_order_truth(seed: int, start: date, end: date, now: datetime) -> list[dict[str, Any]]:
    """Every order of every shop placed by ``now`` on advertiser days ``start..end``.

    Returns:
        One row per order: ``shop_cipher``, ``advertiser_id``, ``currency``, ``date`` (the
        advertiser's day), ``order_id``, ``channel``, ``gross`` (price x quantity as paid),
        ``in_order_book`` (the Shop API serves it), ``spark_ad_id`` (the Spark Ad whose report
        counts it at ``now``, else None) and ``gmv_max_campaign_id`` (the GMV Max campaign whose
        report counts it, else None).
    """
    scenario = build_scenario()
    rows = []
    for shop in scenario.all_shops:
        zone = channels._timezone(shop)
        for day in _local_days(start, end):
            spark = {
                order.order_id: ad.ad_id
                for ad in channels.spark_shop_ads(shop)
                for placement in ad.placements
                for order in channels.spark_counted(seed, shop, ad, day, placement, now)
            }
            gmv = {
                order.order_id: campaign.campaign_id
                for campaign in channels.gmv_max_campaigns(shop)
                if gmv_metrics(seed, day, campaign) is not None
                for order in channels.gmv_max_counted(seed, campaign, day, now) or []
            }
            ge, lt = channels._local_bounds(zone, day)
            for order in channels.shop_orders_between(scenario, seed, shop, ge, min(lt, unix(now))):
                rows.append(
                    {
                        "shop_cipher": shop.cipher,
                        "advertiser_id": shop.advertiser_id,
                        "currency": shop.currency,
                        "date": day,
                        "order_id": order.order_id,
                        "channel": order.channel,
                        "gross": _cents(order.gross_cents),
                        "in_order_book": scenario.is_authorized(shop)
                        and order.channel in channels.ORDER_BOOK_CHANNELS,
                        "spark_ad_id": spark.get(order.order_id),
                        "gmv_max_campaign_id": gmv.get(order.order_id),
                    }
                )
    return rows


def spark_overlap_truth(
    seed: int,
    start: date,
    end: date,
    now: datetime,
    *,
    order_book_window: tuple[int, int] | None = None,
) -> list[dict[str, Any]]:
    """Per Spark Ad selling for a shop and advertiser day: the Shop revenue its report shows
    at ``now`` (``spark_revenue``) and the part of it whose orders the loaded order book also
    holds (``in_order_book``: orders of authorized shops created inside ``order_book_window``,
    unix seconds ``[ge, lt)`` of the pulled order search; None = every order).

    Returns:
        Rows with ``advertiser_id``, ``currency``, ``ad_id``, ``identity_id``, ``date``,
        ``spark_revenue`` and ``in_order_book``, for days with revenue.
    """
    scenario = build_scenario()
    rows = []
    for shop in scenario.all_shops:
        for ad in channels.spark_shop_ads(shop):
            for day in _local_days(start, end):
                counted = [
                    order
                    for placement in ad.placements
                    for order in channels.spark_counted(seed, shop, ad, day, placement, now)
                ]
                if not counted:
                    continue
                loaded = [
                    order
                    for order in counted
                    if scenario.is_authorized(shop)
                    and (
                        order_book_window is None
                        or order_book_window[0] <= order.create_time < order_book_window[1]
                    )
                ]
                rows.append(
                    {
                        "advertiser_id": shop.advertiser_id,
                        "currency": shop.currency,
                        "ad_id": ad.ad_id,
                        "identity_id": ad.identity_id,
                        "date": day,
                        "spark_revenue": _cents(sum(order.gross_cents for order in counted)),
                        "in_order_book": _cents(sum(order.gross_cents for order in loaded)),
                    }
                )
    return rows
