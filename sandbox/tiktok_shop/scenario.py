"""The stand-in's TikTok Shop sellers: shops, products, and how orders progress.

Structure only, as data; :mod:`sandbox.tiktok_shop.generator` derives the orders from the seed.
Creators come from :mod:`sandbox.creators` (``TIKTOK_CREATORS``), shared with the TikTok Ads
stand-in; the shops are the brand's (Nordlicht Apparel). Each shop sells through one TikTok
advertiser (its Spark Ads and GMV Max campaigns; the GMV Max ``store_id`` is the shop id), and
one shop (EU) has not authorized the app: its orders exist, the Shop API never serves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sandbox.creators import TIKTOK_CREATORS, Creator


@dataclass(frozen=True)
class Product:
    """A product a shop sells through affiliates.

    Attributes:
        product_id: 64-bit id as a string.
        price_cents: Unit price in minor units of the shop currency.
        commission_rate: Affiliate commission in hundredths of a percent (1550 = 15.50 %).
        shop_ads_commission_rate: The separate rate for orders generated through Shop Ads on a
            creator's post (0 = none set: such orders earn ``commission_rate``).
    """

    product_id: str
    price_cents: int
    commission_rate: int
    shop_ads_commission_rate: int = 0


@dataclass(frozen=True)
class Shop:
    """One shop of the brand.

    Attributes:
        advertiser_id: The TikTok advertiser whose Shop ads sell for it.
    """

    shop_id: str
    cipher: str
    code: str
    name: str
    region: str
    currency: str
    products: tuple[Product, ...]
    advertiser_id: str


@dataclass(frozen=True)
class Lifecycle:
    """When orders move on, in hours after ``create_time`` (all well inside a 7-day lookback).

    Attributes:
        cancel_hours: Range of delays after which a cancelled order shows ``CANCELLED``.
        delivery_hours: Range of delays until delivery (``delivery_time`` appears).
        refund_hours_after_delivery: Delay after delivery until a refund shows.
        complete_hours_after_delivery: Range of delays after delivery until ``COMPLETED`` (the
            actual commission appears).
    """

    cancel_hours: tuple[int, int] = (2, 30)
    delivery_hours: tuple[int, int] = (24, 72)
    refund_hours_after_delivery: int = 24
    complete_hours_after_delivery: tuple[int, int] = (48, 72)


@dataclass(frozen=True)
class ShopScenario:
    """Every shop, the creators who sell for them, and the order lifecycle.

    Attributes:
        shops: Shops that authorized the app (``GET /authorization/202309/shops``).
        unauthorized_shops: Shops whose orders exist but that the app cannot read (no
            order data reaches the warehouse).
    """

    shops: tuple[Shop, ...]
    creators: tuple[Creator, ...]
    lifecycle: Lifecycle
    unauthorized_shops: tuple[Shop, ...] = ()

    def shop(self, cipher: str) -> Shop | None:
        """The authorized shop with ``cipher``, if any."""
        return next((s for s in self.shops if s.cipher == cipher), None)

    @property
    def all_shops(self) -> tuple[Shop, ...]:
        """Authorized shops first, then the others."""
        return self.shops + self.unauthorized_shops

    def shop_of_advertiser(self, advertiser_id: str) -> Shop | None:
        """The shop a TikTok advertiser sells for, authorized or not."""
        return next((s for s in self.all_shops if s.advertiser_id == advertiser_id), None)

    def is_authorized(self, shop: Shop) -> bool:
        """Whether the Shop API serves ``shop``'s orders."""
        return shop in self.shops


@cache
def build_scenario() -> ShopScenario:
    """The default scenario: the brand's US shop (USD) and UK shop (GBP), and an EU shop
    (EUR) the app is not authorized for."""
    us = Shop(
        shop_id="7494001122334455661",
        cipher="ROW_sbxUSnordlicht01",
        code="USLCSBX01",
        name="Nordlicht Apparel US",
        region="US",
        currency="USD",
        products=(
            Product("1729435310697057001", 2499, 1500, 500),
            Product("1729435310697057002", 4950, 1200, 600),
            Product("1729435310697057003", 1299, 2000, 800),
            Product("1729435310697057004", 8900, 1000, 400),
        ),
        advertiser_id="7002238017842757601",
    )
    uk = Shop(
        shop_id="7494001122334455662",
        cipher="ROW_sbxGBnordlicht02",
        code="GBLCSBX02",
        name="Nordlicht Apparel UK",
        region="GB",
        currency="GBP",
        products=(
            Product("1729435310697058001", 1999, 1550, 700),
            Product("1729435310697058002", 3450, 825, 500),
            Product("1729435310697058003", 599, 2500, 900),
        ),
        advertiser_id="7002238017842757603",
    )
    eu = Shop(
        shop_id="7494001122334455663",
        cipher="ROW_sbxDEnordlicht03",
        code="DELCSBX03",
        name="Nordlicht Apparel EU",
        region="DE",
        currency="EUR",
        products=(
            Product("1729435310697059001", 2299, 1400, 500),
            Product("1729435310697059002", 5900, 1000, 600),
        ),
        advertiser_id="7002238017842757602",
    )
    return ShopScenario(
        shops=(us, uk),
        creators=TIKTOK_CREATORS,
        lifecycle=Lifecycle(),
        unauthorized_shops=(eu,),
    )
