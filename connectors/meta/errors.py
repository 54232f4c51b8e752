"""Classifying Meta Graph API answers (reference section 5).

Meta reports every error, throttling included, as an ``{"error": {...}}`` envelope, usually with
HTTP 400. The code and subcode decide whether to retry, ask for less data, or stop with a
message that says what to fix.
"""

from __future__ import annotations

from typing import Any

import requests

from connectors.common.errors import ApiError, FatalApiError, QueryTooLargeError, RetryableApiError
from connectors.common.graph import (
    LASTING,
    PERMISSION_CODES,
    THROTTLED,
    TOKEN_CODES,
    retry_verdict,
)
from connectors.common.redaction import redact_text
from connectors.meta.throttle import read_usage

PLATFORM = "Meta"
TOKEN_SETTING = "META_ACCESS_TOKEN"
ACCOUNTS_SETTING = "META_AD_ACCOUNT_IDS"
VERSION_SETTING = "META_API_VERSION"
#: "(#2635) You are calling a deprecated version of the Ads API" (connectors/meta/versions.py).
DEPRECATED_VERSION_CODE = 2635

SHRINK_CODES = frozenset({(100, 1487534), (100, 1504018), (2, 1504038), (-3, 1504045)})
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
TOKEN_CODE_REASONS = {104: "the access token is missing or invalid"}


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
    user_note = _user_note(error)
    context = {"platform": PLATFORM, "code": code, "subcode": subcode, "account": account}
    where = f" for account {account}" if account else ""
    label = _code_label(code, subcode)
    transient = error.get("is_transient")
    if (code, subcode) in SHRINK_CODES:
        return QueryTooLargeError(f"Meta: query too large ({label}){where}: {detail}", **context)
    if code in FATAL_CODES or (code, subcode) in FATAL_PAIRS:
        return FatalApiError(fatal_message(code, subcode, detail, account, user_note), **context)
    verdict = retry_verdict(code, transient)
    if verdict == LASTING:
        return FatalApiError(
            f"Meta refused the request ({label}){where} and marked the error as not transient "
            f"(is_transient: false), so it was not retried: {detail}{user_note}. Fix what "
            "Meta's message names (usually the ad account's state or settings in Ads Manager "
            f"or Business Settings), or remove the account from {ACCOUNTS_SETTING}; then "
            "re-run the extract.",
            **context,
        )
    if verdict is not None:
        wait = read_usage(response.headers).regain_seconds or None
        kind = "throttled" if verdict == THROTTLED else "transient error"
        return RetryableApiError(
            f"Meta: {kind} ({label}){where}: {detail}{user_note}", wait_seconds=wait, **context
        )
    return FatalApiError(fatal_message(code, subcode, detail, account, user_note), **context)


def fatal_message(
    code: int | None,
    subcode: int | None,
    detail: str,
    account: str | None,
    user_note: str = "",
) -> str:
    """An actionable sentence for a non-retryable Meta error (never includes the token).

    ``user_note`` is Meta's own ``error_user_title``/``error_user_msg``, already formatted by
    :func:`_user_note` (empty when Meta sent none).
    """
    where = f" for ad account {account}" if account else ""
    if code in TOKEN_CODES:
        reason = TOKEN_SUBCODES.get(subcode or 0) or TOKEN_CODE_REASONS.get(code or 0)
        label = f"code {code}" + (f", subcode {subcode}" if subcode else "")
        label += f": {reason}" if reason else ""
        return (
            f"Meta rejected the access token ({label}){where}{user_note}. Create a new "
            f"system-user token with ads_read and set {TOKEN_SETTING}."
        )
    if code in PERMISSION_CODES:
        return (
            f"Meta denied permission ({_code_label(code, subcode)}){where}: {detail}{user_note}. "
            "Give the token's system user access to the ad account with the ads_read "
            f"permission, or remove the account from {ACCOUNTS_SETTING}."
        )
    if code == DEPRECATED_VERSION_CODE:
        return (
            f"Meta no longer serves this Marketing API version (code 2635){where}: {detail}"
            f"{user_note}. Set {VERSION_SETTING} to a supported version (the longest-lived one "
            "is listed in connectors/meta/versions.py) and re-run the extract."
        )
    if code == 3:
        return (
            f"Meta says the app lacks the capability for this call (code 3){where}: {detail}"
            f"{user_note}. Add the Marketing API product to the app and request Ads Management "
            "Standard Access."
        )
    if code == 100:
        return (
            f"Meta refused a parameter of the request ({_code_label(code, subcode)}){where}: "
            f"{detail}{user_note}. Retrying will not help; a field or parameter may not exist "
            f"in META_API_VERSION, or the id is not an ad account in {ACCOUNTS_SETTING}; "
            "otherwise report a connector bug."
        )
    return (
        f"Meta refused the request ({_code_label(code, subcode)}){where}: {detail}{user_note}. "
        "Retrying will not help; act on Meta's message (e.g. the ad account's state in Ads "
        f"Manager), remove the account from {ACCOUNTS_SETTING}, or report a connector bug."
    )


def _user_note(error: dict[str, Any]) -> str:
    """Meta's message for people (``error_user_title``/``error_user_msg``), if it sent one."""
    parts = [
        redact_text(str(error.get(key))).strip()
        for key in ("error_user_title", "error_user_msg")
        if error.get(key)
    ]
    return f" (Meta says: {': '.join(parts)})" if parts else ""


def _code_label(code: int | None, subcode: int | None) -> str:
    return f"code {code}" + (f", subcode {subcode}" if subcode else "")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
