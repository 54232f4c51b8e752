"""A client for Graph-style APIs (Threads, Instagram): token parameter, error envelope, paging.

Meta's Graph APIs share one error envelope (``{"error": {code, error_subcode, message,
is_transient, fbtrace_id}}``, usually HTTP 400) and one paging scheme (``paging.next`` links
that repeat the query, token included). :func:`graph_classifier` maps the envelope's codes to
retry or stop (reference section 5); :class:`GraphClient` (on the shared
:class:`~connectors.common.client.ApiClient`) adds the token and follows ``paging.next`` as is;
Meta's client builds on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import requests

from connectors.common.client import ApiClient
from connectors.common.errors import ApiError, FatalApiError, RetryableApiError
from connectors.common.http import Classifier, query_params, redact_url
from connectors.common.redaction import SecretMaskingFilter, redact_text
from connectors.common.streams import NEXT_LINK
from socialmart.settings import HttpSettings

log = logging.getLogger(__name__)

TOKEN_PARAM = "access_token"
# Throttling: waiting always helps, whatever ``is_transient`` says. 4 app, 17 user/account,
# 32 page, 341 app limit, 613 custom/ad-account limits (Graph API and Marketing API
# rate-limiting pages). 80000-80014 are the Business Use Case (BUC) throttles, one code per use
# case, e.g. 80000 ads insights, 80003 custom audience, 80004 ads management (Meta's
# custom-audience/ads reference: "too many calls to this ad-account. Wait a bit and try again",
# linking rate-limiting#ads-management), 80014 catalog batch (Meta's product-catalog/batch
# reference, linking rate-limiting#catalog). Meta's rate-limiting page
# (https://developers.facebook.com/docs/graph-api/overview/rate-limiting) documents the BUC
# codes as one block; a digest of that page (api-evangelist/facebook-business-manager,
# rate-limits yml: "BUC-specific: 80001-80014") lists 80010-80013 in it too (catalog and other
# business use cases). So 80010-80013 are retried like their neighbours: retrying a throttle
# costs a wait, failing it throws away the account's extract. See docs/operations.md.
THROTTLE_CODES = frozenset({4, 17, 32, 341, 613, *range(80000, 80015)})
# Retried unless Meta's envelope says ``is_transient: false``: 1 unknown error, 2 service
# temporarily unavailable (Marketing API error reference). Meta marks a lasting condition
# behind these generic codes with ``is_transient: false`` (e.g. code 1, subcode 2853001 in
# Airbyte's facebook-marketing tests: an account configuration problem, not an outage).
GENERIC_RETRYABLE_CODES = frozenset({1, 2})
# 190 invalid/expired OAuth token, 102 session key invalid, 104 access token missing or invalid.
TOKEN_CODES = frozenset({190, 102, 104})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
THROTTLED, TRANSIENT, LASTING = "throttled", "transient", "lasting"

#: Loggers whose records can carry request details of a Graph call.
_LOGGERS = ("connectors.common.http", __name__, "urllib3.connectionpool")


def retry_verdict(code: int | None, is_transient: Any) -> str | None:
    """What Meta's Graph envelope says about retrying, the envelope's flag before code lists.

    Returns:
        :data:`THROTTLED` (a throttle code: waiting helps, whatever the flag says),
        :data:`TRANSIENT` (``is_transient: true``, or a generic code not marked otherwise),
        :data:`LASTING` (a generic code Meta marked ``is_transient: false``: do not retry), or
        ``None``: not retryable, classify by the other code families.
    """
    if code in THROTTLE_CODES:
        return THROTTLED
    if is_transient is True:
        return TRANSIENT
    if code in GENERIC_RETRYABLE_CODES:
        return LASTING if is_transient is False else TRANSIENT
    return None


def graph_error(body: Any) -> tuple[int | None, int | None, str, bool | None] | None:
    """``(code, subcode, redacted message, is_transient as sent)`` of an error envelope."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    message = redact_text(str(error.get("message") or "no message"))
    return (
        _int(error.get("code")),
        _int(error.get("error_subcode")),
        message,
        error.get("is_transient") if isinstance(error.get("is_transient"), bool) else None,
    )


def graph_classifier(platform: str, token_hint: str, permission_hint: str) -> Classifier:
    """A classifier for a Graph API with Meta's error codes and platform-specific advice.

    Args:
        platform: Human name, e.g. ``"Threads"``.
        token_hint: What to do about a rejected token (names the setting to change).
        permission_hint: What to do about a missing permission.

    Returns:
        ``(response, body, account) -> ApiError | None``, see :data:`Classifier`.
    """

    def classify(response: requests.Response, body: Any, account: str | None) -> ApiError | None:
        if body is None and "json" in response.headers.get("Content-Type", ""):
            # Graph errors are JSON: an unreadable JSON error body was cut off in transit.
            return RetryableApiError(
                f"{platform}: HTTP {response.status_code} with a truncated JSON body",
                platform=platform,
                account=account,
            )
        found = graph_error(body)
        if found is None:
            return None
        code, subcode, message, transient = found
        label = f"code {code}" + (f", subcode {subcode}" if subcode else "")
        where = f" for {account}" if account else ""
        context = {"platform": platform, "code": code, "subcode": subcode, "account": account}
        if code in TOKEN_CODES:
            text = f"{platform} rejected the access token ({label}){where}: {message}. {token_hint}"
            return FatalApiError(text, **context)
        if code in PERMISSION_CODES:
            text = f"{platform} denied permission ({label}){where}: {message}. {permission_hint}"
            return FatalApiError(text, **context)
        verdict = retry_verdict(code, transient)
        if verdict in (THROTTLED, TRANSIENT):
            return RetryableApiError(
                f"{platform}: {verdict} ({label}){where}: {message}", **context
            )
        if verdict == LASTING:
            return FatalApiError(
                f"{platform} refused the request ({label}){where} and marked the error as not "
                f"transient (is_transient: false), so it was not retried: {message}. Fix what "
                "the message names, then re-run the extract.",
                **context,
            )
        return FatalApiError(
            f"{platform} refused the request ({label}){where}: {message}. Retrying will not "
            "help; check the ids and API version settings, or report a connector bug.",
            **context,
        )

    return classify


def mask_secrets(secrets: Iterable[str]) -> None:
    """Mask these secret values in every record of the loggers that see Graph requests.

    Idempotent per set of secrets. Logger filters only see records created on that logger,
    so the loggers that format request details are named one by one.
    """
    wanted = frozenset(s for s in secrets if s)
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _TokenMask) and f.masked == wanted for f in logger.filters):
            logger.addFilter(_TokenMask(wanted))


class _TokenMask(SecretMaskingFilter):
    """A masking filter that remembers its secrets, so installing it twice is a no-op."""

    def __init__(self, secrets: frozenset[str]) -> None:
        super().__init__(secrets)
        self.masked = secrets


class GraphClient(ApiClient):
    """GETs objects and edges of one Graph API with one access token.

    Args:
        platform: Human name used in messages.
        base_url: Versioned base URL, e.g. ``https://graph.threads.net/v1.0``.
        token: Access token, sent as ``access_token`` and masked in logs.
        http: Timeouts and retry budget.
        classify: Error classifier, e.g. from :func:`graph_classifier`.
        **options: :class:`~connectors.common.client.ApiClient` options (session, sleep,
            clock, jitter, pacer).
    """

    endpoint = "a Graph API endpoint"
    paginator = NEXT_LINK

    def __init__(
        self,
        platform: str,
        base_url: str,
        token: str,
        http: HttpSettings,
        classify: Classifier,
        **options: Any,
    ) -> None:
        self._token = token
        mask_secrets([token])
        super().__init__(
            platform, base_url, http, classify, default_params={TOKEN_PARAM: token}, **options
        )

    def data(
        self, path: str, params: Mapping[str, Any] | None = None, *, account: str | None = None
    ) -> list[dict[str, Any]]:
        """The ``data`` list of a single-page answer (insights)."""
        return self.records(self.get(path, params, account=account), path, account, "data")

    def page_loop(
        self, path: str, params: dict[str, Any], account: str | None, records_at: str
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield the ``data`` list of every page of an edge, following ``paging.next`` as is.

        Stops only when a page has no ``paging.next`` (short and empty pages may still have
        one); a ``next`` link seen twice is a loop and stops the extract. The link repeats the
        query including the token: it is requested unchanged and only ever logged redacted.
        A page size is sent as ``limit``.
        """
        return self.link_pages(path, params, account, self._get_page, records_at)

    def link_pages(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        account: str | None,
        get_page: Callable[[str, dict[str, Any], str, str | None], dict[str, Any]],
        records_at: str = "data",
    ) -> Iterator[list[dict[str, Any]]]:
        """:meth:`pages` with ``get_page(target, params, path, account)`` fetching each page
        (``target``: the edge path, then each ``next`` link)."""

        def fetch(next_url: str | None) -> dict[str, Any]:
            if next_url is None:
                return get_page(path, dict(params or {}), path, account)
            log.debug("%s %s: next page %s", self.platform, path, redact_url(next_url))
            extra = {} if TOKEN_PARAM in query_params(next_url) else {TOKEN_PARAM: self._token}
            return get_page(next_url, extra, path, account)

        return self.follow(
            None,
            fetch,
            lambda answer: self.records(answer, path, account, records_at),
            lambda answer, _: (answer.get("paging") or {}).get("next") or None,
            account,
            lambda next_url: (
                f"{self.platform} paging loops on {redact_url(next_url)}; restart the extract."
            ),
        )

    def _get_page(
        self, target: str, params: dict[str, Any], path: str, account: str | None
    ) -> dict[str, Any]:
        return self.answer(self._api.get(target, params, account=account), path, account)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
