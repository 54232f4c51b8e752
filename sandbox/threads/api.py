"""The stand-in Threads API (``graph.threads.net``): auth, routes, cursor paging, errors.

Errors use the Graph API envelope (code 190 for a bad token, 100 for bad parameters) and
``paging.next`` repeats the query including ``access_token``, as on ``graph.facebook.com``.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.clock import Clock, sandbox_now
from sandbox.creators import BRAND, PROFILES, Profile
from sandbox.faults import FaultRule
from sandbox.meta import errors
from sandbox.meta.errors import MetaError
from sandbox.meta.paging import paged
from sandbox.routing import Request, Response
from sandbox.threads import render
from sandbox.threads.generator import POST_METRICS, Post, find_post, post_metrics, posts_between
from sandbox.threads.profile_insights import PROFILE_METRICS, day_numbers, link_clicks_between

HOST = "graph.threads.net"
#: Earliest ``since`` of the posts edge and of user insights (reference section 7).
POSTS_MIN_SINCE = 1688540400
INSIGHTS_MIN_SINCE = 1712991600
DEFAULT_LIMIT, MAX_LIMIT = 25, 100

_VERSION = re.compile(r"^v\d+\.\d+$")


class ThreadsApi:
    """Serves posts, post insights and profile insights of the scenario's profiles.

    Args:
        seed: data seed.
        token: the only access token accepted (``me`` is the brand's profile).
        clock: the stand-in's "now" (default ``SANDBOX_NOW``, else real time); posts exist
            and numbers grow up to it.
    """

    host = HOST

    def __init__(self, *, seed: int, token: str, clock: Clock = sandbox_now) -> None:
        self.seed = seed
        self._token = token
        self._clock = clock
        self._profiles = {p.threads_user_id: p for p in PROFILES}
        self._trace = itertools.count(1)

    def handle(self, request: Request, subpath: str, fault: FaultRule | None) -> Response:
        """Answer one request under ``/graph.threads.net``; errors become Graph envelopes."""
        try:
            if fault is not None and fault.kind == "meta_error":
                raise MetaError.from_fault(fault)
            token = errors.checked_token(request, self._token)
            payload = self._route(request, [s for s in subpath.split("/") if s], token)
        except MetaError as exc:
            return Response.json(exc.status, exc.envelope(next(self._trace)))
        return Response.json(200, payload)

    def _route(self, request: Request, segments: list[str], token: str) -> dict[str, Any]:
        if request.method != "GET":
            raise errors.unsupported_method(request.method)
        if not segments or not _VERSION.match(segments[0]):
            raise errors.unknown_object(segments[0] if segments else "")
        if len(segments) > 3:
            raise errors.unknown_path("/".join(segments[3:]))
        node, edge = segments[1] if len(segments) > 1 else "", segments[2:3]
        profile = BRAND if node == "me" else self._profiles.get(node)
        if profile is not None:
            return self._profile(request, profile, edge[0] if edge else None, token)
        post = find_post(self.seed, node)
        if post is None or post.posted_at > self._clock():
            raise errors.unknown_object(node)
        if not edge:
            return render.post_object(post, _fields(request, ("id",)))
        if edge == ["insights"]:
            return {"data": self._post_insights(request, post)}
        raise errors.unknown_path(edge[0])

    def _profile(
        self, request: Request, profile: Profile, edge: str | None, token: str
    ) -> dict[str, Any]:
        if edge is None:
            known = {"id": profile.threads_user_id, "username": profile.handle}
            known["name"] = profile.display_name
            fields = _fields(request, ("id",))
            for name in fields:
                if name not in known:
                    raise errors.nonexisting_field(name, "ThreadsUser")
            return {name: known[name] for name in fields}
        if edge == "threads":
            return self._posts(request, profile, token)
        if edge == "threads_insights":
            return {"data": self._profile_insights(request, profile)}
        raise errors.unknown_path(edge)

    def _posts(self, request: Request, profile: Profile, token: str) -> dict[str, Any]:
        now = self._clock()
        fields = _fields(request, ("id",))
        since = _unix(request, "since", POSTS_MIN_SINCE)
        until = _unix(request, "until", POSTS_MIN_SINCE)
        low = datetime.fromtimestamp(since, UTC) if since is not None else None
        high = min(datetime.fromtimestamp(until, UTC), now) if until is not None else now
        first = low.date() if low else date.min
        posts = [
            p
            for p in posts_between(self.seed, profile, first, high.date())
            if (low is None or p.posted_at >= low) and p.posted_at <= high
        ]
        posts.reverse()  # newest first, like the API
        objects = [render.post_object(p, fields) for p in posts]
        page, paging = paged(objects, request, token, _limit(request))
        return {"data": list(page), "paging": paging} if paging else {"data": list(page)}

    def _post_insights(self, request: Request, post: Post) -> list[dict[str, Any]]:
        metrics = _metrics(request, POST_METRICS)
        if not post.has_insights:
            return []
        numbers = post_metrics(post, self._clock())
        return [render.lifetime_entry(post.id, m, numbers[m]) for m in metrics]

    def _profile_insights(self, request: Request, profile: Profile) -> list[dict[str, Any]]:
        metrics = _metrics(request, PROFILE_METRICS)
        now = self._clock()
        since = _unix(request, "since", INSIGHTS_MIN_SINCE)
        until = _unix(request, "until", INSIGHTS_MIN_SINCE)
        low = datetime.fromtimestamp(since, UTC) if since is not None else now - timedelta(1)
        high = datetime.fromtimestamp(until, UTC) if until is not None else now
        if high <= low:
            raise errors.invalid_parameter("until must be later than since")
        days = []
        day = low.date()
        while datetime.combine(day, datetime.min.time(), UTC) < high:
            days.append((day, day_numbers(self.seed, profile, day, now)))
            day += timedelta(days=1)
        uid = profile.threads_user_id
        entries = []
        for metric in metrics:
            if metric == "views":
                daily = [(d, numbers["views"]) for d, numbers in days]
                entries.append(render.daily_values_entry(uid, metric, daily))
            elif metric == "followers_count":
                entries.append(render.total_value_entry(uid, metric, days[-1][1][metric]))
            elif metric == "clicks":
                per_url = link_clicks_between(self.seed, profile, days)
                entries.append(render.link_total_values_entry(uid, metric, per_url))
            else:
                total = sum(numbers[metric] for _, numbers in days)
                entries.append(render.total_value_entry(uid, metric, total))
        return entries


def _fields(request: Request, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = request.param("fields")
    if not raw:
        return default
    return tuple(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))


def _metrics(request: Request, allowed: tuple[str, ...]) -> list[str]:
    raw = request.param("metric")
    if not raw:
        raise errors.invalid_parameter("The parameter metric is required")
    metrics = list(dict.fromkeys(m.strip() for m in raw.split(",") if m.strip()))
    for metric in metrics:
        if metric not in allowed:
            raise errors.invalid_parameter(
                f"metric[{metrics.index(metric)}] must be one of the following values: "
                + ", ".join(allowed)
            )
    return metrics


def _unix(request: Request, name: str, minimum: int) -> int | None:
    raw = request.param(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise errors.invalid_parameter(f"Param {name} must be a unix timestamp")
    value = int(raw)
    if value < minimum:
        raise errors.invalid_parameter(f"Param {name} must be greater than or equal to {minimum}")
    return value


def _limit(request: Request) -> int:
    raw = request.param("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise errors.invalid_parameter("Param limit must be a positive integer")
    return min(int(raw), MAX_LIMIT)
