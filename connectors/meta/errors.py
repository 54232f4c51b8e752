"""Classifying Meta Graph API answers (reference section 5).

Meta reports every error, throttling included, as an ``{"error": {...}}`` envelope, usually with
HTTP 400. The code and subcode decide whether to retry, ask for less data, or stop with a
message that says what to fix.
"""

from __future__ import annotations

from typing import Any

import requests

from connectors.common.errors import ApiError, FatalApiError, QueryTooLargeError, RetryableApiError
from connectors.common.redaction import redact_text
from connectors.meta.throttle import read_usage

PLATFORM = "Meta"

RETRYABLE_CODES = frozenset({1, 2, 4, 17, 32, 341, 613, *range(80000, 80010), 80014})
SHRINK_CODES = frozenset({(100, 1487534), (100, 1504018), (2, 1504038), (-3, 1504045)})
TOKEN_CODES = frozenset({190, 102})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
FATAL_CODES = TOKEN_CODES | PERMISSION_CODES | {3}
FATAL_PAIRS = frozenset({(100, 3191001)})
TOKEN_SUBCODES = {
    458: "the app is not installed for this user",
    459: "the user is checkpointed",
    460: "the password changed",
    463: "expired",
    464: "the user is not confirmed",
    467: "invalid",
}


class PageTooLargeError(QueryTooLargeError):
    """Meta refuses a page as too large even at the smallest page size the caller allows.

    Attributes:
        limit: The page size of the refused request, or None if it named none.
    """

    def __init__(self, message: str, *, limit: int | None, **context: Any) -> None:
        super().__init__(message, **context)
        self.limit = limit

    @classmethod
    def refused(cls, error: QueryTooLargeError, limit: int | None) -> PageTooLargeError:
        """``error`` (Meta's refusal of a page of ``limit`` rows) as a final refusal."""
        return cls(
            str(error),
            limit=limit,
            platform=error.platform,
            code=error.code,
            subcode=error.subcode,
            account=error.account,
        )


def classify_meta_response(
    response: requests.Response, body: Any, account: str | None
) -> ApiError | None:
    """Turn a Meta answer into ``None`` (usable) or the error that says what to do.

    Args:
        response: The HTTP response (headers carry usage and recovery estimates).
        body: Parsed JSON body, or ``None`` if it was not JSON.
        account: Ad account the request was about, for messages.

    Returns:
        ``None`` without an error envelope (the session still checks the HTTP status), else a
        :class:`RetryableApiError`, :class:`QueryTooLargeError` or :class:`FatalApiError`.
    """
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    detail = redact_text(str(error.get("message") or "no message"))
    context = {"platform": PLATFORM, "code": code, "subcode": subcode, "account": account}
    where = f" for account {account}" if account else ""
    label = _code_label(code, subcode)
    if (code, subcode) in SHRINK_CODES:
        return QueryTooLargeError(f"Meta: query too large ({label}){where}: {detail}", **context)
    known_fatal = code in FATAL_CODES or (code, subcode) in FATAL_PAIRS
    if not known_fatal and (code in RETRYABLE_CODES or error.get("is_transient") is True):
        wait = read_usage(response.headers).regain_seconds or None
        return RetryableApiError(
            f"Meta: transient error ({label}){where}: {detail}", wait_seconds=wait, **context
        )
    return FatalApiError(fatal_message(code, subcode, detail, account), **context)


def fatal_message(code: int | None, subcode: int | None, detail: str, account: str | None) -> str:
    """An actionable sentence for a non-retryable Meta error (never includes the token)."""
    where = f" for ad account {account}" if account else ""
    if code in TOKEN_CODES:
        reason = TOKEN_SUBCODES.get(subcode or 0)
        label = f"code {code}" + (f", subcode {subcode}" if subcode else "")
        label += f": {reason}" if reason else ""
        return (
            f"Meta rejected the access token ({label}){where}. Create a new system-user token "
            "with ads_read and set META_ACCESS_TOKEN."
        )
    if code in PERMISSION_CODES:
        return (
            f"Meta denied permission ({_code_label(code, subcode)}){where}: {detail}. Give the "
            "token's system user access to the ad account with the ads_read permission, or "
            "remove the account from META_AD_ACCOUNT_IDS."
        )
    if code == 3:
        return (
            f"Meta says the app lacks the capability for this call (code 3){where}: {detail}. "
            "Add the Marketing API product to the app and request Ads Management Standard Access."
        )
    return (
        f"Meta refused the request ({_code_label(code, subcode)}){where}: {detail}. Retrying "
        "will not help; check META_API_VERSION and the account ids, or report a connector bug."
    )


def _code_label(code: int | None, subcode: int | None) -> str:
    return f"code {code}" + (f", subcode {subcode}" if subcode else "")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
