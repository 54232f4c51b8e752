"""Classifying TikTok Shop answers: every answer carries ``code``; 0 is success.

Errors may come as HTTP 200 with a non-zero ``code`` (the HTTP status of Shop errors is not
confirmed). Token (``105xxx``) and authorization (``360xxx``) families stop the shop; the
configured rate-limit and transient codes are retried; any other code is a request the API
will keep refusing (e.g. a bad signature, whose code is undocumented).
"""

from __future__ import annotations

from typing import Any

import requests

from connectors.common.errors import ApiError, FatalApiError, RetryableApiError, coded_envelope
from connectors.common.http import Classifier
from socialmart.settings import TikTokShopSettings

PLATFORM = "TikTok Shop"


def _family(code: int) -> int:
    """The leading three digits of a six-digit-or-longer code (``105002`` -> ``105``)."""
    text = str(abs(code))
    return int(text[:3]) if len(text) >= 6 else -1


def make_classifier(settings: TikTokShopSettings) -> Classifier:
    """A :data:`connectors.common.http.Classifier` using the configured code lists."""
    retry_codes = frozenset(settings.retry_codes)
    auth_families = frozenset(settings.auth_code_prefixes)

    def classify(response: requests.Response, body: Any, account: str | None) -> ApiError | None:
        envelope = coded_envelope(body)
        if envelope is None:
            return None
        code, detail = envelope
        context = {"platform": PLATFORM, "code": code, "account": account}
        if code in retry_codes:
            # Before the families: 36009002 (downstream throttling) is in the 360 family.
            return RetryableApiError(
                f"{PLATFORM}: transient code {code} (in TIKTOK_SHOP_RETRY_CODES): {detail}",
                **context,
            )
        if _family(code) in auth_families:
            return FatalApiError(token_message(code, detail, account), **context)
        return FatalApiError(refusal_message(code, detail, account), **context)

    return classify


def token_message(code: int, detail: str, account: str | None) -> str:
    """What to do about a token or authorization error (never includes the token)."""
    where = f" for shop {account}" if account else ""
    return (
        f"{PLATFORM} rejected the access token or the shop authorization (code {code}: "
        f"{detail}){where}. Get a fresh token (token/refresh at auth.tiktok-shops.com) and set "
        "TIKTOK_SHOP_ACCESS_TOKEN, and check that the seller authorized the app for this shop "
        "(or remove it from TIKTOK_SHOP_CIPHERS)."
    )


def refusal_message(code: int, detail: str, account: str | None) -> str:
    """What to do about any other refusal (signature, parameters)."""
    where = f" for shop {account}" if account else ""
    return (
        f"{PLATFORM} refused the request (code {code}: {detail}){where}. Retrying will not "
        "help: check TIKTOK_SHOP_APP_KEY and TIKTOK_SHOP_APP_SECRET (request signature), the "
        "system clock (signed timestamps expire), TIKTOK_SHOP_PAGE_SIZE (1-100) and "
        "TIKTOK_SHOP_BASE_URL; add the code to TIKTOK_SHOP_RETRY_CODES if it is transient."
    )
