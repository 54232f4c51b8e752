"""TikTok Shop Open API client: signed requests on the shared client, ``page_token`` paging."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from connectors.common.client import ApiClient
from connectors.common.streams import CURSOR
from connectors.tiktok_shop.errors import PLATFORM, make_classifier
from connectors.tiktok_shop.signing import make_signer
from connectors.tiktok_shop.streams import AFFILIATE_ORDERS, ORDERS_SEARCH_PATH, SHOPS_PATH
from socialmart.settings import HttpSettings, TikTokShopSettings

TOKEN_HEADER = "x-tts-access-token"


class TikTokShopClient(ApiClient):
    """Talks to ``{base_url}`` with the token in ``x-tts-access-token`` and signed queries.

    Every answer is the ``data`` object of the Open API envelope (errors are classified first).

    Args:
        shop: TikTok Shop settings (base URL, app key and secret, token, page size, codes).
        http: Shared HTTP settings (timeouts, retries, backoff).
        clock: Replaces ``time.time``; also the signature timestamp (tests).
        **options: ``session``, ``sleep``, ``jitter`` (tests; see
            :class:`~connectors.common.client.ApiClient`).
    """

    envelope = "data"
    endpoint = "the Open API host"
    paginator = CURSOR

    def __init__(
        self,
        shop: TikTokShopSettings,
        http: HttpSettings,
        *,
        clock: Callable[[], float] = time.time,
        **options: Any,
    ) -> None:
        self.settings = shop
        super().__init__(
            PLATFORM,
            shop.base_url,
            http,
            make_classifier(shop),
            sign=make_signer(shop.app_key, shop.app_secret, clock),
            headers={TOKEN_HEADER: shop.access_token},
            clock=clock,
            **options,
        )

    def list_shop_ciphers(self) -> list[str]:
        """The ``cipher`` of every shop that authorized the app (``GET`` :data:`SHOPS_PATH`)."""
        shops = self.get(SHOPS_PATH).get("shops") or []
        return list(dict.fromkeys(str(s["cipher"]) for s in shops if s.get("cipher")))

    def order_pages(
        self, shop_cipher: str, create_time_ge: int, create_time_lt: int
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield ``data.orders`` of every page of the shop's affiliate orders in a time range.

        Follows ``next_page_token`` until it is empty or absent; a token seen twice is a loop
        and stops the extract.

        Args:
            shop_cipher: The shop.
            create_time_ge: First unix second (inclusive).
            create_time_lt: End unix second (exclusive).

        Yields:
            Each page's order objects, possibly empty.
        """
        body = {"create_time_ge": create_time_ge, "create_time_lt": create_time_lt}
        query = {"page_size": str(self.settings.page_size), "shop_cipher": shop_cipher}

        def fetch(token: str | None) -> dict[str, Any]:
            page = {**query, "page_token": token} if token else query
            return self.request(
                "POST", ORDERS_SEARCH_PATH, page, account=shop_cipher, json_body=body
            )

        return self.follow(
            None,
            fetch,
            lambda answer: list(answer.get(AFFILIATE_ORDERS.records_path) or []),
            lambda answer, _: answer.get("next_page_token") or None,
            shop_cipher,
            lambda _: (
                f"{PLATFORM} paging repeats a page token for shop {shop_cipher}; "
                "restart the extract."
            ),
        )
