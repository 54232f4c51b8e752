"""Downloading the ECB rates file through the shared retrying session."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import requests

from connectors.common.http import ApiSession
from connectors.fx.errors import PLATFORM, classify_ecb_response, read_csv_body
from socialmart.settings import FxSettings, HttpSettings


class EcbClient:
    """Fetches ``fx.rates_url`` (the whole history file: one request, no paging, no token).

    Args:
        fx: FX settings (the file URL).
        http: Shared HTTP settings (timeouts, retries, backoff).
        session: Optional ``requests.Session`` (tests).
        sleep: Replaces ``time.sleep`` (tests).
        clock: Replaces ``time.time`` (tests).
        jitter: Replaces ``random.random`` (tests).
    """

    def __init__(
        self,
        fx: FxSettings,
        http: HttpSettings,
        session: requests.Session | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.url = fx.rates_url
        self._api = ApiSession(
            PLATFORM,
            fx.rates_url,
            http,
            classify_ecb_response,
            read_body=read_csv_body,
            session=session,
            sleep=sleep,
            clock=clock,
            jitter=jitter,
        )

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self._api.request_count

    def fetch_history_csv(self, account: str | None = None) -> str:
        """The full text of the rates file.

        Raises:
            FatalApiError: The URL does not serve the ECB CSV.
            RetriesExhaustedError: Transient failures outlasted the retry budget.
        """
        return self._api.get(self.url, account=account)

    def close(self) -> None:
        """Close the connection pool."""
        self._api.close()
