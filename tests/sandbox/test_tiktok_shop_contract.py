"""The TikTok Shop stand-in: documented shapes, signature checks, paging, lifecycle and truth."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from connectors.tiktok_shop.signing import sign
from sandbox.faults import FaultPlan
from sandbox.routing import Request
from sandbox.server import serve_in_thread
from sandbox.tiktok_shop import errors, truth
from sandbox.tiktok_shop.api import ORDERS_PATH, SHOPS_PATH, ShopStandInConfig, TikTokShopApi
from sandbox.tiktok_shop.generator import order_state, orders_on
from sandbox.tiktok_shop.scenario import build_scenario

SEED = 42
NOW = datetime(2026, 10, 8, 12, tzinfo=UTC)
CONFIG = ShopStandInConfig(now=NOW)
US = build_scenario().shops[0].cipher
WEEK = (date(2026, 10, 1), date(2026, 10, 7))
SAMPLE = json.loads(
    (Path(__file__).parent / "fixtures/tiktok_shop/orders_documented_sample.json").read_text()
)
# Every SKU field the reference documents for the 202410 seller order search.
SKU_FIELDS = {
    "product_id", "quantity", "price", "creator_username", "content_type", "content_id",
    "open_collaboration_id", "target_collaboration_id", "campaign_id", "commission_rate",
    "shop_ads_commission_rate", "estimated_commission_base", "actual_commission_base",
    "estimated_paid_commission", "actual_paid_commission", "refunded_quantity",
    "returned_quantity",
}  # fmt: skip
MONEY = {"price", "estimated_commission_base", "actual_commission_base"} | {
    "estimated_paid_commission",
    "actual_paid_commission",
}
STATUSES = {"PROCESSING", "COMPLETED", "CANCELLED", "FROZEN", "DEDUCTED"}


def _window(start: date, end: date) -> dict[str, int]:
    ge, lt = truth.day_bounds(start, end)
    return {"create_time_ge": ge, "create_time_lt": lt}


def _request(
    path: str,
    query: dict[str, str],
    body: dict[str, Any] | None = None,
    *,
    config: ShopStandInConfig = CONFIG,
    method: str = "POST",
    sign_with: str | None = None,
    token: str | None = None,
    timestamp: int | None = None,
) -> tuple[str, dict[str, str], bytes, dict[str, str]]:
    raw = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
    query = {"app_key": config.app_key, "timestamp": str(timestamp or int(time.time())), **query}
    query["sign"] = sign(path, query, raw, sign_with or config.app_secret)
    headers = {"x-tts-access-token": token or config.access_token}
    return method, query, raw, headers


def _handle(api: TikTokShopApi, path: str, query: dict[str, str], **kwargs: Any) -> dict:
    body = kwargs.pop("body", None)
    method, signed, raw, headers = _request(path, query, body, config=api.config, **kwargs)
    request = Request(method, f"/{api.host}{path}", tuple(signed.items()), headers, "h", raw)
    response = api.handle(request, path, None)
    assert response.status == api.config.error_http_status or response.status == 200
    return json.loads(response.body)


def _orders_query(page_size: int = 100, shop: str = US, **extra: str) -> dict[str, str]:
    return {"page_size": str(page_size), "shop_cipher": shop, **extra}


def _walk(api: TikTokShopApi, page_size: int, body: dict, shop: str = US) -> Iterator[dict]:
    token = None
    while True:
        extra = {"page_token": token} if token else {}
        answer = _handle(api, ORDERS_PATH, _orders_query(page_size, shop, **extra), body=body)
        assert answer["code"] == 0, answer
        yield answer["data"]
        token = answer["data"].get("next_page_token")
        if not token:
            return


@pytest.fixture(scope="module")
def api() -> TikTokShopApi:
    return TikTokShopApi(seed=SEED, config=CONFIG)


def test_orders_match_the_documented_shape(api: TikTokShopApi) -> None:
    answer = _handle(api, ORDERS_PATH, _orders_query(), body=_window(*WEEK))
    assert set(answer) == set(SAMPLE) and answer["code"] == 0
    assert set(answer["data"]) == set(SAMPLE["data"])
    documented = set(SAMPLE["data"]["orders"][0])
    for order in answer["data"]["orders"]:
        assert set(order) <= documented and {"id", "create_time", "status", "skus"} <= set(order)
        assert isinstance(order["id"], str) and isinstance(order["create_time"], int)
        assert order["status"] in STATUSES
        for sku in order["skus"]:
            assert set(sku) <= SKU_FIELDS
            assert sku["content_type"] in {"VIDEO", "LIVE"}
            assert sku["commission_rate"].isdigit()
            for name in MONEY & set(sku):
                assert set(sku[name]) == {"amount", "currency"}
                assert isinstance(sku[name]["amount"], str) and sku[name]["currency"] == "USD"
            for name in ("quantity", "refunded_quantity", "returned_quantity"):
                assert isinstance(sku[name], int)


def test_shops_list_ciphers(api: TikTokShopApi) -> None:
    answer = _handle(api, SHOPS_PATH, {}, method="GET")
    shops = answer["data"]["shops"]
    assert [s["cipher"] for s in shops] == [s.cipher for s in api.scenario.shops]
    assert set(shops[0]) == {"id", "name", "region", "seller_type", "cipher", "code"}


def test_paging_with_small_pages_returns_every_order_once(api: TikTokShopApi) -> None:
    body = _window(*WEEK)
    pages = list(_walk(api, 7, body))
    small = [order["id"] for page in pages for order in page["orders"]]
    large = [order["id"] for page in _walk(api, 100, body) for order in page["orders"]]
    assert small == large and len(set(small)) == len(small)
    assert len(pages) > 3 and all(page["total_count"] == len(small) for page in pages)
    assert pages[-1]["next_page_token"] == ""


def test_last_page_token_can_be_absent() -> None:
    api = TikTokShopApi(seed=SEED, config=replace(CONFIG, omit_last_page_token=True))
    *pages, last = list(_walk(api, 100, _window(*WEEK)))
    assert all(page["next_page_token"] for page in pages)
    assert "next_page_token" not in last


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"sign_with": "wrong-secret"}, 106001),
        ({"timestamp": 1_000_000_000}, 106002),
        ({"token": "wrong-token"}, errors.INVALID_TOKEN),
    ],
)
def test_bad_credentials_are_refused_like_the_real_api(
    api: TikTokShopApi, kwargs: dict, code: int
) -> None:
    answer = _handle(api, ORDERS_PATH, _orders_query(), body=_window(*WEEK), **kwargs)
    assert answer["code"] == code and answer["data"] == {} and answer["request_id"]


def test_the_signature_covers_the_body(api: TikTokShopApi) -> None:
    method, query, raw, headers = _request(ORDERS_PATH, _orders_query(), _window(*WEEK))
    tampered = raw.replace(b'"create_time_lt":', b'"create_time_lt":1')
    request = Request(method, ORDERS_PATH, tuple(query.items()), headers, "h", tampered)
    assert json.loads(api.handle(request, ORDERS_PATH, None).body)["code"] == 106001


def test_error_codes_status_and_skew_are_configurable() -> None:
    config = replace(
        CONFIG, bad_signature_code=77, expired_timestamp_code=78, error_http_status=401
    )
    api = TikTokShopApi(seed=SEED, config=replace(config, max_clock_skew_seconds=5))
    method, query, raw, headers = _request(ORDERS_PATH, _orders_query(), sign_with="bad")
    response = api.handle(
        Request(method, "/x", tuple(query.items()), headers, "h"), ORDERS_PATH, None
    )
    assert response.status == 401 and json.loads(response.body)["code"] == 77
    late = _handle(api, ORDERS_PATH, _orders_query(), timestamp=int(time.time()) - 60)
    assert late["code"] == 78


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (_orders_query(0), errors.INVALID_PARAMS),
        (_orders_query(101), errors.INVALID_PARAMS),
        ({"page_size": "10"}, errors.SHOP_NOT_AUTHORIZED),
        (_orders_query(10, page_token="forged"), errors.INVALID_PARAMS),
    ],
)
def test_invalid_requests_are_refused(api: TikTokShopApi, query: dict, code: int) -> None:
    assert _handle(api, ORDERS_PATH, query, body=_window(*WEEK))["code"] == code


def test_page_tokens_belong_to_their_query(api: TikTokShopApi) -> None:
    first = next(_walk(api, 5, _window(*WEEK)))
    other = _window(WEEK[0], WEEK[0])
    query = _orders_query(5, page_token=first["next_page_token"])
    assert _handle(api, ORDERS_PATH, query, body=other)["code"] == errors.INVALID_PARAMS


def test_api_error_faults_use_the_shop_envelope_over_http() -> None:
    plan = FaultPlan.from_rules([{**errors.FAULT_PRESETS["rate_limit"], "match": "/orders/"}])
    with serve_in_thread(seed=SEED, tiktok_shop=CONFIG, faults=plan) as sandbox:
        method, query, raw, headers = _request(ORDERS_PATH, _orders_query(), _window(*WEEK))
        url = f"{sandbox.tiktok_shop_base_url}{ORDERS_PATH}"
        first = requests.post(url, params=query, data=raw, headers=headers, timeout=10)
        second = requests.post(url, params=query, data=raw, headers=headers, timeout=10)
    assert first.status_code == 200 and first.json()["code"] == 40100
    assert second.json()["code"] == 0 and second.json()["data"]["orders"]


def test_orders_progress_with_now() -> None:
    scenario = build_scenario()
    orders = [o for day in range(1, 8) for o in orders_on(scenario, SEED, scenario.shops[0],
              date(2026, 10, day))]  # fmt: skip
    early = [order_state(o, o.create_time + 3600, scenario.lifecycle) for o in orders]
    late = [order_state(o, o.create_time + 7 * 86400, scenario.lifecycle) for o in orders]
    assert {s.status for s in early} == {"PROCESSING"}
    assert all(s.delivery_time is None and s.lines[0].actual_paid_commission is None for s in early)
    assert {s.status for s in late} == {"COMPLETED", "CANCELLED"}
    done = [s for s in late if s.status == "COMPLETED"]
    assert all(line.actual_paid_commission is not None for s in done for line in s.lines)
    refunded = [line for s in done for line in s.lines if line.refunded_quantity]
    assert refunded and any(line.returned_quantity for line in refunded)
    assert all(
        line.actual_commission_base
        == line.facts.product.price_cents * (line.facts.quantity - line.refunded_quantity)
        for s in done
        for line in s.lines
    )
    cancelled = [s for s in late if s.status == "CANCELLED"]
    assert cancelled and all(
        line.refunded_quantity == line.facts.quantity and line.estimated_paid_commission == 0
        for s in cancelled
        for line in s.lines
    )
    assert orders_on(scenario, SEED, scenario.shops[0], date(2026, 10, 1)) != orders_on(
        scenario, SEED + 1, scenario.shops[0], date(2026, 10, 1)
    )


def test_orders_do_not_exist_before_they_are_placed(api: TikTokShopApi) -> None:
    future = _window(date(2026, 10, 8), date(2026, 10, 9))
    pages = list(_walk(api, 100, future))
    assert all(o["create_time"] < int(NOW.timestamp()) for p in pages for o in p["orders"])
    assert pages[0]["total_count"] > 0


def test_served_orders_add_up_to_the_ground_truth(api: TikTokShopApi) -> None:
    served: dict[tuple, Decimal] = defaultdict(Decimal)
    for shop in api.scenario.shops:
        pages = _walk(api, 50, _window(*WEEK), shop.cipher)
        for order in (order for page in pages for order in page["orders"]):
            for sku in order["skus"]:
                served[("lines",)] += 1
                served[("commission", order["status"])] += Decimal(
                    sku["estimated_paid_commission"]["amount"]
                )
    rows = truth.order_line_truth(SEED, *WEEK, NOW)
    expected: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in rows:
        expected[("lines",)] += 1
        expected[("commission", row["order_status"])] += row["estimated_paid_commission"]
    assert served == expected
    per_creator = truth.creator_day_truth(SEED, *WEEK, NOW)
    assert sum(r["estimated_commission"] for r in per_creator) == sum(
        r["estimated_paid_commission"] for r in rows if r["order_status"] != "CANCELLED"
    )
    assert sum(r["orders"] for r in per_creator) == len(
        {r["order_id"] for r in rows if r["order_status"] != "CANCELLED"}
    )
