"""TikTok Shop Open API client: signed requests on the shared session, ``page_token`` paging."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests

from connectors.common.errors import FatalApiError
from connectors.common.http import ApiSession
from connectors.tiktok_shop.errors import PLATFORM, make_classifier
from connectors.tiktok_shop.signing import make_signer
from connectors.tiktok_shop.streams import ORDERS_SEARCH_PATH, SHOPS_PATH
from socialmart.settings import HttpSettings, TikTokShopSettings

log = logging.getLogger(__name__)

TOKEN_HEADER = "x-tts-access-token"


class TikTokShopClient:
    """Talks to ``{base_url}`` with the token in ``x-tts-access-token`` and signed queries.

    Args:
        shop: TikTok Shop settings (base URL, app key and secret, token, page size, codes).
        http: Shared HTTP settings (timeouts, retries, backoff).
        session: Optional ``requests.Session`` to send through (tests, connection reuse).
        sleep: Replaces ``time.sleep`` (tests).
        clock: Replaces ``time.time``; also the signature timestamp (tests).
        jitter: Replaces ``random.random`` (tests).
    """

    def __init__(
        self,
        shop: TikTokShopSettings,
        http: HttpSettings,
        session: requests.Session | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.settings = shop
        self._api = ApiSession(
            PLATFORM,
            shop.base_url,
            http,
            make_classifier(shop),
            sign=make_signer(shop.app_key, shop.app_secret, clock),
            headers={TOKEN_HEADER: shop.access_token},
            session=session,
            sleep=sleep,
            clock=clock,
            jitter=jitter,
        )

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self._api.request_count

    def close(self) -> None:
        """Release the connection pool."""
        self._api.close()

    def list_shop_ciphers(self) -> list[str]:
        """The ``cipher`` of every shop that authorized the app (``GET`` :data:`SHOPS_PATH`)."""
        data = self._data(self._api.get(SHOPS_PATH), SHOPS_PATH, None)
        shops = data.get("shops") or []
        return list(dict.fromkeys(str(s["cipher"]) for s in shops if s.get("cipher")))

    def order_pages(
        self, shop_cipher: str, create_time_ge: int, create_time_lt: int
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield ``data.orders`` of every page of the shop's affiliate orders in a time range.

        Follows ``next_page_token`` until it is empty or absent.

        Args:
            shop_cipher: The shop.
            create_time_ge: First unix second (inclusive).
            create_time_lt: End unix second (exclusive).

        Yields:
            Each page's order objects, possibly empty.
        """
        body = {"create_time_ge": create_time_ge, "create_time_lt": create_time_lt}
        query = {"page_size": str(self.settings.page_size), "shop_cipher": shop_cipher}
        seen: set[str] = set()
        while True:
            answer = self._api.request(
                "POST", ORDERS_SEARCH_PATH, query, account=shop_cipher, json_body=body
            )
            data = self._data(answer, ORDERS_SEARCH_PATH, shop_cipher)
            yield list(data.get("orders") or [])
            token = data.get("next_page_token") or ""
            if not token:
                return
            if token in seen:
                raise FatalApiError(
                    f"{PLATFORM} paging repeats a page token for shop {shop_cipher}; "
                    "restart the extract.",
                    platform=PLATFORM,
                    account=shop_cipher,
                )
            seen.add(token)
            query = {**query, "page_token": token}

    @staticmethod
    def _data(body: Any, path: str, account: str | None) -> dict[str, Any]:
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise FatalApiError(
                f"{PLATFORM} answered {path} without a data object; is TIKTOK_SHOP_BASE_URL "
                "the Open API host?",
                platform=PLATFORM,
                account=account,
            )
        return data
