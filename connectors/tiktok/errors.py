"""Classifying TikTok API for Business answers (reference section 7).

TikTok answers errors as HTTP 200 with a non-zero ``code`` in the envelope. The code decides
whether to retry, to ask for a shorter date span, or to stop with a message naming the fix.
HTTP 5xx and non-JSON bodies (e.g. a 504 gateway page) are retried by the shared session.
"""

from __future__ import annotations

from typing import Any

import requests

from connectors.common.errors import (
    ApiError,
    FatalApiError,
    QueryTooLargeError,
    RetryableApiError,
    coded_envelope,
)
from connectors.common.redaction import redact_text

PLATFORM = "TikTok"

# 40100 app QPS limit, 40133 per-advertiser QPS limit ("QPS (21) reaches QPS limit 20"; retried
# with backoff as Airbyte's source-tiktok-marketing tests do, reference section 10), 4020x write
# conflicts, 40700, 5000x system errors, 51021 too many requests, 60001 maintenance.
RETRYABLE_CODES = frozenset({40100, 40133, 40200, 40201, 40202, 40700, 50000, 50002, 51021, 60001})
QPS_CODES = frozenset({40100, 40133, 51021})
QUERY_TOO_LARGE_CODE = 40067
INVALID_PARAM_CODE = 40002
_SPAN_HINTS = ("time span", "span")

_FATAL_ADVICE = {
    40105: "TikTok rejected the access token (incorrect or revoked). Create a new long-term "
    "token for the app and set TIKTOK_ACCESS_TOKEN.",
    40001: "TikTok denied permission. Authorize the app for this advertiser with the Ads "
    "Management and Reporting scopes, or remove it from TIKTOK_ADVERTISER_IDS.",
    40101: "TikTok rejected the app credentials. Check TIKTOK_APP_ID and TIKTOK_APP_SECRET.",
    40110: "TikTok rejected the authorization code. Re-authorize the app to get a new token.",
    41000: "TikTok refuses requests from this country (banned country list). Run the "
    "extract from an allowed region.",
}


def classify_tiktok_response(
    response: requests.Response, body: Any, account: str | None
) -> ApiError | None:
    """Turn a TikTok answer into ``None`` (usable) or the error that says what to do.

    Args:
        response: The HTTP response (unused: TikTok puts everything in the envelope).
        body: Parsed JSON body, or ``None`` if it was not JSON.
        account: Advertiser the request was about, for messages.

    Returns:
        ``None`` when ``code`` is 0 (or the body is no envelope; the session then checks the
        HTTP status), else a :class:`RetryableApiError`, :class:`QueryTooLargeError` or
        :class:`FatalApiError`.
    """
    envelope = coded_envelope(body)
    if envelope is None:
        return None
    code, detail = envelope
    request_id = body.get("request_id")
    if request_id:
        detail += f" (request_id {redact_text(str(request_id))})"
    context = {"platform": PLATFORM, "code": code, "account": account}
    where = f" for advertiser {account}" if account else ""
    if code in RETRYABLE_CODES:
        kind = "rate limited" if code in QPS_CODES else "transient error"
        return RetryableApiError(f"TikTok: {kind} (code {code}){where}: {detail}", **context)
    if code == QUERY_TOO_LARGE_CODE or (
        code == INVALID_PARAM_CODE and any(h in detail.lower() for h in _SPAN_HINTS)
    ):
        return QueryTooLargeError(f"TikTok: query too large ({code}){where}: {detail}", **context)
    advice = _FATAL_ADVICE.get(
        code,
        "Retrying will not help; act on TikTok's message, check TIKTOK_ADVERTISER_IDS (and "
        "TIKTOK_API_VERSION if the message names a field or endpoint), or report a connector "
        "bug.",
    )
    return FatalApiError(
        f"TikTok refused the request (code {code}){where}: {detail}. {advice}", **context
    )
