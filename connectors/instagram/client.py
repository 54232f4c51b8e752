"""The Instagram Graph API client: Graph error codes plus the per-media "unavailable" cases."""

from __future__ import annotations

from typing import Any

import requests

from connectors.common.errors import ApiError, FatalApiError
from connectors.common.graph import GraphClient, graph_classifier, graph_error
from socialmart.settings import Settings

PLATFORM = "Instagram"

_classify_graph = graph_classifier(
    PLATFORM,
    token_hint="Create a new token with instagram_basic and instagram_manage_insights "
    "(Facebook Login) or instagram_business_manage_insights (Instagram Login) and set "
    "INSTAGRAM_ACCESS_TOKEN.",
    permission_hint="Give the token instagram_manage_insights on the Instagram account, or "
    "remove the media from INSTAGRAM_MEDIA_IDS.",
)


class MediaUnavailableError(FatalApiError):
    """Instagram will not show this media's insights; other media are unaffected.

    Attributes:
        status: ``not_enough_viewers`` or ``inaccessible`` (see the stream's docs).
    """

    def __init__(self, message: str, *, status: str, code: int | None, subcode: int | None):
        super().__init__(message, platform=PLATFORM, code=code, subcode=subcode)
        self.status = status


def classify_instagram_response(
    response: requests.Response, body: Any, account: str | None
) -> ApiError | None:
    """Graph classification, except two per-media answers that must not stop the account:
    ``(#10) Not enough viewers`` (small stories) and ``100/33`` (deleted or not readable)."""
    found = graph_error(body)
    if found is not None:
        code, subcode, message, _ = found
        if code == 10 and "not enough viewers" in message.lower():
            return MediaUnavailableError(
                message, status="not_enough_viewers", code=code, subcode=subcode
            )
        if (code, subcode) == (100, 33):
            return MediaUnavailableError(message, status="inaccessible", code=code, subcode=33)
    return _classify_graph(response, body, account)


def instagram_client(settings: Settings) -> GraphClient:
    """A client with ``INSTAGRAM_ACCESS_TOKEN`` against the versioned base URL."""
    instagram = settings.instagram
    return GraphClient(
        PLATFORM,
        f"{instagram.base_url}/{instagram.api_version}",
        instagram.access_token,
        settings.http,
        classify_instagram_response,
    )
