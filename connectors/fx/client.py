"""Downloading the ECB rates file through the shared retrying session."""

from __future__ import annotations

from typing import Any

from connectors.common.client import ApiClient
from connectors.fx.errors import PLATFORM, classify_ecb_response, read_csv_body
from socialmart.settings import FxSettings, HttpSettings


class EcbClient(ApiClient):
    """Fetches ``fx.rates_url`` (the whole history file: one request, no paging, no token).

    Args:
        fx: FX settings (the file URL).
        http: Shared HTTP settings (timeouts, retries, backoff).
        **options: ``session``, ``sleep``, ``clock``, ``jitter`` (tests; see
            :class:`~connectors.common.client.ApiClient`).
    """

    def __init__(
        self,
        fx: FxSettings,
        http: HttpSettings,
        **options: Any,
    ) -> None:
        self.url = fx.rates_url
        super().__init__(
            PLATFORM,
            fx.rates_url,
            http,
            classify_ecb_response,
            read_body=read_csv_body,
            **options,
        )

    def fetch_history_csv(self, account: str | None = None) -> str:
        """The full text of the rates file (a CSV body, not a JSON answer).

        Raises:
            FatalApiError: The URL does not serve the ECB CSV.
            RetriesExhaustedError: Transient failures outlasted the retry budget.
        """
        return self._api.get(self.url, account=account)
