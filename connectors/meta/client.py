"""Meta Graph / Marketing API client: a :class:`~connectors.common.graph.GraphClient` with
Meta's classifier, usage-header pacing, POST (async report runs) and shrinking pages.

Given a floor, the page loop also shrinks pages: a page Meta refuses as too large is asked for
again with half the ``limit`` from the same cursor, down to the floor (see
:meth:`MetaClient.pages`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from connectors.common.errors import QueryTooLargeError
from connectors.common.graph import GraphClient
from connectors.common.http import query_params, redact_url
from connectors.meta.errors import PLATFORM, PageTooLargeError, classify_meta_response
from connectors.meta.throttle import ThrottlePolicy, pause_seconds, read_usage
from socialmart.settings import HttpSettings, MetaSettings

log = logging.getLogger(__name__)

LIMIT_PARAM = "limit"


def normalize_account_id(account: str) -> str:
    """``"act_123"`` or ``"123"`` -> ``"123"`` (the form insights rows carry in ``account_id``)."""
    account = account.strip()
    return account.removeprefix("act_")


class MetaClient(GraphClient):
    """Talks to ``{base_url}/{api_version}`` with the token as the ``access_token`` parameter.

    Args:
        meta: Meta settings (base URL, version, token, page limit).
        http: Shared HTTP settings (timeouts, retries, backoff).
        throttle: When to slow down on usage headers.
        **options: ``session``, ``sleep``, ``clock``, ``jitter`` (tests; see
            :class:`~connectors.common.client.ApiClient`).
    """

    def __init__(
        self,
        meta: MetaSettings,
        http: HttpSettings,
        *,
        throttle: ThrottlePolicy | None = None,
        **options: Any,
    ) -> None:
        self.settings = meta
        policy = throttle or ThrottlePolicy()
        super().__init__(
            PLATFORM,
            f"{meta.base_url.rstrip('/')}/{meta.api_version}",
            meta.access_token,
            http,
            classify_meta_response,
            pace=lambda response: pause_seconds(read_usage(response.headers), policy),
            **options,
        )

    def post(
        self, path: str, params: Mapping[str, Any] | None = None, *, account: str | None = None
    ) -> dict[str, Any]:
        """POST to an edge with the parameters in the query (e.g. creating an async report run).

        Args:
            path: Edge path below the versioned base URL.
            params: Query parameters (the token is added automatically).
            account: Ad account the call is about, for error messages.

        Returns:
            The JSON object Meta answered.
        """
        return self.request("POST", path, params, account=account)

    def shrinking_pages(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        *,
        account: str | None,
        limit_floor: int | None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield the ``data`` list of every page of an edge (as :meth:`GraphClient.pages`),
        shrinking refused pages.

        With ``limit_floor``, a page Meta refuses as too large is requested again with half
        its ``limit`` (never below the floor) and the same cursor, so the pages already
        yielded stay valid; later ``next`` links carry the smaller limit.

        Args:
            path: Edge path below the versioned base URL.
            params: Query parameters of the first request (``limit``: the first page size).
            account: Ad account the call is about, for error messages.
            limit_floor: Smallest page size to fall back to; None raises a refusal at once.

        Yields:
            Each page's records, possibly empty.

        Raises:
            PageTooLargeError: With ``limit_floor``, Meta refused a page of ``limit_floor``
                rows (or of a size it cannot halve).
            QueryTooLargeError: Without ``limit_floor``, Meta refused a page as too large.
        """

        def get_page(
            target: str, query: dict[str, Any], edge: str, owner: str | None
        ) -> dict[str, Any]:
            return self._shrinking_page(target, query, edge, owner, limit_floor)

        return self.link_pages(path, params, account, get_page)

    def _shrinking_page(
        self,
        target: str,
        params: dict[str, Any],
        path: str,
        account: str | None,
        limit_floor: int | None,
    ) -> dict[str, Any]:
        """GET one page (``target`` is a path or a ``next`` link), halving refused pages."""
        while True:
            try:
                return self._get_page(target, params, path, account)
            except QueryTooLargeError as exc:
                if limit_floor is None:
                    raise
                limit = _limit_of(target, params)
                if limit is None or limit <= limit_floor:
                    raise PageTooLargeError.refused(exc, limit) from exc
                smaller = max(limit // 2, limit_floor)
                log.warning(
                    "Meta account %s: a page of %d rows was refused as too large (%s); "
                    "asking again for %d rows from the same cursor",
                    account,
                    limit,
                    redact_url(target),
                    smaller,
                )
                target, params = _with_limit(target, params, smaller)

    def list_ad_accounts(self) -> list[str]:
        """Ad account ids (without ``act_``) the token can read, via ``GET /me/adaccounts``."""
        params = {"fields": "id,account_id", "limit": str(self.settings.page_limit)}
        accounts: list[str] = []
        for page in self.pages("me/adaccounts", params):
            for row in page:
                raw = row.get("account_id") or row.get("id")
                if raw:
                    accounts.append(normalize_account_id(str(raw)))
        return list(dict.fromkeys(accounts))


def _limit_of(target: str, params: Mapping[str, Any]) -> int | None:
    """The page size a request asks for: its ``limit`` parameter, else the one in its URL."""
    raw = str(params.get(LIMIT_PARAM) or query_params(target).get(LIMIT_PARAM))
    return int(raw) if raw.isdigit() else None


def _with_limit(target: str, params: dict[str, Any], limit: int) -> tuple[str, dict[str, Any]]:
    """The same request asking for ``limit`` rows: rewritten where it set its ``limit``."""
    if LIMIT_PARAM in params:
        return target, {**params, LIMIT_PARAM: str(limit)}
    parts = urlsplit(target)
    query = [
        (name, str(limit) if name == LIMIT_PARAM else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query))), params
