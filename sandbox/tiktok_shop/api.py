"""The stand-in TikTok Shop Open API (``open-api.tiktokglobalshop.com``).

Serves ``GET /authorization/202309/shops`` and ``POST /affiliate_seller/202410/orders/search``
(the shop's affiliate orders only: creator content with or without a Spark Ad; see
:mod:`sandbox.tiktok_shop.channels`) with TikTok Shop's envelope, checks ``app_key``, the
access token header, the timestamp and the HMAC signature like the real API, and pages with
opaque ``page_token`` values.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sandbox.faults import FaultRule
from sandbox.routing import Request, Response
from sandbox.tiktok_shop import errors
from sandbox.tiktok_shop.channels import order_book_between
from sandbox.tiktok_shop.errors import ShopError
from sandbox.tiktok_shop.generator import order_state, unix
from sandbox.tiktok_shop.render import order_json
from sandbox.tiktok_shop.scenario import Shop, ShopScenario, build_scenario
from sandbox.tiktok_shop.signing import expected_sign
from socialmart.settings import (
    SANDBOX_TIKTOK_SHOP_ACCESS_TOKEN,
    SANDBOX_TIKTOK_SHOP_APP_KEY,
    SANDBOX_TIKTOK_SHOP_APP_SECRET,
)

HOST = "open-api.tiktokglobalshop.com"
SHOPS_PATH = "/authorization/202309/shops"
ORDERS_PATH = "/affiliate_seller/202410/orders/search"
NOW_ENV_VAR = "SANDBOX_NOW"
DEFAULT_LOOKBACK = timedelta(days=90)
MAX_SPAN = timedelta(days=400)


@dataclass(frozen=True)
class ShopStandInConfig:
    """Credentials the stand-in accepts and its behaviour where the real API is undocumented.

    Attributes:
        app_key: The only ``app_key`` accepted.
        app_secret: Secret the signature is checked with.
        access_token: The only ``x-tts-access-token`` accepted.
        now: The scenario's "now" (orders exist and progress up to it); None = wall clock.
        max_clock_skew_seconds: Accepted distance between ``timestamp`` and the wall clock.
        bad_signature_code: Code answered for a wrong or missing ``sign`` or ``app_key``.
        expired_timestamp_code: Code answered for a missing or skewed ``timestamp``.
        error_http_status: HTTP status of error envelopes (real value unconfirmed).
        omit_last_page_token: On the last page, leave ``next_page_token`` out instead of "".
        wall_clock: Unix seconds, for timestamp checks (tests).
    """

    app_key: str = SANDBOX_TIKTOK_SHOP_APP_KEY
    app_secret: str = field(default=SANDBOX_TIKTOK_SHOP_APP_SECRET, repr=False)
    access_token: str = field(default=SANDBOX_TIKTOK_SHOP_ACCESS_TOKEN, repr=False)
    now: datetime | None = None
    max_clock_skew_seconds: int = 300
    bad_signature_code: int = 106001
    expired_timestamp_code: int = 106002
    error_http_status: int = 200
    omit_last_page_token: bool = False
    wall_clock: Callable[[], float] = time.time

    @classmethod
    def from_env(cls) -> ShopStandInConfig:
        """Defaults, with ``SANDBOX_NOW`` (ISO 8601 with offset) as the scenario's "now"."""
        raw = os.environ.get(NOW_ENV_VAR, "").strip()
        return cls(now=datetime.fromisoformat(raw) if raw else None)


class TikTokShopApi:
    """Serves the seller-side affiliate order search for one scenario and seed.

    Args:
        seed: Data seed.
        config: Credentials and behaviour switches.
        scenario: The shops (default :func:`build_scenario`).
    """

    host = HOST

    def __init__(
        self,
        *,
        seed: int,
        config: ShopStandInConfig | None = None,
        scenario: ShopScenario | None = None,
    ) -> None:
        self.seed = seed
        self.config = config or ShopStandInConfig()
        self.scenario = scenario or build_scenario()
        self._ids = itertools.count(1)

    def handle(self, request: Request, subpath: str, fault: FaultRule | None) -> Response:
        """Answer one request under ``/open-api.tiktokglobalshop.com``."""
        request_id = f"2026{next(self._ids):012d}0101890810281E8C70B7"
        try:
            if fault is not None and fault.kind == "api_error":
                raise ShopError(fault.code, fault.message)
            self._authenticate(request, subpath)
            data = self._route(request, subpath)
        except ShopError as exc:
            return Response.json(self.config.error_http_status, exc.envelope(request_id))
        body = {"code": 0, "message": "Success", "request_id": request_id, "data": data}
        return Response.json(200, body)

    def _authenticate(self, request: Request, subpath: str) -> None:
        config = self.config
        if request.param("app_key") != config.app_key:
            raise ShopError(config.bad_signature_code, "Invalid app_key.")
        try:
            stamp = int(request.param("timestamp") or "")
        except ValueError:
            raise ShopError(config.expired_timestamp_code, "Invalid timestamp.") from None
        if abs(config.wall_clock() - stamp) > config.max_clock_skew_seconds:
            raise ShopError(config.expired_timestamp_code, "The timestamp has expired.")
        sign = request.param("sign") or ""
        wanted = expected_sign(subpath, request.query, request.body, config.app_secret)
        if not hmac.compare_digest(sign.encode(), wanted.encode()):
            raise ShopError(config.bad_signature_code, "Invalid credentials: signature mismatch.")
        token = request.header("x-tts-access-token") or ""
        if not hmac.compare_digest(token.encode(), config.access_token.encode()):
            raise ShopError(errors.INVALID_TOKEN, "Invalid access token.")

    def _route(self, request: Request, subpath: str) -> dict[str, Any]:
        if subpath == SHOPS_PATH and request.method == "GET":
            return {"shops": [_shop_json(shop) for shop in self.scenario.shops]}
        if subpath == ORDERS_PATH and request.method == "POST":
            return self._orders(request)
        raise ShopError(errors.UNKNOWN_PATH, f"No API at {request.method} {subpath}.")

    def _now(self) -> int:
        return unix(self.config.now) if self.config.now else int(self.config.wall_clock())

    def _orders(self, request: Request) -> dict[str, Any]:
        shop = self.scenario.shop(request.param("shop_cipher") or "")
        if shop is None:
            raise ShopError(errors.SHOP_NOT_AUTHORIZED, "The shop_cipher is invalid.")
        page_size = _page_size(request.param("page_size"))
        now = self._now()
        ge, lt = _window(request.body, now)
        matches = [
            state
            for order in order_book_between(self.scenario, self.seed, shop, ge, lt)
            if (state := order_state(order, now, self.scenario.lifecycle)) is not None
        ]
        fingerprint = _fingerprint(shop, ge, lt)
        offset = _decode_token(request.param("page_token"), fingerprint)
        page = matches[offset : offset + page_size]
        data: dict[str, Any] = {
            "orders": [order_json(state) for state in page],
            "total_count": len(matches),
        }
        following = offset + page_size
        if following < len(matches):
            data["next_page_token"] = _encode_token(following, fingerprint)
        elif not self.config.omit_last_page_token:
            data["next_page_token"] = ""
        return data


def _shop_json(shop: Shop) -> dict[str, str]:
    return {
        "id": shop.shop_id,
        "name": shop.name,
        "region": shop.region,
        "seller_type": "LOCAL",
        "cipher": shop.cipher,
        "code": shop.code,
    }


def _page_size(raw: str | None) -> int:
    try:
        size = int(raw or "")
    except ValueError:
        raise ShopError(errors.INVALID_PARAMS, "page_size is required.") from None
    if not 1 <= size <= 100:
        raise ShopError(errors.INVALID_PARAMS, "page_size must be between 1 and 100.")
    return size


def _window(body: bytes, now: int) -> tuple[int, int]:
    """``create_time_ge`` / ``create_time_lt`` from the JSON body (defaults: last 90 days)."""
    try:
        filters = json.loads(body or b"{}")
        if not isinstance(filters, dict):
            raise ValueError("not an object")
        ge = int(filters.get("create_time_ge", now - DEFAULT_LOOKBACK.total_seconds()))
        lt = int(filters.get("create_time_lt", now))
    except (ValueError, TypeError):
        raise ShopError(errors.INVALID_PARAMS, "Invalid request body.") from None
    if lt - ge > MAX_SPAN.total_seconds():
        raise ShopError(errors.INVALID_PARAMS, "The create_time range is too long.")
    return ge, lt


def _fingerprint(shop: Shop, ge: int, lt: int) -> str:
    return hashlib.sha256(f"{shop.cipher}:{ge}:{lt}".encode()).hexdigest()[:12]


def _encode_token(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "f": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str | None, fingerprint: str) -> int:
    if not token:
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded))
        offset = int(state["o"])
        valid = state["f"] == fingerprint and offset >= 0
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise ShopError(errors.INVALID_PARAMS, "Invalid page_token.")
    return offset
