"""The stand-in Instagram Graph API (``graph.instagram.com``): media insights only.

``GET /v{N}.0/{ig-media-id}/insights?metric=...`` answers ``{"data": [...]}`` with lifetime
values as JSON numbers, ``{"data": []}`` while insights are not available yet, and the
Graph error envelope for a bad token (190), unknown media (100/33), bad metrics (100) and
stories with too few viewers (10).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from sandbox.clock import Clock, sandbox_now
from sandbox.faults import FaultRule
from sandbox.instagram.media import (
    AVAILABLE,
    MEDIA_METRICS,
    NOT_ENOUGH_VIEWERS,
    find_media,
    media_metrics,
    status,
)
from sandbox.meta import errors
from sandbox.meta.errors import MetaError
from sandbox.routing import Request, Response

HOST = "graph.instagram.com"
_VERSION = re.compile(r"^v\d+\.\d+$")
_TITLES = {
    "reach": "Accounts reached",
    "views": "Views",
    "likes": "Likes",
    "comments": "Comments",
    "shares": "Shares",
    "saved": "Saved",
    "total_interactions": "Interactions",
}


def not_enough_viewers() -> MetaError:
    return MetaError(10, "(#10) Not enough viewers for the media to show insights")


class InstagramApi:
    """Serves insights of the creators' partnership posts (:mod:`sandbox.creators`).

    Args:
        seed: data seed.
        token: the only access token accepted.
        clock: the stand-in's "now" (default ``SANDBOX_NOW``, else real time); insights
            grow up to it.
    """

    host = HOST

    def __init__(self, *, seed: int, token: str, clock: Clock = sandbox_now) -> None:
        self.seed = seed
        self._token = token
        self._clock = clock
        self._trace = itertools.count(1)

    def handle(self, request: Request, subpath: str, fault: FaultRule | None) -> Response:
        """Answer one request under ``/graph.instagram.com``."""
        try:
            if fault is not None and fault.kind == "meta_error":
                raise MetaError.from_fault(fault)
            errors.checked_token(request, self._token)
            payload = self._route(request, [s for s in subpath.split("/") if s])
        except MetaError as exc:
            return Response.json(exc.status, exc.envelope(next(self._trace)))
        return Response.json(200, payload)

    def _route(self, request: Request, segments: list[str]) -> dict[str, Any]:
        if request.method != "GET":
            raise errors.unsupported_method(request.method)
        if not segments or not _VERSION.match(segments[0]):
            raise errors.unknown_object(segments[0] if segments else "")
        if len(segments) != 3 or segments[2] != "insights":
            raise errors.unknown_path("/".join(segments[2:]) or segments[-1])
        media = find_media(segments[1])
        now = self._clock()
        if media is None or media.posted_at > now:
            raise errors.unknown_object(segments[1])
        metrics = _metrics(request)
        state = status(media, now)
        if state == NOT_ENOUGH_VIEWERS:
            raise not_enough_viewers()
        if state != AVAILABLE:
            return {"data": []}
        numbers = media_metrics(self.seed, media, now)
        return {"data": [_entry(media.media_id, m, numbers[m]) for m in metrics]}


def _entry(media_id: str, metric: str, value: int) -> dict[str, Any]:
    return {
        "name": metric,
        "period": "lifetime",
        "values": [{"value": value}],
        "title": _TITLES[metric],
        "description": f"The {_TITLES[metric].lower()} of the media.",
        "id": f"{media_id}/insights/{metric}/lifetime",
    }


def _metrics(request: Request) -> list[str]:
    raw = request.param("metric")
    if not raw:
        raise errors.invalid_parameter("The parameter metric is required")
    metrics = list(dict.fromkeys(m.strip() for m in raw.split(",") if m.strip()))
    for index, metric in enumerate(metrics):
        if metric not in MEDIA_METRICS:
            raise errors.invalid_parameter(
                f"metric[{index}] must be one of the following values: " + ", ".join(MEDIA_METRICS)
            )
    return metrics
