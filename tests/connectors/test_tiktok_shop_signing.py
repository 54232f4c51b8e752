"""TikTok Shop request signing: a hand-computed vector, and signing on the shared session."""

from __future__ import annotations

import json

import responses
from connector_testkit import FakeClock

from connectors.common.http import ApiSession
from connectors.tiktok_shop.signing import make_signer, sign, string_to_sign
from sandbox.tiktok_shop.signing import expected_sign
from socialmart.settings import HttpSettings

PATH = "/affiliate_seller/202410/orders/search"
QUERY = {
    "shop_cipher": "ROW_abc",
    "page_size": "50",
    "timestamp": "1700000000",
    "app_key": "k123",
    "access_token": "never-signed",
    "sign": "ignored",
}
BODY = b'{"create_time_ge":1699920000,"create_time_lt":1700006400}'
# Built by hand from the documented steps: path, then key+value sorted by key without
# sign/access_token, then the body; the digest was computed with
# `printf 's3cr3t<text>s3cr3t' | openssl dgst -sha256 -hmac s3cr3t`.
TEXT = (
    "/affiliate_seller/202410/orders/search"
    "app_keyk123page_size50shop_cipherROW_abctimestamp1700000000"
    '{"create_time_ge":1699920000,"create_time_lt":1700006400}'
)
DIGEST = "0fd87879c2f228d12a8e1c35185bce5047547528c50b51d0456dc46a60a83c9e"


def test_string_to_sign_follows_the_documented_order() -> None:
    assert string_to_sign(PATH, QUERY, BODY) == TEXT


def test_signature_matches_the_pinned_vector() -> None:
    assert sign(PATH, QUERY, BODY, "s3cr3t") == DIGEST


def test_the_stand_in_verifies_with_the_same_digest() -> None:
    assert expected_sign(PATH, QUERY.items(), BODY, "s3cr3t") == DIGEST


def test_empty_body_and_get_requests_sign_path_and_query_only() -> None:
    query = {"app_key": "k", "timestamp": "1"}
    assert string_to_sign("/authorization/202309/shops", query, None) == (
        "/authorization/202309/shopsapp_keyktimestamp1"
    )
    assert sign("/p", query, b"", "x") == sign("/p", query, None, "x")


@responses.activate
def test_session_signs_every_attempt_with_a_fresh_timestamp_and_the_sent_body() -> None:
    url = "https://open-api.example.test/affiliate_seller/202410/orders/search"
    responses.post(url, json={"code": 0}, status=503)
    responses.post(url, json={"code": 0, "data": {}})
    clock = FakeClock(1_700_000_000.0)
    http = HttpSettings(
        timeout_seconds=5, max_retries=2, backoff_base_seconds=10, backoff_max_seconds=10
    )
    session = ApiSession(
        "Test",
        "https://open-api.example.test",
        http,
        lambda response, body, account: None,
        sign=make_signer("k123", "s3cr3t", clock.time),
        **clock.timing(),
    )
    body = {"create_time_ge": 1699920000, "create_time_lt": 1700006400}
    session.request("POST", PATH, {"page_size": "50"}, json_body=body)

    first, second = (call.request for call in responses.calls)
    assert first.body == second.body == json.dumps(body, separators=(",", ":")).encode()
    assert first.headers["Content-Type"] == "application/json"
    assert first.params["timestamp"] == "1700000000"
    assert second.params["timestamp"] == "1700000010"  # signed again after the backoff
    for request in (first, second):
        query = dict(request.params)
        assert query["app_key"] == "k123"
        assert query["sign"] == sign(PATH, query, request.body, "s3cr3t")
