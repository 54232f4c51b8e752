"""TikTok API for Business v1.3 client: ``Access-Token`` auth, the shared retrying session,
QPS pacing and one pagination loop over ``data.list`` + ``data.page_info``."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import requests

from connectors.common.errors import FatalApiError
from connectors.common.http import ApiSession
from connectors.tiktok.errors import PLATFORM, classify_tiktok_response
from connectors.tiktok.throttle import TokenBucket
from socialmart.settings import HttpSettings, TikTokSettings

log = logging.getLogger(__name__)

TOKEN_HEADER = "Access-Token"


def encode_params(params: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters as TikTok wants them: lists and objects as JSON strings."""
    return {
        name: json.dumps(value, separators=(",", ":"))
        if isinstance(value, list | dict)
        else str(value)
        for name, value in params.items()
    }


class TikTokClient:
    """Talks to ``{base_url}/open_api/{api_version}`` with the token in ``Access-Token``.

    Args:
        tiktok: TikTok settings (base URL, version, token, QPS).
        http: Shared HTTP settings (timeouts, retries, backoff).
        session: Optional ``requests.Session`` (tests, connection reuse).
        sleep: Replaces ``time.sleep`` (tests).
        clock: Replaces ``time.time`` (tests; also drives the QPS bucket).
        jitter: Replaces ``random.random`` (tests).
    """

    def __init__(
        self,
        tiktok: TikTokSettings,
        http: HttpSettings,
        session: requests.Session | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.settings = tiktok
        self._api = ApiSession(
            PLATFORM,
            f"{tiktok.base_url.rstrip('/')}/open_api/{tiktok.api_version}",
            http,
            classify_tiktok_response,
            pace=TokenBucket(tiktok.qps, clock),
            headers={TOKEN_HEADER: tiktok.access_token},
            session=session,
            sleep=sleep,
            clock=clock,
            jitter=jitter,
        )

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self._api.request_count

    def close(self) -> None:
        """Release the connection pool."""
        self._api.close()

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, account: str | None = None
    ) -> dict[str, Any]:
        """GET one endpoint and return its ``data`` object.

        Args:
            path: Resource below the versioned base, e.g. ``"advertiser/info/"``.
            params: Query parameters; lists and objects are JSON-encoded.
            account: Advertiser the call is about, for error messages.

        Raises:
            FatalApiError: TikTok refused for good, or answered without a ``data`` object.
            QueryTooLargeError: TikTok asks for a shorter span or a smaller query.
            RetriesExhaustedError: Transient failures outlasted the retry budget.
        """
        body = self._api.get(path, encode_params(params or {}), account=account)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise FatalApiError(
                f"TikTok answered {path} without a data object; is TIKTOK_BASE_URL the "
                "API for Business host?",
                platform=PLATFORM,
                account=account,
            )
        return data

    def pages(
        self,
        path: str,
        params: Mapping[str, Any],
        *,
        page_size: int,
        account: str | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield ``data.list`` of every page, from page 1 until ``page >= total_page``.

        An empty page may omit ``list``; it is yielded as ``[]``.
        """
        page = 1
        while True:
            data = self.get(path, {**params, "page": page, "page_size": page_size}, account=account)
            rows = data.get("list") or []
            yield rows
            info = data.get("page_info") or {}
            total_pages = int(info.get("total_page") or 0)
            if page >= total_pages or not rows:
                return
            page += 1

    def list_advertisers(self, app_id: str, app_secret: str) -> list[str]:
        """Advertiser ids authorized to the app (``/oauth2/advertiser/get/``)."""
        data = self.get("oauth2/advertiser/get/", {"app_id": app_id, "secret": app_secret})
        ids = [str(row["advertiser_id"]) for row in data.get("list") or []]
        return list(dict.fromkeys(ids))
