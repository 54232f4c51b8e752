"""TikTok API for Business v1.3 client: ``Access-Token`` auth, the shared retrying session,
QPS pacing and one pagination loop over ``data.list`` + ``data.page_info``."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from connectors.common.client import ApiClient
from connectors.common.streams import PAGE_NUMBER
from connectors.tiktok.errors import PLATFORM, classify_tiktok_response
from connectors.tiktok.throttle import TokenBucket
from socialmart.settings import HttpSettings, TikTokSettings

TOKEN_HEADER = "Access-Token"


def encode_params(params: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters as TikTok wants them: lists and objects as JSON strings."""
    return {
        name: json.dumps(value, separators=(",", ":"))
        if isinstance(value, list | dict)
        else str(value)
        for name, value in params.items()
    }


class TikTokClient(ApiClient):
    """Talks to ``{base_url}/open_api/{api_version}`` with the token in ``Access-Token``.

    Every answer is the ``data`` object of TikTok's envelope (errors are classified first).

    Args:
        tiktok: TikTok settings (base URL, version, token, QPS).
        http: Shared HTTP settings (timeouts, retries, backoff).
        clock: Replaces ``time.time`` (tests; also drives the QPS bucket).
        **options: ``session``, ``sleep``, ``jitter`` (tests; see
            :class:`~connectors.common.client.ApiClient`).
    """

    envelope = "data"
    endpoint = "the API for Business host"
    paginator = PAGE_NUMBER
    records_may_be_absent = True
    records_key = "list"
    page_size_param = "page_size"
    page_size_setting = "TIKTOK_PAGE_SIZE"

    def __init__(
        self,
        tiktok: TikTokSettings,
        http: HttpSettings,
        *,
        clock: Callable[[], float] = time.time,
        **options: Any,
    ) -> None:
        self.settings = tiktok
        super().__init__(
            PLATFORM,
            f"{tiktok.base_url.rstrip('/')}/open_api/{tiktok.api_version}",
            http,
            classify_tiktok_response,
            pace=TokenBucket(tiktok.qps, clock),
            headers={TOKEN_HEADER: tiktok.access_token},
            clock=clock,
            **options,
        )

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, account: str | None = None
    ) -> dict[str, Any]:
        """GET one endpoint and return its ``data`` object; lists and objects in ``params``
        are sent JSON-encoded (see :meth:`ApiClient.get`)."""
        return super().get(path, encode_params(params or {}), account=account)

    def page_loop(
        self, path: str, params: dict[str, Any], account: str | None, records_at: str
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield ``data.list`` of every page, from page 1 until ``page >= total_page``.

        An empty page may omit ``list``; it is yielded as ``[]`` and ends the loop.
        """

        def fetch(page: int) -> dict[str, Any]:
            return self.get(path, {**params, "page": page}, account=account)

        def next_page(answer: dict[str, Any], page: int) -> int | None:
            total_pages = int((answer.get("page_info") or {}).get("total_page") or 0)
            return page + 1 if page < total_pages and answer.get(records_at) else None

        return self.follow(
            1,
            fetch,
            lambda answer: self.records(answer, path, account, records_at),
            next_page,
            account,
        )

    def list_advertisers(self, app_id: str, app_secret: str) -> list[str]:
        """Advertiser ids authorized to the app (``/oauth2/advertiser/get/``)."""
        data = self.get("oauth2/advertiser/get/", {"app_id": app_id, "secret": app_secret})
        ids = [str(row["advertiser_id"]) for row in data.get("list") or []]
        return list(dict.fromkeys(ids))
