"""Affiliate orders: facts drawn from the seed, and their state at a given moment.

An order's *facts* (time, creator, content, products, quantities and its fate: cancelled,
partly refunded, returned) are a pure function of (seed, shop, UTC day). What the API shows
(status, delivery time, refunded quantities, estimated vs actual commission) is a pure
function of those facts and "now", so a later pull sees orders move on exactly as the ground
truth says. Money is kept in integer minor units; commission rounds half up to the cent.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sandbox.tiktok_shop.scenario import Lifecycle, Product, Shop, ShopScenario

HOUR = 3600
DAY = 86400

PROCESSING = "PROCESSING"
COMPLETED = "COMPLETED"
CANCELLED = "CANCELLED"

#: How an order came about (its true channel; see :mod:`sandbox.tiktok_shop.channels`).
AFFILIATE_CONTENT = "affiliate_content"


@dataclass(frozen=True)
class LineFacts:
    """One SKU line of an order, as drawn."""

    product: Product
    quantity: int
    creator_username: str
    content_type: str
    content_id: str
    refund_units: int
    returned: bool
    target_collaboration_id: str | None
    via_shop_ads: bool = False

    @property
    def applied_rate(self) -> int:
        """The commission rate of the line: the Shop Ads rate for an order generated through
        Shop Ads when the product has one, else the standard rate."""
        if self.via_shop_ads and self.product.shop_ads_commission_rate:
            return self.product.shop_ads_commission_rate
        return self.product.commission_rate


@dataclass(frozen=True)
class OrderFacts:
    """One order, as drawn; times are unix seconds.

    Attributes:
        channel: How the order came about (``affiliate_content`` unless a channel module
            drew it).
        ad_id: The Spark Ad or GMV Max campaign whose ad the buyer came through, if any.
    """

    order_id: str
    shop: Shop
    create_time: int
    cancelled: bool
    cancel_after: int
    delivery_after: int
    complete_after_delivery: int
    lines: tuple[LineFacts, ...]
    channel: str = AFFILIATE_CONTENT
    ad_id: str | None = None

    @property
    def gross_cents(self) -> int:
        """Price x quantity over the lines, as paid (before cancellation or refunds)."""
        return sum(line.product.price_cents * line.quantity for line in self.lines)


@dataclass(frozen=True)
class LineState:
    """A line as the API shows it at some moment; money in minor units."""

    facts: LineFacts
    refunded_quantity: int
    returned_quantity: int
    estimated_commission_base: int
    estimated_paid_commission: int
    actual_commission_base: int | None
    actual_paid_commission: int | None


@dataclass(frozen=True)
class OrderState:
    """An order as the API shows it at some moment."""

    facts: OrderFacts
    status: str
    delivery_time: int | None
    lines: tuple[LineState, ...]


def commission_cents(base_cents: int, rate: int) -> int:
    """``base × rate / 10 000`` (rate in hundredths of a percent), rounded half up to a cent."""
    return (base_cents * rate + 5000) // 10000


def unix(moment: datetime) -> int:
    """Unix seconds of an aware datetime."""
    return int(moment.timestamp())


def _hours(rng: random.Random, bounds: tuple[int, int]) -> int:
    return rng.randint(*bounds) * HOUR + rng.randrange(HOUR)


def _draw_line(
    rng: random.Random, scenario: ShopScenario, shop: Shop, creator_index: int, product: Product
) -> LineFacts:
    creator = scenario.creators[creator_index]
    live = bool(creator.live_room_ids) and rng.random() < 0.35
    content_id = rng.choice(creator.live_room_ids if live else creator.video_ids)
    target = f"70{shop.shop_id[-4:]}{creator.identity_id[-6:]}" if creator_index == 0 else None
    return LineFacts(
        product=product,
        quantity=rng.choice((1, 1, 1, 2, 2, 3)),
        creator_username=creator.username,
        content_type="LIVE" if live else "VIDEO",
        content_id=content_id,
        refund_units=0,
        returned=False,
        target_collaboration_id=target,
    )


def _draw_order(
    rng: random.Random, scenario: ShopScenario, shop: Shop, order_id: str, create_time: int
) -> OrderFacts:
    creator_index = rng.randrange(len(scenario.creators))
    products = rng.sample(shop.products, 2 if rng.random() < 0.25 else 1)
    lines = [_draw_line(rng, scenario, shop, creator_index, p) for p in products]
    return draw_fate(rng, scenario.lifecycle, shop, order_id, create_time, lines)


def draw_fate(
    rng: random.Random,
    lifecycle: Lifecycle,
    shop: Shop,
    order_id: str,
    create_time: int,
    lines: list[LineFacts],
    *,
    channel: str = AFFILIATE_CONTENT,
    ad_id: str | None = None,
) -> OrderFacts:
    """An order of drawn ``lines``, with its fate (cancelled, refunded) and timing drawn."""
    cancelled = rng.random() < 0.08
    if not cancelled and rng.random() < 0.15:
        index = rng.randrange(len(lines))
        lines[index] = replace(lines[index], refund_units=1, returned=rng.random() < 0.5)
    return OrderFacts(
        order_id=order_id,
        shop=shop,
        create_time=create_time,
        cancelled=cancelled,
        cancel_after=_hours(rng, lifecycle.cancel_hours),
        delivery_after=_hours(rng, lifecycle.delivery_hours),
        complete_after_delivery=_hours(rng, lifecycle.complete_hours_after_delivery),
        lines=tuple(lines),
        channel=channel,
        ad_id=ad_id,
    )


def orders_on(scenario: ShopScenario, seed: int, shop: Shop, day: date) -> list[OrderFacts]:
    """Every affiliate-content order the shop receives on UTC ``day``, by ``create_time``."""
    rng = random.Random(f"tiktok_shop:{seed}:{shop.shop_id}:{day.isoformat()}")
    start = unix(datetime(day.year, day.month, day.day, tzinfo=UTC))
    times = sorted(start + rng.randrange(DAY) for _ in range(rng.randint(5, 11)))
    shop_no = scenario.all_shops.index(shop) + 1
    return [
        _draw_order(rng, scenario, shop, f"57696{shop_no}{day.toordinal():07d}{seq:05d}", t)
        for seq, t in enumerate(times, start=1)
    ]


def orders_between(
    scenario: ShopScenario, seed: int, shop: Shop, ge: int, lt: int
) -> Iterator[OrderFacts]:
    """Affiliate-content orders with ``ge <= create_time < lt`` (unix seconds), oldest first."""
    if lt <= ge:
        return
    day = datetime.fromtimestamp(ge, UTC).date()
    last = datetime.fromtimestamp(lt - 1, UTC).date()
    while day <= last:
        for order in orders_on(scenario, seed, shop, day):
            if ge <= order.create_time < lt:
                yield order
        day += timedelta(days=1)


def order_state(order: OrderFacts, now: int, lifecycle: Lifecycle) -> OrderState | None:
    """What the API shows for ``order`` at unix second ``now`` (None before it exists)."""
    if order.create_time >= now:
        return None
    age = now - order.create_time
    if order.cancelled and age >= order.cancel_after:
        lines = tuple(LineState(line, line.quantity, 0, 0, 0, None, None) for line in order.lines)
        return OrderState(order, CANCELLED, None, lines)
    delivered = age >= order.delivery_after
    since_delivery = age - order.delivery_after
    refunds_due = delivered and since_delivery >= lifecycle.refund_hours_after_delivery * HOUR
    completed = delivered and since_delivery >= order.complete_after_delivery
    return OrderState(
        facts=order,
        status=COMPLETED if completed else PROCESSING,
        delivery_time=order.create_time + order.delivery_after if delivered else None,
        lines=tuple(_line_state(line, refunds_due, completed) for line in order.lines),
    )


def _line_state(line: LineFacts, refunds_due: bool, completed: bool) -> LineState:
    refunded = line.refund_units if refunds_due else 0
    base = line.product.price_cents * (line.quantity - refunded)
    paid = commission_cents(base, line.applied_rate)
    return LineState(
        facts=line,
        refunded_quantity=refunded,
        returned_quantity=refunded if line.returned else 0,
        estimated_commission_base=base,
        estimated_paid_commission=paid,
        actual_commission_base=base if completed else None,
        actual_paid_commission=paid if completed else None,
    )
