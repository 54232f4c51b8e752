"""TikTok Shop connector against mocked HTTP: requests, paging, records, and each error class."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
import responses
from connector_testkit import FakeClock, fixture_json

from connectors.common.errors import FatalApiError, RetriesExhaustedError
from connectors.common.land import load_spool
from connectors.common.spool import MANIFEST_NAME
from connectors.tiktok_shop.client import TikTokShopClient
from connectors.tiktok_shop.extract import extract_shop, list_shops, window_bounds
from connectors.tiktok_shop.signing import sign
from socialmart.settings import Settings

BASE = "https://open-api.tiktokglobalshop.com"
ORDERS = f"{BASE}/affiliate_seller/202410/orders/search"
SHOPS = f"{BASE}/authorization/202309/shops"
SHOP = "ROW_testcipherUS0002"
TOKEN = "TTP_test-access-token-5c1e9b7a"
SECRET = "test-app-secret-2f8d4e61"
JUNE_1 = date(2023, 6, 1)


@pytest.fixture
def shop_settings(settings: Settings) -> Settings:
    shop = replace(
        settings.tiktok_shop,
        base_url=BASE,
        app_key="test-app-key",
        app_secret=SECRET,
        access_token=TOKEN,
        shop_ciphers=(SHOP,),
        page_size=2,
    )
    return replace(settings, tiktok_shop=shop)


@pytest.fixture
def client(shop_settings: Settings, clock: FakeClock) -> TikTokShopClient:
    return TikTokShopClient(shop_settings.tiktok_shop, shop_settings.http, **clock.timing())


def _fixture(name: str) -> dict:
    return fixture_json(f"tiktok_shop/{name}")


def _extract(settings: Settings, client: TikTokShopClient, run_id: str = "run-1") -> list[Path]:
    return extract_shop(settings, SHOP, JUNE_1, JUNE_1, run_id, client=client)


def _unit(settings: Settings, run_id: str = "run-1") -> Path:
    return settings.spool_dir / run_id / "tiktok_shop" / "affiliate_orders" / SHOP


@responses.activate
def test_request_is_a_signed_post_with_the_window_in_the_body(
    shop_settings: Settings, client: TikTokShopClient, clock: FakeClock
) -> None:
    responses.post(ORDERS, json={"code": 0, "message": "Success", "data": {"orders": []}})
    _extract(shop_settings, client)
    request = responses.calls[0].request
    assert request.method == "POST"
    assert request.headers["x-tts-access-token"] == TOKEN
    assert json.loads(request.body) == {"create_time_ge": 1685577600, "create_time_lt": 1685664000}
    query = dict(request.params)
    assert query["page_size"] == "2" and query["shop_cipher"] == SHOP
    assert query["app_key"] == "test-app-key" and query["timestamp"] == str(int(clock.now))
    assert "page_token" not in query and "access_token" not in query
    path = "/affiliate_seller/202410/orders/search"
    assert query["sign"] == sign(path, query, request.body, SECRET)


@responses.activate
def test_pages_follow_next_page_token_and_flatten_order_lines(
    shop_settings: Settings, client: TikTokShopClient
) -> None:
    responses.post(ORDERS, json=_fixture("orders_documented_sample.json"))
    responses.post(ORDERS, json=_fixture("orders_last_page.json"))
    manifest = json.loads(_extract(shop_settings, client)[0].read_text())
    assert manifest["row_count"] == 3 and manifest["request_count"] == 2
    assert dict(responses.calls[1].request.params)["page_token"] == "6AsPQsUMvH3Rkch"

    first = json.loads((_unit(shop_settings) / "page-00001.json").read_text())
    assert first == [
        {
            "shop_cipher": SHOP,
            "order_id": "576962796354307765",
            "create_date": "2023-05-31",
            "create_time": 1685548800,
            "delivery_time": 1685548800,
            "order_status": "COMPLETED",
            "line_number": 1,
            "product_id": "1729435310697057093",
            "creator_username": "some_creator",
            "content_type": "VIDEO",
            "content_id": "7494337156519332665",
            "open_collaboration_id": None,
            "target_collaboration_id": None,
            "campaign_id": None,
            "commission_rate": "1000",
            "shop_ads_commission_rate": None,
            "quantity": 1,
            "refunded_quantity": 0,
            "returned_quantity": 0,
            "price_amount": "99",
            "price_currency": "USD",
            "estimated_commission_base_amount": None,
            "estimated_commission_base_currency": None,
            "estimated_paid_commission_amount": "9.90",
            "estimated_paid_commission_currency": "USD",
            "actual_commission_base_amount": None,
            "actual_commission_base_currency": None,
            "actual_paid_commission_amount": "9.90",
            "actual_paid_commission_currency": "USD",
        }
    ]
    second = json.loads((_unit(shop_settings) / "page-00002.json").read_text())
    assert [(r["line_number"], r["refunded_quantity"], r["returned_quantity"]) for r in second] == [
        (1, 2, 0),
        (2, 1, 1),
    ]
    assert {r["order_status"] for r in second} == {"CANCELLED"}
    assert second[0]["delivery_time"] is None


@responses.activate
def test_an_absent_token_or_an_empty_page_ends_paging(
    shop_settings: Settings, client: TikTokShopClient
) -> None:
    last = _fixture("orders_last_page.json")
    del last["data"]["next_page_token"]
    responses.post(ORDERS, json=last)
    assert json.loads(_extract(shop_settings, client)[0].read_text())["row_count"] == 2
    responses.reset()
    responses.post(ORDERS, json={"code": 0, "message": "Success", "data": {"total_count": 0}})
    manifest = json.loads(_extract(shop_settings, client, "run-2")[0].read_text())
    assert manifest["row_count"] == 0 and len(responses.calls) == 1


@responses.activate
def test_money_lands_exactly_as_the_api_wrote_it(
    shop_settings: Settings, client: TikTokShopClient
) -> None:
    page = _fixture("orders_documented_sample.json")
    page["data"]["orders"][0]["skus"][0]["price"] = {"amount": "1234567.895", "currency": "USD"}
    del page["data"]["next_page_token"]
    responses.post(ORDERS, json=page)
    # The documented sample order was created 2023-05-31 16:00 UTC: pull the day it belongs to
    # (an order outside the requested window is quarantined by the loader).
    extract_shop(shop_settings, SHOP, JUNE_1 - timedelta(days=1), JUNE_1, "run-1", client=client)
    with duckdb.connect(str(shop_settings.warehouse_path)) as con:
        load_spool(con, shop_settings.spool_dir / "run-1", "run-1")
        price, typ = con.execute(
            "select price_amount, typeof(price_amount) from raw.tiktok_shop__affiliate_orders"
        ).fetchone()
    assert (price, typ) == ("1234567.895", "VARCHAR")


@responses.activate
def test_rate_limit_code_is_retried_with_backoff(
    shop_settings: Settings, client: TikTokShopClient, clock: FakeClock
) -> None:
    responses.post(ORDERS, json=_fixture("error_rate_limit.json"))
    responses.post(ORDERS, json=_fixture("error_rate_limit.json"))
    responses.post(ORDERS, json=_fixture("orders_last_page.json"))
    assert json.loads(_extract(shop_settings, client)[0].read_text())["row_count"] == 2
    assert clock.sleeps == [1.0, 2.0]
    stamps = [dict(call.request.params)["timestamp"] for call in responses.calls]
    assert len(set(stamps)) == 3  # every retry carries a fresh signed timestamp


@responses.activate
def test_http_5xx_and_non_json_answers_are_retried(
    shop_settings: Settings, client: TikTokShopClient
) -> None:
    responses.post(ORDERS, status=500, json={"code": 50000, "message": "System error."})
    responses.post(ORDERS, status=504, body="<html>Gateway Time-out</html>")
    responses.post(ORDERS, json=_fixture("orders_last_page.json"))
    assert json.loads(_extract(shop_settings, client)[0].read_text())["row_count"] == 2
    assert len(responses.calls) == 3


@responses.activate
def test_transient_failures_that_never_end_leave_nothing_loadable(
    shop_settings: Settings, client: TikTokShopClient
) -> None:
    responses.post(ORDERS, json={"code": 50000, "message": "System error.", "data": {}})
    with pytest.raises(RetriesExhaustedError):
        _extract(shop_settings, client)
    assert not _unit(shop_settings).exists()


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("error_token_expired.json", "TIKTOK_SHOP_ACCESS_TOKEN"),
        ("error_not_authorized.json", "authorized the app for this shop"),
    ],
)
@responses.activate
def test_token_and_authorization_codes_stop_the_shop_with_the_fix(
    shop_settings: Settings,
    client: TikTokShopClient,
    caplog: pytest.LogCaptureFixture,
    fixture: str,
    expected: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    responses.post(ORDERS, json=_fixture("orders_documented_sample.json"))
    responses.post(ORDERS, json=_fixture(fixture))
    with pytest.raises(FatalApiError) as caught:
        _extract(shop_settings, client)
    assert expected in str(caught.value) and SHOP in str(caught.value)
    assert len(responses.calls) == 2  # never retried
    assert not _unit(shop_settings).exists()  # the first page is gone too
    assert TOKEN not in caplog.text and SECRET not in caplog.text


@responses.activate
def test_unknown_codes_such_as_a_bad_signature_are_fatal(
    shop_settings: Settings, client: TikTokShopClient
) -> None:
    responses.post(ORDERS, json={"code": 106001, "message": "Invalid credentials", "data": {}})
    with pytest.raises(FatalApiError, match="TIKTOK_SHOP_APP_SECRET"):
        _extract(shop_settings, client)
    assert len(responses.calls) == 1


@responses.activate
def test_retry_codes_are_configurable(shop_settings: Settings, clock: FakeClock) -> None:
    shop = replace(shop_settings.tiktok_shop, retry_codes=(106001,))
    client = TikTokShopClient(shop, shop_settings.http, sleep=clock.sleep, clock=clock.time)
    responses.post(ORDERS, json={"code": 106001, "message": "busy", "data": {}})
    responses.post(ORDERS, json=_fixture("orders_last_page.json"))
    assert json.loads(_extract(shop_settings, client)[0].read_text())["row_count"] == 2


@responses.activate
def test_shops_come_from_settings_or_from_the_authorization_endpoint(
    shop_settings: Settings, client: TikTokShopClient
) -> None:
    assert list_shops(shop_settings, client) == [SHOP]
    responses.get(SHOPS, json=_fixture("shops.json"))
    unset = replace(shop_settings, tiktok_shop=replace(shop_settings.tiktok_shop, shop_ciphers=()))
    assert list_shops(unset, client) == ["GCP_testcipherGB0001", "ROW_testcipherUS0002"]
    query = dict(responses.calls[0].request.params)
    assert query["sign"] == sign("/authorization/202309/shops", query, None, SECRET)


def test_window_bounds_are_whole_days_in_the_configured_zone() -> None:
    assert window_bounds(JUNE_1, JUNE_1, ZoneInfo("UTC")) == (1685577600, 1685664000)
    # 2026-03-08 is 23 hours long in Los Angeles (DST starts).
    ge, lt = window_bounds(date(2026, 3, 8), date(2026, 3, 8), ZoneInfo("America/Los_Angeles"))
    assert lt - ge == 23 * 3600 and ge == 1772956800


@responses.activate
def test_create_date_is_the_day_in_the_configured_zone(
    shop_settings: Settings, client: TikTokShopClient
) -> None:
    tokyo = replace(
        shop_settings, tiktok_shop=replace(shop_settings.tiktok_shop, timezone="Asia/Tokyo")
    )
    responses.post(ORDERS, json=_fixture("orders_last_page.json"))
    _extract(tokyo, client)
    rows = json.loads((_unit(tokyo) / "page-00001.json").read_text())
    assert rows[0]["create_date"] == "2023-06-01"  # 2023-05-31T17:00Z is June 1st in Tokyo
    assert (_unit(tokyo) / MANIFEST_NAME).exists()


@responses.activate
def test_a_shop_ads_order_line_keeps_its_post_and_shop_ads_rate(
    shop_settings: Settings, client: TikTokShopClient
) -> None:
    # An order generated through a Spark Ad on a creator's post: the documented sample order
    # with the SKU fields the SDK model documents for it (`content_id` = the post,
    # `shop_ads_commission_rate`: "The commission rate for orders generated through Shop Ads",
    # tiananugerah/titktok-shop tiktok_sdk/model/affiliateSeller/V202410/
    # SearchSellerAffiliateOrdersResponseDataOrdersSkus.ts). The creator marts match it to the
    # Spark Ad by these two fields.
    page = _fixture("orders_documented_sample.json")
    page["data"]["orders"][0]["skus"][0]["shop_ads_commission_rate"] = "500"
    del page["data"]["next_page_token"]
    responses.post(ORDERS, json=page)
    _extract(shop_settings, client)
    [row] = json.loads((_unit(shop_settings) / "page-00001.json").read_text())
    assert (row["content_type"], row["content_id"], row["shop_ads_commission_rate"]) == (
        "VIDEO",
        "7494337156519332665",
        "500",
    )
